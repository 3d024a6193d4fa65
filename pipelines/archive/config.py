"""The archive's config: where the crawl is stored, what it is called, where files wait."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from scrapy.settings import BaseSettings

from crawler.config import ConfigError

CRAWL_ID = re.compile(r"[a-z0-9][a-z0-9._-]{0,127}")


@dataclass(frozen=True, slots=True)
class ArchiveConfig:
    uri: str
    crawl_id: str | None  # CRAWL_ID; None: "{seedset}-{UTC timestamp}", made when the crawl starts
    seedset: str
    spool_dir: Path

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> ArchiveConfig:
        uri = str(settings.get("ARCHIVE_URI") or "").strip()
        if not uri:
            raise ConfigError("setting ARCHIVE_URI: must not be empty (default: archive/)")
        seedset = str(settings.get("SEEDSET_NAME") or "crawl")
        if not CRAWL_ID.fullmatch(seedset) or len(seedset) > 113:
            raise ConfigError(
                f"setting SEEDSET_NAME: {seedset!r} must be lowercase letters, digits, '.', '_' "
                "or '-', at most 113 characters"
            )
        crawl_id = str(settings.get("CRAWL_ID") or "") or None
        if crawl_id is not None and not CRAWL_ID.fullmatch(crawl_id):
            raise ConfigError(
                f"setting CRAWL_ID: {crawl_id!r} must be lowercase letters, digits, '.', '_' "
                "or '-', starting with a letter or digit"
            )
        spool = str(settings.get("STORE_SPOOL_DIR") or "").strip()
        if not spool:
            raise ConfigError("setting STORE_SPOOL_DIR: must not be empty (default: spool/)")
        return cls(uri, crawl_id, seedset, Path(spool))
