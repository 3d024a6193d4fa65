"""How S3Store writes an object: one conditional PUT, or a conditional multipart upload, each
byte under a SHA-256 checksum that the server checks (or Content-MD5, for stores that take no
flexible checksums). See pipelines/storage/s3.py for why and how uploads are confirmed."""

from __future__ import annotations

import base64
import hashlib
import logging
import math
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, BinaryIO

from botocore.exceptions import BotoCoreError, ClientError

from pipelines.storage.base import StoredObject, StoreOptions
from pipelines.storage.s3errors import code_of, status_of

__all__ = ["MAX_PARTS", "SHA256_METADATA", "ObjectWriter", "SourceChangedError", "Written"]

logger = logging.getLogger(__name__)

SHA256_METADATA = "sha256"  # x-amz-meta-sha256: the whole object's SHA-256, hex
MAX_PARTS = 10_000  # S3's limit on parts in one multipart upload
_CONFLICT_RETRIES = 5  # 409 ConditionalRequestConflict: a concurrent write of the key is under way


class SourceChangedError(Exception):
    """The bytes read for the upload are not those hashed before it: the file changed."""


@dataclass(frozen=True, slots=True)
class Written:
    sha256: str  # of the bytes sent, hex
    checksum: str | None  # the SHA-256 checksum S3 should hold (composite: "base64-parts")
    confirmed: bool  # the server's answer already confirmed that checksum


class ObjectWriter:
    """Writes new objects into `bucket`; errors are botocore's, for S3Store to translate."""

    def __init__(self, client: Any, bucket: str, options: StoreOptions) -> None:
        self.client = client
        self.bucket = bucket
        self.options = options
        self.checksums = options.checksum_calculation == "when_supported"

    def write(self, source: BinaryIO, stored: StoredObject, key: str) -> Written:
        """Send `source` (whose size and SHA-256 `stored` gives) as the object `key`. Once a
        multipart upload is complete, or finds the key already written, earlier incomplete
        uploads of the key (a retry's, or one whose CreateMultipartUpload answer was lost) are
        aborted: they can never complete (every write is conditional) and would be billed."""
        if stored.size <= self.options.multipart_threshold:
            return self._put_whole(source, stored, key)
        try:
            written = self._put_parts(source, stored, key)
        except ClientError as exc:
            if code_of(exc) == "PreconditionFailed" or status_of(exc) == 412:
                self.abort_orphans(key)
            raise
        self.abort_orphans(key)
        return written

    def create_args(self, sha256: str | None) -> dict[str, Any]:
        """CreateMultipartUpload's arguments besides Bucket and Key: checksum algorithm,
        encryption, retention and metadata."""
        start: dict[str, Any] = {"ChecksumAlgorithm": "SHA256"} if self.checksums else {}
        return {**start, **self._object_args(sha256)}

    def abort_orphans(self, key: str) -> int:
        """Abort every incomplete multipart upload of exactly `key`; how many were. Best
        effort: a failure is logged, and a bucket lifecycle rule remains the safety net."""
        aborted = 0
        pages = self.client.get_paginator("list_multipart_uploads").paginate(
            Bucket=self.bucket, Prefix=key
        )
        try:
            for page in pages:
                for upload in page.get("Uploads", []):
                    if upload.get("Key") == key and self._abort(key, str(upload["UploadId"])):
                        aborted += 1
        except (ClientError, BotoCoreError) as exc:
            logger.warning(
                "could not list the incomplete multipart uploads of s3://%s/%s: %s",
                self.bucket,
                key,
                exc,
            )
        if aborted:
            logger.info(
                "aborted %d orphaned multipart upload(s) of s3://%s/%s", aborted, self.bucket, key
            )
        return aborted

    def _put_whole(self, source: BinaryIO, stored: StoredObject, key: str) -> Written:
        """One PUT; returns the SHA-256 of what was sent, the checksum S3 should hold, and
        whether the answer already confirms it: S3 checks the body against the SHA-256 sent
        with it and echoes the checksum it stored, so no HEAD is needed."""
        data = source.read()
        digest = hashlib.sha256(data).digest()
        # The checksum sent is the SHA-256 the store hashed before (`stored`), not that of the
        # bytes read now: if the file changed in between, S3 refuses the PUT (BadDigest) rather
        # than store bytes that the object's metadata digest does not describe.
        integrity = (
            {"ChecksumAlgorithm": "SHA256", "ChecksumSHA256": _b64(bytes.fromhex(stored.sha256))}
            if self.checksums
            else {"ContentMD5": _md5(data)}
        )
        response = self._conditional(
            self.client.put_object,
            Bucket=self.bucket,
            Key=key,
            Body=data,
            IfNoneMatch="*",
            **integrity,
            **self._object_args(stored.sha256),
        )
        checksum = integrity.get("ChecksumSHA256")
        echoed = checksum is not None and response.get("ChecksumSHA256") == checksum
        return Written(digest.hex(), checksum, echoed)

    def _put_parts(self, source: BinaryIO, stored: StoredObject, key: str) -> Written:
        """A multipart upload; returns the SHA-256 of what was sent and the composite checksum
        S3 should hold: base64(SHA-256(digest of part 1 + ... + digest of part n)) + "-n"."""
        chunk = max(self.options.multipart_chunksize, math.ceil(stored.size / MAX_PARTS))
        whole = hashlib.sha256()
        upload = self.client.create_multipart_upload(
            Bucket=self.bucket, Key=key, **self.create_args(stored.sha256)
        )["UploadId"]
        try:
            parts, digests = self._send_parts(source, chunk, key, upload, whole)
            if whole.hexdigest() != stored.sha256:
                raise SourceChangedError  # never completed: nothing is stored
            self._conditional(
                self.client.complete_multipart_upload,
                Bucket=self.bucket,
                Key=key,
                UploadId=upload,
                MultipartUpload={"Parts": parts},
                IfNoneMatch="*",
            )
        except BaseException:
            self._abort(key, upload)
            raise
        composite = hashlib.sha256(b"".join(digests)).digest()
        checksum = f"{_b64(composite)}-{len(digests)}" if self.checksums else None
        return Written(whole.hexdigest(), checksum, False)

    def _send_parts(
        self, source: BinaryIO, chunk: int, key: str, upload: str, whole: Any
    ) -> tuple[list[dict[str, Any]], list[bytes]]:
        """Read parts in order (hashing them), send up to `max_concurrency` at once."""
        parts: list[dict[str, Any]] = []
        digests: list[bytes] = []
        in_flight: list[Future[dict[str, Any]]] = []
        with ThreadPoolExecutor(self.options.max_concurrency) as pool:
            for number in range(1, MAX_PARTS + 1):
                data = source.read(chunk)
                if not data and number > 1:
                    break
                whole.update(data)
                digests.append(hashlib.sha256(data).digest())
                if len(in_flight) >= self.options.max_concurrency:
                    parts.append(in_flight.pop(0).result())
                in_flight.append(pool.submit(self._send_part, key, upload, number, data))
            parts.extend(future.result() for future in in_flight)
        return parts, digests

    def _send_part(self, key: str, upload: str, number: int, data: bytes) -> dict[str, Any]:
        if self.checksums:
            integrity = {
                "ChecksumAlgorithm": "SHA256",
                "ChecksumSHA256": _b64(hashlib.sha256(data).digest()),
            }
        else:
            integrity = {"ContentMD5": _md5(data)}
        response = self.client.upload_part(
            Bucket=self.bucket,
            Key=key,
            UploadId=upload,
            PartNumber=number,
            Body=data,
            **integrity,
        )
        part = {"ETag": response["ETag"], "PartNumber": number}
        if self.checksums:
            part["ChecksumSHA256"] = integrity["ChecksumSHA256"]
        return part

    def _object_args(self, sha256: str | None) -> dict[str, Any]:
        """Encryption, retention and metadata for a new object."""
        args: dict[str, Any] = {}
        if sha256 is not None:
            args["Metadata"] = {SHA256_METADATA: sha256}
        if self.options.sse:
            args["ServerSideEncryption"] = self.options.sse
            if self.options.sse_kms_key_id:
                args["SSEKMSKeyId"] = self.options.sse_kms_key_id
        if self.options.object_lock_mode:
            args["ObjectLockMode"] = self.options.object_lock_mode
            args["ObjectLockRetainUntilDate"] = datetime.now(UTC) + timedelta(
                days=self.options.object_lock_days
            )
        return args

    def _conditional(self, call: Any, **kwargs: Any) -> Any:
        """A conditional write; S3 answers 409 while another conditional write of the key is
        in flight, and asks for a retry, which then fails with 412 if that write won."""
        for attempt in range(_CONFLICT_RETRIES):
            try:
                return call(**kwargs)
            except ClientError as exc:
                if code_of(exc) != "ConditionalRequestConflict" or attempt == _CONFLICT_RETRIES - 1:
                    raise
                time.sleep(0.1 * 2**attempt)
        return None  # not reached

    def _abort(self, key: str, upload: str) -> bool:
        try:
            self.client.abort_multipart_upload(Bucket=self.bucket, Key=key, UploadId=upload)
            return True
        except (ClientError, BotoCoreError) as exc:
            logger.warning(
                "could not abort the multipart upload of s3://%s/%s: %s; a bucket "
                "lifecycle rule should clean up incomplete uploads",
                self.bucket,
                key,
                exc,
            )
            return False


def _b64(digest: bytes) -> str:
    return base64.b64encode(digest).decode("ascii")


def _md5(data: bytes) -> str:
    return _b64(hashlib.md5(data, usedforsecurity=False).digest())
