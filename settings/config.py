"""Frozen configuration built from Scrapy settings: the only module that reads project keys.

Settings flow one way: Scrapy settings -> ``*Config.from_settings`` (validated, frozen) ->
the component's plain ``__init__``. A bad value raises :class:`ConfigError` naming the
setting, its value and what was expected, before the crawl starts.
"""

from __future__ import annotations

import json
import math
import os
import re
import socket
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from ipaddress import IPv4Network, IPv6Network, ip_network
from pathlib import Path
from typing import Any, TypeVar

from scrapy.settings import BaseSettings
from scrapy.utils.misc import load_object

from pipelines.storage.base import StoreOptions

T = TypeVar("T")

_CRAWL_ID = re.compile(r"[a-z0-9][a-z0-9._-]{0,127}")
_WARC_PREFIX = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.]*")
_HEADER_NAME = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")


class ConfigError(ValueError):
    """A setting has a value the crawl cannot run with."""


def _read(settings: BaseSettings, name: str, getter: Callable[[str], T]) -> T:
    try:
        return getter(name)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"setting {name}: {settings.get(name)!r} is not valid ({exc})") from exc


def _int(settings: BaseSettings, name: str, minimum: int) -> int:
    raw = settings.get(name)
    if raw is None or (isinstance(raw, float) and not raw.is_integer()):
        raise ConfigError(f"setting {name}: must be an integer >= {minimum}, got {raw!r}")
    value = _read(settings, name, settings.getint)
    if value < minimum:
        raise ConfigError(f"setting {name}: must be an integer >= {minimum}, got {value}")
    return value


def _float(settings: BaseSettings, name: str, minimum: float) -> float:
    if settings.get(name) is None:
        raise ConfigError(f"setting {name}: must be a number >= {minimum}, got None")
    value = _read(settings, name, settings.getfloat)
    if not math.isfinite(value) or value < minimum:
        raise ConfigError(f"setting {name}: must be a number >= {minimum}, got {value}")
    return value


def utc_stamp(moment: datetime | None = None) -> str:
    """14-digit UTC timestamp, the form WARC file names and crawl ids use."""
    return (moment or datetime.now(UTC)).strftime("%Y%m%d%H%M%S")


def new_crawl_id(seedset: str, moment: datetime | None = None) -> str:
    return f"{seedset}-{utc_stamp(moment)}"


@dataclass(frozen=True, slots=True)
class ArchiveConfig:
    uri: str
    crawl_id: str
    seedset: str
    spool_dir: Path
    writer_id: str  # "{host}-{pid}": tells apart the processes writing one crawl

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> ArchiveConfig:
        uri = str(settings.get("ARCHIVE_URI") or "").strip()
        if not uri:
            raise ConfigError("setting ARCHIVE_URI: must not be empty (default: archive/)")
        seedset = str(settings.get("SEEDSET_NAME") or "crawl")
        if not _CRAWL_ID.fullmatch(seedset) or len(seedset) > 113:
            raise ConfigError(
                f"setting SEEDSET_NAME: {seedset!r} must be lowercase letters, digits, '.', '_' "
                "or '-', at most 113 characters"
            )
        explicit = str(settings.get("CRAWL_ID") or "")
        crawl_id = explicit or new_crawl_id(seedset)
        if not _CRAWL_ID.fullmatch(crawl_id):
            raise ConfigError(
                f"setting CRAWL_ID: {crawl_id!r} must be lowercase letters, digits, '.', '_' "
                "or '-', starting with a letter or digit"
            )
        resume = ResumeConfig.from_settings(settings)
        if resume.jobdir is not None:  # a resumable crawl keeps its id in JOBDIR
            crawl_id = resume.crawl_id(
                crawl_id, explicit=bool(explicit), persist=bool(settings.get("SEEDSET_NAME"))
            )
        spool = str(settings.get("STORE_SPOOL_DIR") or "").strip()
        if not spool:
            raise ConfigError("setting STORE_SPOOL_DIR: must not be empty (default: spool/)")
        host = re.sub(r"[^A-Za-z0-9.-]", "-", socket.gethostname()) or "host"
        return cls(uri, crawl_id, seedset, Path(spool), f"{host}-{os.getpid()}")


RESUME_FILE = "newsarchive.json"  # in JOBDIR: the crawl id a resumed crawl continues


@dataclass(frozen=True, slots=True)
class ResumeConfig:
    """Crash-resume (pipelines/resume.py): on when Scrapy's JOBDIR is set and RESUME_ENABLED."""

    jobdir: Path | None  # None: resume is off

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> ResumeConfig:
        jobdir = str(settings.get("JOBDIR") or "").strip()
        enabled = _read(settings, "RESUME_ENABLED", settings.getbool)
        return cls(Path(jobdir) if jobdir and enabled else None)

    def crawl_id(self, proposed: str, *, explicit: bool, persist: bool) -> str:
        """The crawl id kept in JOBDIR, else ``proposed``, kept there when ``persist`` (the seed
        set is known: a crawl, not a settings check). An explicit CRAWL_ID must match it."""
        assert self.jobdir is not None
        path = self.jobdir / RESUME_FILE
        stored = self._stored_id(path)
        if stored is None and persist:
            self.jobdir.mkdir(parents=True, exist_ok=True)
            temp = path.with_name(f".{RESUME_FILE}.{os.getpid()}.tmp")
            with open(temp, "w", encoding="utf-8") as out:
                out.write(json.dumps({"crawl_id": proposed}) + "\n")
                out.flush()
                os.fsync(out.fileno())
            try:
                os.link(temp, path)  # atomic, and never over another process's id
            except FileExistsError:
                pass
            finally:
                os.unlink(temp)
            stored = self._stored_id(path)
        if stored is None:
            return proposed
        if explicit and stored != proposed:
            raise ConfigError(
                f"setting CRAWL_ID: {proposed!r}, but JOBDIR {str(self.jobdir)!r} belongs to crawl "
                f"{stored!r}: resume that crawl, or give another JOBDIR"
            )
        return stored

    @staticmethod
    def _stored_id(path: Path) -> str | None:
        try:
            crawl_id = json.loads(path.read_text("utf-8"))["crawl_id"]
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise ConfigError(f"setting JOBDIR: {str(path)!r} cannot be read ({exc})") from exc
        if not isinstance(crawl_id, str) or not _CRAWL_ID.fullmatch(crawl_id):
            raise ConfigError(f"setting JOBDIR: {str(path)!r} holds no valid crawl id")
        return crawl_id


ALWAYS_REDACTED = ("authorization", "proxy-authorization", "cookie")


@dataclass(frozen=True, slots=True)
class WarcConfig:
    prefix: str
    max_size: int
    max_age: float
    redact_headers: frozenset[str]  # lowercase request header names

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> WarcConfig:
        prefix = str(settings.get("WARC_PREFIX") or "")
        if not _WARC_PREFIX.fullmatch(prefix):
            raise ConfigError(
                f"setting WARC_PREFIX: {prefix!r} must be letters, digits, '_' or '.' (no '-', "
                "which separates the parts of a WARC file name)"
            )
        listed = _read(settings, "WARC_REDACT_HEADERS", settings.getlist)
        extra = [str(name).strip() for name in listed if str(name).strip()]
        for name in extra:
            if not _HEADER_NAME.fullmatch(name):
                raise ConfigError(f"setting WARC_REDACT_HEADERS: {name!r} is not a header name")
        return cls(
            prefix=prefix,
            max_size=_int(settings, "WARC_MAX_SIZE", 1024),
            max_age=_float(settings, "WARC_MAX_AGE", 0),
            redact_headers=frozenset([*ALWAYS_REDACTED, *(str(n).lower() for n in extra)]),
        )


@dataclass(frozen=True, slots=True)
class ExtractConfig:
    workers: int
    inline: bool
    timeout: float = 30.0  # seconds per page before its worker is replaced (EXTRACT_TIMEOUT)
    max_in_flight: int = 0  # pages in the pool at once; 0: two per worker

    @property
    def in_flight(self) -> int:
        return self.max_in_flight or 2 * self.workers

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> ExtractConfig:
        workers = _int(settings, "EXTRACT_WORKERS", 0) or (os.cpu_count() or 1)
        timeout = _float(settings, "EXTRACT_TIMEOUT", 0)
        if timeout == 0:
            raise ConfigError("setting EXTRACT_TIMEOUT: must be a number > 0, got 0")
        return cls(
            workers=workers,
            inline=_read(settings, "EXTRACT_INLINE", settings.getbool),
            timeout=timeout,
            max_in_flight=_int(settings, "EXTRACT_MAX_IN_FLIGHT", 0),
        )


@dataclass(frozen=True, slots=True)
class RecordsConfig:
    batch_size: int
    max_age: float

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> RecordsConfig:
        return cls(
            batch_size=_int(settings, "RECORDS_BATCH_SIZE", 1),
            max_age=_float(settings, "RECORDS_MAX_AGE", 0),
        )


_MIB = 1024 * 1024
_CHOICES = {
    "STORE_S3_ADDRESSING_STYLE": ("auto", "path", "virtual"),
    "STORE_S3_SSE": ("", "AES256", "aws:kms"),
    "STORE_S3_CHECKSUM_CALCULATION": ("when_supported", "when_required"),
    "STORE_OBJECT_LOCK_MODE": ("", "GOVERNANCE", "COMPLIANCE"),
}


def _choice(settings: BaseSettings, name: str) -> str:
    value = str(settings.get(name) or "").strip()
    if value not in _CHOICES[name]:
        raise ConfigError(f"setting {name}: {value!r} must be one of {_CHOICES[name]}")
    return value


def _optional(settings: BaseSettings, name: str) -> str | None:
    value = settings.get(name)
    return str(value).strip() or None if value is not None else None


@dataclass(frozen=True, slots=True)
class StoreConfig:
    """The store's options (S3: endpoint, credentials, encryption, checksums, object lock) and
    how uploads are retried. AWS_* are Scrapy's own keys, read here and nowhere else."""

    options: StoreOptions
    upload_threads: int
    retry_initial_delay: float
    retry_max_delay: float
    drain_timeout: float
    recover_at_start: bool

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> StoreConfig:
        return cls(
            options=_store_options(settings),
            upload_threads=_int(settings, "STORE_UPLOAD_THREADS", 1),
            retry_initial_delay=_float(settings, "STORE_RETRY_INITIAL_DELAY", 0.01),
            retry_max_delay=_float(settings, "STORE_RETRY_MAX_DELAY", 0.01),
            drain_timeout=_float(settings, "STORE_DRAIN_TIMEOUT", 0),
            recover_at_start=_read(settings, "STORE_RECOVER_AT_START", settings.getbool),
        )


def _store_options(settings: BaseSettings) -> StoreOptions:
    key_id = _optional(settings, "AWS_ACCESS_KEY_ID")
    secret = _optional(settings, "AWS_SECRET_ACCESS_KEY")
    if (key_id is None) != (secret is None):
        # The values are secrets: name the settings, never show them.
        raise ConfigError(
            "settings AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY: set both or neither "
            "(neither: boto3's chain finds credentials)"
        )
    sse = _choice(settings, "STORE_S3_SSE") or None
    kms_key = _optional(settings, "STORE_S3_SSE_KMS_KEY_ID")
    if kms_key and sse != "aws:kms":
        raise ConfigError("setting STORE_S3_SSE_KMS_KEY_ID: needs STORE_S3_SSE = 'aws:kms'")
    lock_mode = _choice(settings, "STORE_OBJECT_LOCK_MODE") or None
    lock_days = _int(settings, "STORE_OBJECT_LOCK_DAYS", 0)
    if bool(lock_mode) != bool(lock_days):
        raise ConfigError(
            "settings STORE_OBJECT_LOCK_MODE and STORE_OBJECT_LOCK_DAYS: set both (a mode and "
            f"at least 1 day) or neither, got {lock_mode!r} and {lock_days}"
        )
    return StoreOptions(
        endpoint_url=_optional(settings, "AWS_ENDPOINT_URL"),
        region=_optional(settings, "AWS_REGION_NAME"),
        access_key_id=key_id,
        secret_access_key=secret,
        session_token=_optional(settings, "AWS_SESSION_TOKEN"),
        verify=_tls_verify(settings.get("AWS_VERIFY")),
        addressing_style=_choice(settings, "STORE_S3_ADDRESSING_STYLE"),
        sse=sse,
        sse_kms_key_id=kms_key,
        checksum_calculation=_choice(settings, "STORE_S3_CHECKSUM_CALCULATION"),
        object_lock_mode=lock_mode,
        object_lock_days=lock_days,
        multipart_threshold=_int(settings, "STORE_S3_MULTIPART_THRESHOLD", 5 * _MIB),
        multipart_chunksize=_int(settings, "STORE_S3_MULTIPART_CHUNKSIZE", 5 * _MIB),
        max_concurrency=_int(settings, "STORE_S3_MAX_CONCURRENCY", 1),
    )


def _tls_verify(value: Any) -> bool | str | None:
    """AWS_VERIFY as Scrapy documents it: unset, a boolean, or the path of a CA bundle."""
    if value is None or value == "" or isinstance(value, bool):
        return value if isinstance(value, bool) else None
    text = str(value).strip()
    flags = {"true": True, "1": True, "false": False, "0": False}
    return flags.get(text.lower(), text)


@dataclass(frozen=True, slots=True)
class SafetyConfig:
    """The SSRF guard's open networks, the politeness caps, and the bounds on hostile input."""

    allowed_networks: tuple[IPv4Network | IPv6Network, ...]  # ALLOW_PRIVATE_NETWORKS
    crawl_delay_max: float  # seconds: robots.txt Crawl-delay is capped here
    retry_after_max: float  # seconds: the longest pause a Retry-After imposes on a host
    max_links_per_page: int  # links (and feed items) taken from one page
    max_sitemap_urls: int  # URLs taken from one sitemap
    max_sitemap_depth: int  # nested sitemap indexes followed
    max_page_bytes: int  # larger pages are archived, not parsed
    max_html_elements: int  # larger article trees are archived, not extracted

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> SafetyConfig:
        _check_guarded_handlers(settings)
        networks = []
        for item in _read(settings, "ALLOW_PRIVATE_NETWORKS", settings.getlist):
            text = str(item).strip()
            if not text:
                continue
            try:
                networks.append(ip_network(text, strict=True))
            except ValueError as exc:
                raise ConfigError(
                    f"setting ALLOW_PRIVATE_NETWORKS: {text!r} is not a network in CIDR form "
                    f"such as '10.1.0.0/16' or '127.0.0.1' ({exc})"
                ) from exc
        return cls(
            allowed_networks=tuple(networks),
            crawl_delay_max=_float(settings, "ROBOTSTXT_CRAWL_DELAY_MAX", 0),
            retry_after_max=_float(settings, "RETRY_AFTER_MAX", 0),
            max_links_per_page=_int(settings, "NEWS_MAX_LINKS_PER_PAGE", 1),
            max_sitemap_urls=_int(settings, "NEWS_MAX_SITEMAP_URLS", 1),
            max_sitemap_depth=_int(settings, "NEWS_MAX_SITEMAP_DEPTH", 0),
            max_page_bytes=_int(settings, "NEWS_MAX_PAGE_BYTES", 1024),
            max_html_elements=_int(settings, "NEWS_MAX_HTML_ELEMENTS", 100),
        )


def _check_guarded_handlers(settings: BaseSettings) -> None:
    """The SSRF guard lives in the download handler: http and https must use one that has it."""
    handlers = settings.getwithbase("DOWNLOAD_HANDLERS")
    for scheme in ("http", "https"):
        path = handlers.get(scheme)
        if path is None:
            continue  # the scheme is switched off: nothing is fetched over it
        handler = load_object(path) if isinstance(path, str) else path
        if not getattr(handler, "ssrf_guard", False):
            raise ConfigError(
                f"setting DOWNLOAD_HANDLERS: {scheme!r} uses {path!r}, which has no SSRF guard; "
                "use crawler.downloader.handler.ArchivalDownloadHandler or a subclass of it"
            )


def validate(settings: BaseSettings) -> None:
    """Build every component's config once, so a bad value stops the crawl before it starts."""
    for config in (
        ArchiveConfig,
        StoreConfig,
        WarcConfig,
        ExtractConfig,
        RecordsConfig,
        SafetyConfig,
        ResumeConfig,
    ):
        config.from_settings(settings)
