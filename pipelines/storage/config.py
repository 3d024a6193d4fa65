"""The store's config: S3 options (endpoint, credentials, encryption, checksums, object lock)
and how uploads are retried. AWS_* are Scrapy's own keys, read here and nowhere else."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from scrapy.settings import BaseSettings

from crawler.config import ConfigError, choice, integer, number, optional, read
from pipelines.storage.base import StoreOptions

_MIB = 1024 * 1024
ADDRESSING_STYLES = ("auto", "path", "virtual")
SSE_MODES = ("", "AES256", "aws:kms")
CHECKSUM_MODES = ("when_supported", "when_required")
LOCK_MODES = ("", "GOVERNANCE", "COMPLIANCE")


@dataclass(frozen=True, slots=True)
class StoreConfig:
    options: StoreOptions
    upload_threads: int
    retry_initial_delay: float
    retry_max_delay: float
    drain_timeout: float
    recover_at_start: bool
    preflight: bool = True  # STORE_PREFLIGHT: probe the store before the first request

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> StoreConfig:
        return cls(
            options=store_options(settings),
            upload_threads=integer(settings, "STORE_UPLOAD_THREADS", 1),
            retry_initial_delay=number(settings, "STORE_RETRY_INITIAL_DELAY", 0.01),
            retry_max_delay=number(settings, "STORE_RETRY_MAX_DELAY", 0.01),
            drain_timeout=number(settings, "STORE_DRAIN_TIMEOUT", 0),
            recover_at_start=read(settings, "STORE_RECOVER_AT_START", settings.getbool),
            preflight=read(settings, "STORE_PREFLIGHT", lambda name: settings.getbool(name, True)),
        )


def store_options(settings: BaseSettings) -> StoreOptions:
    key_id = optional(settings, "AWS_ACCESS_KEY_ID")
    secret = optional(settings, "AWS_SECRET_ACCESS_KEY")
    if (key_id is None) != (secret is None):
        # The values are secrets: name the settings, never show them.
        raise ConfigError(
            "settings AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY: set both or neither "
            "(neither: boto3's chain finds credentials)"
        )
    sse = choice(settings, "STORE_S3_SSE", SSE_MODES) or None
    kms_key = optional(settings, "STORE_S3_SSE_KMS_KEY_ID")
    if kms_key and sse != "aws:kms":
        raise ConfigError("setting STORE_S3_SSE_KMS_KEY_ID: needs STORE_S3_SSE = 'aws:kms'")
    lock_mode = choice(settings, "STORE_OBJECT_LOCK_MODE", LOCK_MODES) or None
    lock_days = integer(settings, "STORE_OBJECT_LOCK_DAYS", 0)
    if bool(lock_mode) != bool(lock_days):
        raise ConfigError(
            "settings STORE_OBJECT_LOCK_MODE and STORE_OBJECT_LOCK_DAYS: set both (a mode and "
            f"at least 1 day) or neither, got {lock_mode!r} and {lock_days}"
        )
    return StoreOptions(
        endpoint_url=optional(settings, "AWS_ENDPOINT_URL"),
        region=optional(settings, "AWS_REGION_NAME"),
        access_key_id=key_id,
        secret_access_key=secret,
        session_token=optional(settings, "AWS_SESSION_TOKEN"),
        verify=_tls_verify(settings.get("AWS_VERIFY")),
        addressing_style=choice(settings, "STORE_S3_ADDRESSING_STYLE", ADDRESSING_STYLES),
        sse=sse,
        sse_kms_key_id=kms_key,
        checksum_calculation=choice(settings, "STORE_S3_CHECKSUM_CALCULATION", CHECKSUM_MODES),
        object_lock_mode=lock_mode,
        object_lock_days=lock_days,
        multipart_threshold=integer(settings, "STORE_S3_MULTIPART_THRESHOLD", 5 * _MIB),
        multipart_chunksize=integer(settings, "STORE_S3_MULTIPART_CHUNKSIZE", 5 * _MIB),
        max_concurrency=integer(settings, "STORE_S3_MAX_CONCURRENCY", 1),
    )


def _tls_verify(value: Any) -> bool | str | None:
    """AWS_VERIFY as Scrapy documents it: unset, a boolean, or the path of a CA bundle."""
    if value is None or value == "" or isinstance(value, bool):
        return value if isinstance(value, bool) else None
    text = str(value).strip()
    flags = {"true": True, "1": True, "false": False, "0": False}
    return flags.get(text.lower(), text)
