"""Frozen configuration built from Scrapy settings: the only module that reads project keys.

Settings flow one way: Scrapy settings -> ``*Config.from_settings`` (validated, frozen) ->
the component's plain ``__init__``. A bad value raises :class:`ConfigError` naming the
setting, its value and what was expected, before the crawl starts.
"""

from __future__ import annotations

import math
import os
import re
import socket
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from scrapy.settings import BaseSettings

T = TypeVar("T")

_CRAWL_ID = re.compile(r"[a-z0-9][a-z0-9._-]{0,127}")
_WARC_PREFIX = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.]*")
_HEADER_NAME = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
# Names that say they hold a secret. HTTPPROXY_AUTH_ENCODING is not one: AUTH must end the name.
_SECRET_NAME = re.compile(
    r"SECRET|PASSWORD|PASSWD|(^|_)PASS($|_)|TOKEN|CREDENTIAL|PRIVATE|AUTHORIZATION|COOKIE|SESSION"
    r"|(^|_)(API_?)?KEY(S)?($|_)|(^|_)AUTH$",
    re.IGNORECASE,
)
_URL_USERINFO = re.compile(r"(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*://)[^/@\s]+@")
REDACTED = "<redacted>"


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


def redacted_settings(settings: BaseSettings) -> dict[str, Any]:
    """The settings a crawl ran with, as JSON values, secrets replaced by ``<redacted>``.

    A value is a secret when its name says so (at any depth of nested dicts), and the user
    and password part of any URL in a string is removed. Classes and other objects become
    their qualified names, so the result always serialises.
    """
    return {name: _redacted(name, value) for name, value in sorted(settings.copy_to_dict().items())}


def is_secret_name(name: str) -> bool:
    return bool(_SECRET_NAME.search(name))


def _redacted(name: str, value: Any, depth: int = 0) -> Any:
    if isinstance(value, bool | int | float) or value is None:
        return value  # flags and numbers are never secrets (COOKIES_ENABLED, SESSION_TIMEOUT)
    if is_secret_name(name) and value not in ("", [], {}):
        return REDACTED
    if isinstance(value, str):
        return _URL_USERINFO.sub(rf"\g<scheme>{REDACTED}@", value)
    if depth > 8:
        return REDACTED
    if isinstance(value, dict):
        return {
            _redacted("", str(key), depth + 1): _redacted(str(key), item, depth + 1)
            for key, item in value.items()
        }
    if isinstance(value, list | tuple | set | frozenset):
        items = [_redacted("", item, depth + 1) for item in value]
        return items if isinstance(value, list | tuple) else sorted(items, key=repr)
    qualified = getattr(value, "__qualname__", None)
    module = getattr(value, "__module__", None)
    return f"{module}.{qualified}" if qualified and module else type(value).__name__


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
        crawl_id = str(settings.get("CRAWL_ID") or "") or new_crawl_id(seedset)
        if not _CRAWL_ID.fullmatch(crawl_id):
            raise ConfigError(
                f"setting CRAWL_ID: {crawl_id!r} must be lowercase letters, digits, '.', '_' "
                "or '-', starting with a letter or digit"
            )
        spool = str(settings.get("STORE_SPOOL_DIR") or "").strip()
        if not spool:
            raise ConfigError("setting STORE_SPOOL_DIR: must not be empty (default: spool/)")
        host = re.sub(r"[^A-Za-z0-9.-]", "-", socket.gethostname()) or "host"
        return cls(uri, crawl_id, seedset, Path(spool), f"{host}-{os.getpid()}")


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

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> ExtractConfig:
        workers = _int(settings, "EXTRACT_WORKERS", 0) or (os.cpu_count() or 1)
        return cls(workers=workers, inline=_read(settings, "EXTRACT_INLINE", settings.getbool))


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


def validate(settings: BaseSettings) -> None:
    """Build every component's config once, so a bad value stops the crawl before it starts."""
    for config in (ArchiveConfig, WarcConfig, ExtractConfig, RecordsConfig):
        config.from_settings(settings)
