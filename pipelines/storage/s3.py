"""S3Store: the archive in an S3 bucket (AWS, MinIO, Ceph RGW, Cloudflare R2, LocalStack...).

Every write is conditional (``If-None-Match: *``), so an object is never overwritten, even by a
concurrent writer, and carries a SHA-256 checksum that the server checks:

- up to ``multipart_threshold`` bytes: one PUT with the whole file's SHA-256;
- larger: a multipart upload, each part with its own SHA-256. S3 has no full-object SHA-256 for
  multipart uploads (full-object checksums exist only for the CRC family), so the object's checksum
  is the *composite* one, SHA-256 of the parts' digests, which we compute the same way.

Our own whole-file SHA-256 travels in the object's metadata (``x-amz-meta-sha256``), so that
readers and the manifest name the object by one digest whatever its part layout. The upload is
then confirmed: a PUT's answer echoes the checksum the server checked and stored; a multipart
upload is confirmed with ``HEAD`` (``ChecksumMode=ENABLED``): size, composite checksum and the
metadata digest. Each byte was hashed by us as it was sent and checked by the server against
that hash, so no second read is needed. A server that keeps no checksum
(``checksum_calculation="when_required"``, for stores that reject flexible checksums) gets
``Content-MD5`` on every request instead, and the upload is confirmed by reading it back.
The writing itself is in ``s3write.py``.
"""

from __future__ import annotations

import hashlib
import io
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import urlsplit

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from pipelines.storage.base import (
    CHUNK_SIZE,
    ObjectExistsError,
    ObjectMissingError,
    StoredObject,
    StoreError,
    StoreOptions,
    is_valid_key,
    sha256_of_stream,
    shown_uri,
    validate_key,
)
from pipelines.storage.s3errors import translate
from pipelines.storage.s3preflight import PREFLIGHT_CONFIG, check_bucket
from pipelines.storage.s3write import SHA256_METADATA, ObjectWriter, SourceChangedError

__all__ = ["SHA256_METADATA", "S3Store", "parse_s3_uri"]

logger = logging.getLogger(__name__)

_AWS_LOGGERS = ("botocore", "boto3", "s3transfer", "urllib3")


def parse_s3_uri(uri: str) -> tuple[str, str]:
    """("bucket", "prefix/") of ``s3://bucket/prefix``; the prefix is "" or ends with "/"."""
    parts = urlsplit(uri)
    if not parts.netloc or parts.query or parts.fragment or "@" in uri or ":" in parts.netloc:
        # Never echo what may be a key: credentials do not go in URIs.
        raise StoreError(
            "an S3 URI is s3://bucket/optional/prefix, without user, query or fragment",
            uri=shown_uri(uri),
        )
    prefix = parts.path.strip("/")
    if prefix:
        try:
            validate_key(prefix)
        except ValueError as exc:
            raise StoreError(f"bad prefix: {exc}", uri=uri) from None
    return parts.netloc, f"{prefix}/" if prefix else ""


def quiet_aws_loggers() -> None:
    """botocore logs request headers and signing details at DEBUG. Keep its loggers at INFO
    unless someone set them on purpose, so ``LOG_LEVEL=DEBUG`` cannot put them in a log."""
    for name in _AWS_LOGGERS:
        aws_logger = logging.getLogger(name)
        if aws_logger.level == logging.NOTSET:
            aws_logger.setLevel(logging.INFO)


class S3Store:
    """A `Store` under ``s3://{bucket}/{prefix}``; the bucket must exist."""

    def __init__(self, bucket: str, prefix: str, options: StoreOptions) -> None:
        self.bucket = bucket
        self.prefix = prefix
        self.options = options
        self.uri = f"s3://{bucket}/{prefix}"
        quiet_aws_loggers()
        self.checksums = options.checksum_calculation == "when_supported"
        session = boto3.session.Session(
            aws_access_key_id=options.access_key_id,
            aws_secret_access_key=options.secret_access_key,
            aws_session_token=options.session_token,
            region_name=options.region,
        )
        self.config = Config(
            s3={"addressing_style": options.addressing_style},
            request_checksum_calculation=options.checksum_calculation,
            response_checksum_validation=options.checksum_calculation,
            retries={"mode": "standard", "max_attempts": 3},
            connect_timeout=10,
            read_timeout=60,
            max_pool_connections=max(10, 2 * options.max_concurrency),
        )
        self.session = session
        self.client: Any = self.new_client(self.config)
        self.writer = ObjectWriter(self.client, bucket, options)

    def __repr__(self) -> str:
        return f"S3Store({self.uri!r})"

    def new_client(self, config: Config) -> Any:
        """A client of this store's endpoint and credentials, with `config`."""
        return self.session.client(
            "s3", endpoint_url=self.options.endpoint_url, verify=self.options.verify, config=config
        )

    def preflight(self) -> None:
        """Refuse a bucket that cannot take this crawl's writes; see ``s3preflight.py``."""
        client = self.new_client(self.config.merge(PREFLIGHT_CONFIG))
        check_bucket(client, self.bucket, self.prefix, self.uri, self.writer.create_args(None))

    # --- the Store protocol ----------------------------------------------------------------

    def put_file(self, path: Path, key: str) -> StoredObject:
        validate_key(key)
        self._refuse_existing(key, path.stat().st_size)
        # Hashed first, so that the object's metadata can carry its SHA-256 from the start;
        # reading a local file twice costs far less than sending it twice.
        with open(path, "rb") as source:
            expected = sha256_of_stream(source)
            size = source.tell()
            source.seek(0)
            return self._put(source, StoredObject(key, size, expected))

    def put_bytes(self, data: bytes, key: str) -> StoredObject:
        validate_key(key)
        self._refuse_existing(key, len(data))
        stored = StoredObject(key, len(data), hashlib.sha256(data).hexdigest())
        return self._put(io.BytesIO(data), stored)

    def get(self, key: str) -> BinaryIO:
        validate_key(key)
        extra = {"ChecksumMode": "ENABLED"} if self.checksums else {}
        try:
            response = self.client.get_object(Bucket=self.bucket, Key=self._full(key), **extra)
        except (ClientError, BotoCoreError) as exc:
            raise self._error(exc, key, "read") from exc
        return io.BufferedReader(_Body(response["Body"]), buffer_size=CHUNK_SIZE)

    def exists(self, key: str) -> bool:
        validate_key(key)
        return self._head(key) is not None

    def list(self, prefix: str = "") -> Iterator[str]:
        folder = prefix.rpartition("/")[0]
        if folder and not is_valid_key(folder):
            return  # no valid key starts with this prefix, as LocalStore says
        pages = self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=self.prefix + prefix
        )
        try:
            # S3 lists keys in UTF-8 byte order, which is code point order: already sorted.
            for page in pages:
                for entry in page.get("Contents", []):
                    yield str(entry["Key"])[len(self.prefix) :]
        except (ClientError, BotoCoreError) as exc:
            raise self._error(exc, None, "list") from exc

    # --- writing ---------------------------------------------------------------------------

    def _put(self, source: BinaryIO, stored: StoredObject) -> StoredObject:
        changed = StoreError(
            "the file changed while it was being stored", uri=self.uri, key=stored.key
        )
        try:
            written = self.writer.write(source, stored, self._full(stored.key))
        except SourceChangedError:
            raise changed from None
        except (ClientError, BotoCoreError) as exc:
            raise self._error(exc, stored.key, "upload") from exc
        if written.sha256 != stored.sha256:  # a server that does not check checksums took it
            self._discard(stored.key)
            raise changed
        if not written.confirmed:
            self._confirm(stored, written.checksum)
        return stored

    # --- reading back ----------------------------------------------------------------------

    def _refuse_existing(self, key: str, size: int) -> None:
        """Fail fast, before sending a large file; the conditional write makes it atomic. A key
        found stored ends its uploads: a retry's earlier multipart upload, orphaned, is aborted."""
        if self._head(key) is not None:
            if size > self.options.multipart_threshold:
                self.writer.abort_orphans(self._full(key))
            raise ObjectExistsError(
                "an object exists; objects are never overwritten", uri=self.uri, key=key
            )

    def _head(self, key: str, *, checksum: bool = False) -> dict[str, Any] | None:
        extra = {"ChecksumMode": "ENABLED"} if checksum and self.checksums else {}
        try:
            head: dict[str, Any] = self.client.head_object(
                Bucket=self.bucket, Key=self._full(key), **extra
            )
        except (ClientError, BotoCoreError) as exc:
            error = self._error(exc, key, "head")
            if isinstance(error, ObjectMissingError):
                return None
            raise error from exc
        return head

    def _confirm(self, stored: StoredObject, checksum: str | None) -> None:
        """Check what the server holds against what was sent; see the module docstring."""
        head = self._head(stored.key, checksum=True)
        if head is None:
            raise StoreError(
                "the object is missing right after its upload", uri=self.uri, key=stored.key
            )
        problems = []
        if head.get("ContentLength") != stored.size:
            problems.append(f"size {head.get('ContentLength')}, expected {stored.size}")
        if head.get("Metadata", {}).get(SHA256_METADATA) != stored.sha256:
            problems.append("the sha256 metadata differs")
        held = head.get("ChecksumSHA256")
        if checksum is not None and held is not None:
            # AWS gives a composite checksum as "base64-parts"; some servers leave out "-parts".
            if str(held).split("-")[0] != checksum.split("-")[0]:
                problems.append(f"checksum {held}, expected {checksum}")
        elif not problems:
            # The server keeps no checksum we can compare: read the object back.
            with self.get(stored.key) as stream:
                if sha256_of_stream(stream) != stored.sha256:
                    problems.append("the bytes read back have another sha256")
        if problems:
            self._discard(stored.key)
            raise StoreError(
                "upload not confirmed: " + "; ".join(problems), uri=self.uri, key=stored.key
            )
        logger.debug("confirmed %s%s (%d bytes)", self.uri, stored.key, stored.size)

    def _discard(self, key: str) -> None:
        """Remove an object this store has just written and found wrong, so a retry can write
        it again (under object lock this leaves a delete marker; the bad version is kept)."""
        try:
            self.client.delete_object(Bucket=self.bucket, Key=self._full(key))
        except (ClientError, BotoCoreError) as exc:
            logger.error("could not remove the unconfirmed object %s%s: %s", self.uri, key, exc)

    def _full(self, key: str) -> str:
        return self.prefix + key

    def _error(self, exc: BaseException, key: str | None, action: str) -> StoreError:
        return translate(exc, uri=self.uri, bucket=self.bucket, key=key, action=action)


class _Body(io.RawIOBase):
    """botocore's streaming body as a raw stream, so that `get` returns a real BinaryIO."""

    def __init__(self, body: Any) -> None:
        self._body = body

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self._body.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        if not self.closed:
            self._body.close()
        super().close()
