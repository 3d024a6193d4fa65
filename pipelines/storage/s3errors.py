"""botocore's exceptions as store errors, one place for S3Store and its preflight.

What retrying cannot mend (a missing bucket, refused or missing credentials) becomes a
`PermanentStoreError`, so that an uploader stops retrying it; a connect error or a timeout
becomes a `StoreUnreachableError`. Messages name the store and the key, never a credential:
botocore's own messages carry neither keys nor signatures.
"""

from __future__ import annotations

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    HTTPClientError,
    NoCredentialsError,
    PartialCredentialsError,
)
from botocore.exceptions import ConnectionError as BotoConnectionError

from pipelines.storage.base import (
    ObjectExistsError,
    ObjectMissingError,
    PermanentStoreError,
    StoreError,
    StoreUnreachableError,
)

__all__ = ["ACCESS_DENIED", "code_of", "missing_bucket", "status_of", "translate"]

ACCESS_DENIED = frozenset(
    {
        "AccessDenied",
        "AllAccessDisabled",
        "InvalidAccessKeyId",
        "SignatureDoesNotMatch",
        "AccountProblem",
        "403",
    }
)
"""Error codes that mean these credentials may not do this: no retry changes that."""


def code_of(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


def status_of(exc: ClientError) -> int | None:
    status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    return int(status) if status is not None else None


def translate(
    exc: BaseException, *, uri: str, bucket: str, key: str | None, action: str
) -> StoreError:
    """The store error for `exc`, raised by `action` ("upload", "read"...) on `key`."""
    if isinstance(exc, ClientError):
        return _client_error(exc, uri=uri, bucket=bucket, key=key, action=action)
    if isinstance(exc, NoCredentialsError | PartialCredentialsError):
        return PermanentStoreError(
            f"{action} failed: no usable AWS credentials ({exc}); set AWS_ACCESS_KEY_ID and "
            "AWS_SECRET_ACCESS_KEY in the environment, a profile, or an instance role",
            uri=uri,
            key=key,
        )
    if isinstance(exc, BotoConnectionError | HTTPClientError):
        return StoreUnreachableError(f"{action} failed: cannot reach S3: {exc}", uri=uri, key=key)
    if isinstance(exc, BotoCoreError):
        return StoreError(f"{action} failed: {exc}", uri=uri, key=key)
    return StoreError(f"{action} failed: {type(exc).__name__}: {exc}", uri=uri, key=key)


def _client_error(
    exc: ClientError, *, uri: str, bucket: str, key: str | None, action: str
) -> StoreError:
    code = code_of(exc)
    status = status_of(exc)
    if code == "PreconditionFailed" or status == 412:
        return ObjectExistsError(
            "an object exists; objects are never overwritten", uri=uri, key=key
        )
    if code == "NoSuchBucket":
        return missing_bucket(bucket, uri, key)
    if code == "NoSuchUpload":  # aborted meanwhile: a writer that stored the key cleaned up
        return StoreError(f"{action} failed: the multipart upload was aborted", uri=uri, key=key)
    if code in ("NoSuchKey", "NotFound", "404") or status == 404:
        return ObjectMissingError("no such object", uri=uri, key=key)
    if code in ACCESS_DENIED:
        return PermanentStoreError(
            f"{action} failed: access denied ({code}) to bucket {bucket!r}: check the "
            "credentials and their policy",
            uri=uri,
            key=key,
        )
    message = exc.response.get("Error", {}).get("Message", "")
    return StoreError(f"{action} failed: {code} {message}".rstrip(), uri=uri, key=key)


def missing_bucket(bucket: str, uri: str, key: str | None = None) -> PermanentStoreError:
    return PermanentStoreError(
        f"the bucket {bucket!r} does not exist (create it first: the crawler never creates "
        "buckets)",
        uri=uri,
        key=key,
    )
