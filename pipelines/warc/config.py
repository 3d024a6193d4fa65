"""The WARC writer's config: file names, rotation, and which request headers are redacted."""

from __future__ import annotations

import re
from dataclasses import dataclass

from scrapy.settings import BaseSettings

from crawler.config import ConfigError, integer, number, read

ALWAYS_REDACTED = ("authorization", "proxy-authorization", "cookie")
_WARC_PREFIX = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.]*")
_HEADER_NAME = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")


@dataclass(frozen=True, slots=True)
class WarcConfig:
    prefix: str
    max_size: int
    max_age: float
    redact_headers: frozenset[str]  # lowercase request header names
    user_agent: str = ""  # for the warcinfo record
    robots: str = "obey"  # "obey" or "ignore", for the warcinfo record

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> WarcConfig:
        prefix = str(settings.get("WARC_PREFIX") or "")
        if not _WARC_PREFIX.fullmatch(prefix):
            raise ConfigError(
                f"setting WARC_PREFIX: {prefix!r} must be letters, digits, '_' or '.' (no '-', "
                "which separates the parts of a WARC file name)"
            )
        listed = read(settings, "WARC_REDACT_HEADERS", settings.getlist)
        extra = [str(name).strip() for name in listed if str(name).strip()]
        for name in extra:
            if not _HEADER_NAME.fullmatch(name):
                raise ConfigError(f"setting WARC_REDACT_HEADERS: {name!r} is not a header name")
        return cls(
            prefix=prefix,
            max_size=integer(settings, "WARC_MAX_SIZE", 1024),
            max_age=number(settings, "WARC_MAX_AGE", 0),
            redact_headers=frozenset([*ALWAYS_REDACTED, *(str(n).lower() for n in extra)]),
            user_agent=str(settings.get("USER_AGENT") or ""),
            robots="obey" if read(settings, "ROBOTSTXT_OBEY", settings.getbool) else "ignore",
        )
