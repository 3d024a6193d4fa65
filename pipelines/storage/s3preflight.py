"""Before a crawl: is the bucket there, reachable, and writable under the archive's prefix?

1. ``HeadBucket``: a missing bucket, a bucket of another account or region, and an endpoint
   that does not answer are told apart here, each in its own words.
2. A probe write that leaves nothing behind: ``CreateMultipartUpload`` of a probe key under the
   prefix, with the crawl's own encryption and retention arguments, then
   ``AbortMultipartUpload``. It needs exactly the rights an archive upload needs
   (``s3:PutObject``, ``s3:PutObjectRetention`` with Object Lock, the KMS key with
   ``aws:kms``, ``s3:AbortMultipartUpload``), and unlike a probe object it needs no delete right,
   which a WORM setup does not grant, and leaves no object that retention would keep for years.

The client has short timeouts and one retry, so an unreachable endpoint is reported within
seconds, not after the upload retry loop.
"""

from __future__ import annotations

import secrets
from typing import Any

from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from pipelines.storage.base import TEMP_PREFIX, PermanentStoreError
from pipelines.storage.s3errors import ACCESS_DENIED, code_of, missing_bucket, translate

__all__ = ["PREFLIGHT_CONFIG", "check_bucket"]

PREFLIGHT_CONFIG = Config(
    connect_timeout=5, read_timeout=15, retries={"mode": "standard", "max_attempts": 2}
)
"""Merged into the store's client config for the preflight: at most two tries of a few
seconds each, so an endpoint that drops packets is refused in about 10 s."""


def check_bucket(
    client: Any, bucket: str, prefix: str, uri: str, create_args: dict[str, Any]
) -> None:
    """Raise a `StoreError` unless `bucket` takes writes under `prefix`; see the module doc."""
    try:
        client.head_bucket(Bucket=bucket)
    except ClientError as exc:
        raise _bucket_error(exc, bucket, uri) from exc
    except BotoCoreError as exc:
        raise translate(exc, uri=uri, bucket=bucket, key=None, action="preflight") from exc
    key = f"{prefix}{TEMP_PREFIX}preflight-{secrets.token_hex(8)}"
    try:
        upload = client.create_multipart_upload(Bucket=bucket, Key=key, **create_args)
    except (ClientError, BotoCoreError) as exc:
        raise translate(exc, uri=uri, bucket=bucket, key=None, action="probe write") from exc
    try:
        client.abort_multipart_upload(Bucket=bucket, Key=key, UploadId=upload["UploadId"])
    except ClientError as exc:
        if code_of(exc) in ACCESS_DENIED:
            raise PermanentStoreError(
                "access denied to AbortMultipartUpload: the crawler needs "
                "s3:AbortMultipartUpload to clean up failed uploads",
                uri=uri,
            ) from exc
        raise translate(exc, uri=uri, bucket=bucket, key=None, action="probe abort") from exc
    except BotoCoreError as exc:
        raise translate(exc, uri=uri, bucket=bucket, key=None, action="probe abort") from exc


def _bucket_error(exc: ClientError, bucket: str, uri: str) -> Exception:
    """HeadBucket answers without a body, so its HTTP status is all there is to go on."""
    status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    code = code_of(exc)
    if status == 404 or code in ("404", "NoSuchBucket", "NotFound"):
        return missing_bucket(bucket, uri)
    if status == 403 or code in ACCESS_DENIED:
        return PermanentStoreError(
            f"access denied to bucket {bucket!r}: it belongs to another account, or these "
            "credentials lack s3:ListBucket on it",
            uri=uri,
        )
    if status == 301:
        headers = exc.response.get("ResponseMetadata", {}).get("HTTPHeaders", {})
        region = headers.get("x-amz-bucket-region", "another region")
        return PermanentStoreError(
            f"the bucket {bucket!r} is in {region}: set AWS_REGION_NAME to it", uri=uri
        )
    return translate(exc, uri=uri, bucket=bucket, key=None, action="preflight")
