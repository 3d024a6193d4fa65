"""The spool: files wait here, closed, until a store holds them; and the journal of what it holds.

One folder per crawl, which any process can pick up where another left off (the crawl itself,
the next crawl's start, or ``scrapy upload-pending``)::

    {spool}/{crawl_id}/
        crawl.json       the crawl's id, seed set, store, settings, software: the manifest's head
        journal.jsonl    one fsynced JSON line per event: a file "closed", an object "stored"
        lock             flock'd: shared by each live crawl process, exclusive for a recovery
        finished.json    written when the crawl ends: from then on the manifest may be written
        report.json      the crawl report, stored as reports/{crawl_id}.json
        {kind}/{name}    closed files, stored as {kind}/{crawl_id}/{name}
        {kind}/{name}.open   files still being written: never touched here

Keys are deterministic, so storing a file again after a crash is idempotent: a key that already
holds the same bytes counts as stored. The manifest is written only when the crawl has finished
and every closed file is stored; then the folder is removed (torn ``.open`` files excepted).
This module knows nothing of Scrapy or Twisted: it is blocking code, run in threads.
The journal and the JSON files are read and written by pipelines/archive/journal.py.
"""

from __future__ import annotations

import contextlib
import fcntl
import gzip
import logging
import os
from dataclasses import asdict
from pathlib import Path
from typing import Any

from warcio.archiveiterator import ArchiveIterator

from pipelines.archive.journal import Journal, LedgerEntry, read_json, write_atomic
from pipelines.storage import ObjectExistsError, Store, StoreError
from pipelines.storage.base import TEMP_PREFIX, json_bytes, sha256_of_stream

__all__ = [
    "MANIFEST_VERSION",
    "ConflictError",
    "CrawlSpool",
    "LedgerEntry",
    "count_records",
    "crawls",
    "sha256_of_file",
]

logger = logging.getLogger(__name__)

OPEN_SUFFIX = ".open"  # a file still being written; renamed without it when it closes
MANIFEST_VERSION = 1
INFO, JOURNAL, LOCK, FINISHED, REPORT = (
    "crawl.json",
    "journal.jsonl",
    "lock",
    "finished.json",
    "report.json",
)


class ConflictError(StoreError):
    """The key holds other bytes than the file meant for it: kept in the spool, never retried."""


class CrawlSpool:
    """The spool folder of one crawl. Thread-safe: uploads run in several threads."""

    def __init__(self, root: Path, crawl_id: str) -> None:
        self.root = root
        self.crawl_id = crawl_id
        self.folder = root / crawl_id
        self._journal = Journal(self.folder / JOURNAL)
        self._lock_file: int | None = None

    def __repr__(self) -> str:
        return f"CrawlSpool({str(self.folder)!r})"

    def kind_folder(self, kind: str) -> Path:
        folder = self.folder / kind
        folder.mkdir(parents=True, exist_ok=True)
        return folder

    @property
    def report_path(self) -> Path:
        return self.folder / REPORT

    def key_of(self, path: Path) -> tuple[str, str]:
        """(kind, key) of a closed spool file: its spool-relative path, crawl id second."""
        if path == self.report_path:
            return "report", f"reports/{self.crawl_id}.json"
        kind = path.relative_to(self.folder).parts[0]
        return kind, f"{kind}/{self.crawl_id}/{path.name}"

    def waiting(self) -> list[Path]:
        """Closed files not stored yet, the report last (the manifest needs them all)."""
        files = sorted(
            path
            for path in self.folder.glob("*/*")
            if path.is_file()
            and not path.name.endswith(OPEN_SUFFIX)
            and not path.name.startswith((".", TEMP_PREFIX))
        )
        return [*files, self.report_path] if self.report_path.exists() else files

    def torn(self) -> list[Path]:
        """Files left open by a process that is gone (crash-resume repairs them)."""
        return sorted(self.folder.glob(f"*/*{OPEN_SUFFIX}"))

    # --- the journal -----------------------------------------------------------------------

    def note_closed(self, path: Path, kind: str, records: int | None) -> None:
        self._journal.append(
            {"event": "closed", "name": path.name, "kind": kind, "records": records}
        )

    def stored(self) -> list[LedgerEntry]:
        return self._journal.stored()

    def records_of(self, path: Path) -> int | None:
        """The record count noted when the file closed, or counted in the file itself."""
        kind, _ = self.key_of(path)
        for event in self._journal.events():
            if event["event"] == "closed" and event["name"] == path.name and event["kind"] == kind:
                count: int | None = event["records"]
                return count
        return count_records(path, kind)

    # --- storing ---------------------------------------------------------------------------

    def store_file(self, store: Store, path: Path, records: int | None) -> LedgerEntry:
        """Store a closed file under its key, journal it, delete the spool copy (blocking)."""
        kind, key = self.key_of(path)
        try:
            obj = store.put_file(path, key)
            entry = LedgerEntry(kind, obj.key, obj.size, obj.sha256, records)
        except ObjectExistsError:
            entry = self._already_stored(store, path, kind, key, records)
        self._journal.append({"event": "stored", **asdict(entry)})
        path.unlink()
        return entry

    def _already_stored(
        self, store: Store, path: Path, kind: str, key: str, records: int | None
    ) -> LedgerEntry:
        """A retry after the store took the file but before we knew (crash, lost response)."""
        local, size = sha256_of_file(path)
        with store.get(key) as stream:
            remote = sha256_of_stream(stream)
        if remote != local:
            raise ConflictError(
                f"holds other bytes than {path} (sha256 {remote}, the file's {local}); the "
                "file stays in the spool",
                uri=store.uri,
                key=key,
            )
        logger.info("%s%s already held %s: counted as stored", store.uri, key, path.name)
        return LedgerEntry(kind, key, size, local, records)

    # --- the crawl's head, end and manifest ------------------------------------------------

    def write_info(self, info: dict[str, Any]) -> None:
        """Note who runs the crawl and where it stores, once (a resumed crawl keeps the first)."""
        if not (self.folder / INFO).exists():
            write_atomic(self.folder / INFO, json_bytes(info))

    def info(self) -> dict[str, Any] | None:
        return read_json(self.folder / INFO)

    def finish(self, finished: dict[str, Any], report: bytes | None) -> None:
        """The crawl is over: its report joins the waiting files, the manifest may follow.
        An interrupted crawl closed by hand has no report and ``"interrupted": true``."""
        if report is not None and not self.report_path.exists():
            write_atomic(self.report_path, report)
        write_atomic(self.folder / FINISHED, json_bytes(finished))

    def finished(self) -> dict[str, Any] | None:
        return read_json(self.folder / FINISHED)

    def manifest(self) -> dict[str, Any]:
        head, end = self.info() or {}, self.finished() or {}
        entries = sorted(self.stored(), key=lambda entry: entry.key)
        counts: dict[str, int] = {}
        for entry in entries:
            counts[f"{entry.kind}_objects"] = counts.get(f"{entry.kind}_objects", 0) + 1
            if entry.records is not None:
                name = f"{entry.kind}_records"
                counts[name] = counts.get(name, 0) + entry.records
        return {
            "manifest_version": MANIFEST_VERSION,
            **head,
            **end,
            "complete": not end.get("interrupted", False),
            "counts": counts,
            "objects": [asdict(entry) for entry in entries],
            "torn_files_left_in_spool": [
                p.relative_to(self.folder).as_posix() for p in self.torn()
            ],
        }

    def finalise(self, store: Store) -> str | None:
        """Write the manifest if the crawl is over and all its files are stored; then remove
        the folder. Returns the manifest's key, or None when it is not time yet."""
        if self.finished() is None or self.waiting():
            return None
        key = f"manifests/{self.crawl_id}.json"
        data = json_bytes(self.manifest())
        try:
            store.put_bytes(data, key)
        except ObjectExistsError:
            with store.get(key) as stream:
                if stream.read() != data:
                    raise
        for name in (INFO, FINISHED, JOURNAL):
            with contextlib.suppress(FileNotFoundError):
                (self.folder / name).unlink()
        self._remove_empty_folders()
        return key

    def _remove_empty_folders(self) -> None:
        for path in [*sorted(self.folder.glob("*"), reverse=True), self.folder]:
            with contextlib.suppress(OSError):
                path.rmdir()  # fails while torn files, or the lock of a live process, remain

    # --- who is working on it --------------------------------------------------------------

    def lock(self, *, exclusive: bool) -> bool:
        """Take the crawl's lock without waiting: shared for a crawl process (several may write
        one crawl), exclusive for a recovery. The kernel drops it when the process dies."""
        self.folder.mkdir(parents=True, exist_ok=True)
        fd = (
            self._lock_file
            if self._lock_file is not None
            else os.open(self.folder / LOCK, os.O_RDWR | os.O_CREAT, 0o644)
        )
        try:
            fcntl.flock(fd, (fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH) | fcntl.LOCK_NB)
        except BlockingIOError:
            if self._lock_file is None:
                os.close(fd)
            return False
        self._lock_file = fd
        return True

    def unlock(self) -> None:
        fd, self._lock_file = self._lock_file, None
        if fd is not None:
            with contextlib.suppress(FileNotFoundError):
                if self.info() is None:  # finalised: the lock file is the last thing left
                    (self.folder / LOCK).unlink()
                    self._remove_empty_folders()
            os.close(fd)


def crawls(root: Path) -> list[CrawlSpool]:
    """The crawls in the spool that a store can take: those with a crawl.json."""
    if not root.is_dir():
        return []
    return [CrawlSpool(root, path.parent.name) for path in sorted(root.glob(f"*/{INFO}"))]


def count_records(path: Path, kind: str) -> int | None:
    """Records in a closed WARC or records part, for a file whose close was not journaled."""
    try:
        if kind == "warc":
            with open(path, "rb") as stream:
                return sum(1 for _ in ArchiveIterator(stream))
        if kind == "records":
            with gzip.open(path, "rb") as lines:
                return sum(1 for _ in lines)
    except (OSError, EOFError, ValueError) as exc:
        logger.warning("could not count the records of %s: %s", path, exc)
    return None


def sha256_of_file(path: Path) -> tuple[str, int]:
    with open(path, "rb") as stream:
        return sha256_of_stream(stream), path.stat().st_size
