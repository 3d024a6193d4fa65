"""LocalStore: the archive as a directory tree, one file per object.

A write goes to a temp file (`.tmp-*`) in the target's own directory, is fsynced, and is then
hard-linked to its final name. `os.link` refuses an existing name, so the check that an object is
never overwritten is atomic too, even between processes sharing the directory.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import secrets
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

from pipelines.storage.base import (
    CHUNK_SIZE,
    TEMP_PREFIX,
    ObjectExistsError,
    ObjectMissingError,
    PermanentStoreError,
    StoredObject,
    StoreError,
    is_valid_key,
    validate_key,
)

__all__ = ["LocalStore"]


class LocalStore:
    """A `Store` in the directory `root`, which is created if missing."""

    def __init__(self, root: Path, *, create: bool = True) -> None:
        self.root = Path(root).expanduser().resolve()
        self.uri = self.root.as_uri() + "/"
        if not create and not self.root.is_dir():
            raise StoreError("no archive folder here", uri=self.uri)
        try:
            self.root.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise _refused("cannot create the store folder", exc, self.uri) from exc

    def __repr__(self) -> str:
        return f"LocalStore({str(self.root)!r})"

    def preflight(self) -> None:
        """Write, fsync, hard-link and delete a probe in the root, as `_write` does with every
        object, so that a folder that cannot take writes is refused before a crawl starts."""
        probe = self.root / f"{TEMP_PREFIX}preflight-{secrets.token_hex(8)}"
        linked = probe.with_name(probe.name + "-link")
        try:
            with open(probe, "xb") as out:
                out.write(b"newsarchive preflight\n")
                out.flush()
                os.fsync(out.fileno())
            os.link(probe, linked)
        except OSError as exc:
            raise _refused("cannot write in the store folder", exc, self.uri) from exc
        finally:
            for path in (linked, probe):
                with contextlib.suppress(OSError):
                    path.unlink()

    def put_file(self, path: Path, key: str) -> StoredObject:
        # Copied, not hard-linked: a link would share the inode with a file the caller still
        # owns, so a later write to it would silently change the archived object.
        target = self._target(validate_key(key))
        self._refuse_existing(target, key)
        with open(path, "rb") as source:
            return self._write(target, key, iter(lambda: source.read(CHUNK_SIZE), b""))

    def put_bytes(self, data: bytes, key: str) -> StoredObject:
        target = self._target(validate_key(key))
        self._refuse_existing(target, key)
        return self._write(target, key, (data,))

    def get(self, key: str) -> BinaryIO:
        try:
            # Returned open: the caller closes it, as with any stream from a store.
            return open(self._target(validate_key(key)), "rb")
        except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
            raise ObjectMissingError("no such object", uri=self.uri, key=key) from None
        except OSError as exc:
            raise StoreError(f"cannot read: {exc}", uri=self.uri, key=key) from exc

    def exists(self, key: str) -> bool:
        return self._target(validate_key(key)).is_file()

    def list(self, prefix: str = "") -> Iterator[str]:
        # The prefix is a plain string prefix, as in S3: "warc/cr" matches "warc/crawl-1/x".
        folder = prefix.rpartition("/")[0]
        if folder and not is_valid_key(folder):
            # No valid key starts with this prefix (e.g. "a//", "../"): list nothing, as S3 would,
            # and never walk outside the root.
            return
        base = self._target(folder) if folder else self.root
        keys: list[str] = []
        for directory, subdirectories, names in os.walk(base):
            subdirectories[:] = [d for d in subdirectories if not d.startswith(TEMP_PREFIX)]
            relative = Path(directory).relative_to(self.root).as_posix()
            for name in names:
                key = name if relative == "." else f"{relative}/{name}"
                if not name.startswith(TEMP_PREFIX) and key.startswith(prefix):
                    keys.append(key)
        yield from sorted(keys)

    def _target(self, key: str) -> Path:
        return self.root.joinpath(*key.split("/"))

    def _refuse_existing(self, target: Path, key: str) -> None:
        """Fail fast, before copying a large file; `os.link` makes the final check atomic."""
        if os.path.lexists(target):
            raise self._exists_error(target, key)

    def _exists_error(self, target: Path, key: str) -> StoreError:
        if target.is_dir():
            return StoreError("a folder of other objects has this name", uri=self.uri, key=key)
        return ObjectExistsError(
            "an object exists; objects are never overwritten", uri=self.uri, key=key
        )

    def _write(self, target: Path, key: str, chunks: Iterable[bytes]) -> StoredObject:
        """Write `chunks` to a temp file beside `target`, fsync, then link it into place."""
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
        except (FileExistsError, NotADirectoryError):
            raise StoreError(
                "a parent folder of this key is an object", uri=self.uri, key=key
            ) from None
        temp = target.parent / f"{TEMP_PREFIX}{secrets.token_hex(8)}"
        digest, size = hashlib.sha256(), 0
        try:
            with open(temp, "xb") as out:
                for chunk in chunks:
                    digest.update(chunk)
                    size += len(chunk)
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            os.link(temp, target)
        except FileExistsError:
            raise self._exists_error(target, key) from None
        except OSError as exc:
            raise StoreError(f"write failed: {exc}", uri=self.uri, key=key) from exc
        finally:
            with contextlib.suppress(FileNotFoundError):
                temp.unlink()
        _fsync_directory(target.parent)
        return StoredObject(key=key, size=size, sha256=digest.hexdigest())


def _refused(what: str, exc: OSError, uri: str) -> StoreError:
    """`what` failed, and why, in words an operator acts on (the path is in `uri`). A full disk
    may clear up by itself; the rest need someone to change the folder."""
    transient = exc.errno in (errno.ENOSPC, errno.EDQUOT)
    error_type = StoreError if transient else PermanentStoreError
    return error_type(f"{what}: {_reason(exc)}", uri=uri)


def _reason(exc: OSError) -> str:
    reasons = {
        errno.EROFS: "it is on a read-only file system",
        errno.EACCES: "permission denied",
        errno.EPERM: "operation not permitted (hard links are needed)",
        errno.ENOTDIR: "a part of its path is a file, not a folder",
        errno.EEXIST: "a file of that name is in the way",
        errno.ENOSPC: "no space left on the device",
        errno.EDQUOT: "disk quota exceeded",
    }
    return reasons.get(exc.errno or 0, exc.strerror or str(exc))


def _fsync_directory(directory: Path) -> None:
    """Make the new name durable; some filesystems cannot fsync a directory, which is fine."""
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    except OSError as exc:
        if exc.errno not in (errno.EINVAL, errno.ENOTSUP, errno.EBADF):
            raise
    finally:
        os.close(fd)
