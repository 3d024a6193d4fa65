"""The storage protocol: where closed WARC files, indexes, records and manifests end up.

A store holds immutable objects under relative '/'-separated keys. It knows nothing of Scrapy.

Exceptions:

    StoreError                 any store failure; names the store URI and the key
    ├── ObjectExistsError      a write was refused because the key exists (never overwritten)
    ├── ObjectMissingError     a read asked for a key that does not exist
    ├── PermanentStoreError    retrying cannot help: a missing bucket, access denied, a folder
    │                          that cannot be created or written (`permanent` is True)
    └── StoreUnreachableError  the endpoint could not be reached (connect error, timeout)

An invalid key is a programming error and raises `ValueError` from `validate_key`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, BinaryIO, Protocol, runtime_checkable

__all__ = [
    "CHUNK_SIZE",
    "TEMP_PREFIX",
    "HashingReader",
    "ObjectExistsError",
    "ObjectMissingError",
    "PermanentStoreError",
    "Store",
    "StoreError",
    "StoreOptions",
    "StoreUnreachableError",
    "StoredObject",
    "is_valid_key",
    "sha256_of_stream",
    "shown_uri",
    "validate_key",
]

CHUNK_SIZE = 1024 * 1024
"""Bytes read at a time when streaming a file into a store."""

TEMP_PREFIX = ".tmp-"
"""Names starting with this are a backend's work in progress: never keys, never listed."""

_MAX_KEY_BYTES = 1024  # S3's limit, applied everywhere so a key that works locally works on S3


@dataclass(frozen=True, slots=True)
class StoredObject:
    """What a write stored: the key, its size in bytes and its SHA-256 (hex)."""

    key: str
    size: int
    sha256: str


@dataclass(frozen=True, slots=True)
class StoreOptions:
    """How to reach and write a remote store; `LocalStore` needs none of it.

    Credentials left as None come from boto3's default chain (environment, ~/.aws, instance
    role). They are never shown: the fields are left out of the dataclass's repr.
    """

    endpoint_url: str | None = None  # None: AWS, or the AWS_ENDPOINT_URL environment variable
    region: str | None = None
    access_key_id: str | None = field(default=None, repr=False)
    secret_access_key: str | None = field(default=None, repr=False)
    session_token: str | None = field(default=None, repr=False)
    verify: bool | str | None = None  # TLS: None = default, False = off, str = CA bundle path
    addressing_style: str = "auto"  # "auto", "path" or "virtual"
    sse: str | None = None  # server-side encryption: None, "AES256" or "aws:kms"
    sse_kms_key_id: str | None = None  # with "aws:kms"; None = the account's default key
    checksum_calculation: str = "when_supported"  # "when_required": send no flexible checksums
    object_lock_mode: str | None = None  # "GOVERNANCE" or "COMPLIANCE"
    object_lock_days: int = 0  # retention of every object written, with object_lock_mode
    multipart_threshold: int = 8 * 1024 * 1024  # bytes: larger files go up in parts
    multipart_chunksize: int = 8 * 1024 * 1024  # bytes per part (raised to stay <= 10,000 parts)
    max_concurrency: int = 4  # parts of one file in flight at once


class StoreError(Exception):
    """Base of store failures; `uri` and `key` say where, and both appear in the message.

    `permanent` says whether retrying the same call can help; only `PermanentStoreError` says no.
    """

    permanent = False

    def __init__(self, message: str, *, uri: str | None = None, key: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.uri = uri
        self.key = key

    def __str__(self) -> str:
        where = [self.uri] if self.uri else []
        if self.key is not None:
            where.append(f"key {self.key!r}")
        return ": ".join([*where, self.message])


class ObjectExistsError(StoreError):
    """The key already holds an object; objects are never overwritten."""


class ObjectMissingError(StoreError):
    """No object is stored under the key."""


class PermanentStoreError(StoreError):
    """The store cannot take writes until someone changes it: the bucket does not exist, the
    credentials are refused or missing, the folder cannot be created or written. An uploader
    should not retry it; `scrapy crawl` refuses to start on it."""

    permanent = True


class StoreUnreachableError(StoreError):
    """The store's endpoint did not answer (connection refused or reset, timeout, TLS failure).
    Transient for an uploader; before a crawl starts, a reason to refuse it."""


@runtime_checkable
class Store(Protocol):
    """A place for immutable objects; open one with `pipelines.storage.open_store(uri)`.

    Writes are atomic: an object is either absent or complete, never partial, and a write to an
    existing key raises `ObjectExistsError` and leaves the stored object as it was.
    """

    uri: str
    """Where the store is, for messages, e.g. "file:///abs/archive/" or "s3://bucket/prefix/"."""

    def put_file(self, path: Path, key: str) -> StoredObject:
        """Store the file at `path`, streamed; the file stays in place for the caller to delete."""
        ...

    def put_bytes(self, data: bytes, key: str) -> StoredObject:
        """Store `data` under `key`."""
        ...

    def get(self, key: str) -> BinaryIO:
        """A readable binary stream, used as a context manager; `ObjectMissingError` if absent."""
        ...

    def exists(self, key: str) -> bool:
        """Whether an object is stored under exactly `key` (a folder-like prefix is not one)."""
        ...

    def list(self, prefix: str = "") -> Iterator[str]:
        """The keys that start with `prefix` (a plain string prefix, as in S3), sorted."""
        ...

    def preflight(self) -> None:
        """Check, leaving nothing behind, that the store is there and takes writes; raise a
        `StoreError` saying why not (`PermanentStoreError`, `StoreUnreachableError`).
        `scrapy crawl` calls it before its first request."""
        ...


def validate_key(key: str) -> str:
    """Return `key` if it is a relative '/'-separated key, else raise `ValueError`.

    Rejected: "", absolute keys, "." or ".." segments, empty segments (so no leading, trailing or
    doubled '/'), backslashes, NUL, segments starting with ".tmp-" (reserved for temp files), text
    that is not valid Unicode (lone surrogates), and keys longer than 1024 bytes in UTF-8.
    """
    if not isinstance(key, str) or not key:
        raise ValueError(f"invalid key {key!r}: must be a non-empty string")
    if "\\" in key or "\0" in key:
        raise ValueError(f"invalid key {key!r}: backslash and NUL are not allowed")
    if key.startswith("/"):
        raise ValueError(f"invalid key {key!r}: must be relative, not start with '/'")
    try:
        size = len(key.encode("utf-8"))
    except UnicodeEncodeError:
        # A lone surrogate (e.g. from a file name decoded with surrogateescape) has no UTF-8 form,
        # so S3 cannot store it, and locally it would become a file name that is not UTF-8.
        raise ValueError(f"invalid key {key!r}: not valid Unicode (lone surrogate)") from None
    if size > _MAX_KEY_BYTES:
        raise ValueError(f"invalid key {key[:40]!r}...: longer than {_MAX_KEY_BYTES} bytes")
    for segment in key.split("/"):
        if segment in ("", ".", ".."):
            raise ValueError(f"invalid key {key!r}: empty, '.' and '..' segments are not allowed")
        if segment.startswith(TEMP_PREFIX):
            raise ValueError(f"invalid key {key!r}: names starting {TEMP_PREFIX!r} are reserved")
    return key


def shown_uri(uri: str) -> str:
    """`uri` for a message: whatever stands between "://" and its last "@" (a user and password,
    never meant to be there, and a secret key may hold "/") is cut out."""
    scheme, separator, rest = uri.partition("://")
    if not separator or "@" not in rest:
        return uri
    return f"{scheme}://<redacted>@{rest.rpartition('@')[2]}"


def is_valid_key(key: str) -> bool:
    """Whether `validate_key` accepts `key`."""
    try:
        validate_key(key)
    except ValueError:
        return False
    return True


class HashingReader:
    """A read-only stream that hashes (SHA-256) and counts what passes through it, so a reader
    such as warcio's can consume an object while its digest is taken in the same pass."""

    def __init__(self, stream: IO[bytes]) -> None:
        self._stream = stream
        self.digest = hashlib.sha256()
        self.size = 0

    def read(self, size: int = -1) -> bytes:
        data = self._stream.read(size)
        self.digest.update(data)
        self.size += len(data)
        return data

    def tell(self) -> int:
        return self.size

    def drain(self) -> None:
        """Read what is left, so the digest and size cover the whole stream."""
        while self.read(CHUNK_SIZE):
            pass


def sha256_of_stream(stream: IO[bytes]) -> str:
    """The SHA-256 (hex) of what is left in `stream`, read in chunks."""
    reader = HashingReader(stream)
    reader.drain()
    return reader.digest.hexdigest()


def json_bytes(value: Any) -> bytes:
    """The one form of every JSON document the archive writes (manifests, reports, crawl info,
    WACZ package files): indented, keys sorted, so the same content always gives the same bytes."""
    return json.dumps(value, indent=2, sort_keys=True, default=str).encode() + b"\n"
