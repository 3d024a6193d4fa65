"""Archive storage: one `Store` protocol, one backend per URI scheme, chosen by `open_store`."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

from pipelines.storage.base import (
    ObjectExistsError,
    ObjectMissingError,
    PermanentStoreError,
    Store,
    StoredObject,
    StoreError,
    StoreOptions,
    StoreUnreachableError,
    validate_key,
)
from pipelines.storage.base import shown_uri as _shown
from pipelines.storage.local import LocalStore

__all__ = [
    "LocalStore",
    "ObjectExistsError",
    "ObjectMissingError",
    "PermanentStoreError",
    "Store",
    "StoreError",
    "StoreOptions",
    "StoreUnreachableError",
    "StoredObject",
    "open_store",
    "validate_key",
]

_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*)://")


def open_store(uri: str, options: StoreOptions | None = None, *, create: bool = True) -> Store:
    """The store at `uri`: a plain path or file:// URI (LocalStore), or s3://bucket/prefix
    (S3Store, configured by `options`; without them, boto3's defaults and environment). With
    ``create=False`` (the tools that read an archive) a folder that does not exist is an error,
    not a new empty archive.

    This is the only place that knows URI schemes. A bad URI raises a `StoreError` that
    names it, without any user or password it holds.
    """
    if not uri.strip():
        raise StoreError("empty store URI")
    match = _SCHEME.match(uri)
    if match is None:
        return LocalStore(Path(uri), create=create)
    scheme = match.group(1).lower()
    if scheme == "file":
        return LocalStore(_file_uri_path(uri), create=create)
    if scheme == "s3":
        # Imported here so that a local archive never pays for importing boto3.
        from pipelines.storage.s3 import S3Store, parse_s3_uri

        bucket, prefix = parse_s3_uri(uri)
        return S3Store(bucket, prefix, options or StoreOptions())
    raise StoreError(
        f"unknown storage scheme {scheme!r}: use a path, file:// or s3://", uri=_shown(uri)
    )


def _file_uri_path(uri: str) -> Path:
    parts = urlsplit(uri)
    if parts.netloc not in ("", "localhost"):
        host = _shown(uri).split("://", 1)[1].split("/", 1)[0]
        raise StoreError(f"file:// URI names a remote host {host!r}", uri=_shown(uri))
    if parts.query or parts.fragment or not parts.path:
        raise StoreError(
            "file:// URI must be an absolute path, without query or fragment", uri=_shown(uri)
        )
    return Path(url2pathname(parts.path))
