"""Every setting checked before a crawl starts: each feature's config built once, here.

A bad value raises :class:`crawler.config.ConfigError` naming the setting, so ``scrapy crawl``
can print one line and exit 2 before any request is made.
"""

from __future__ import annotations

from pathlib import Path

from scrapy.settings import BaseSettings

from crawler.downloader.config import GuardConfig
from crawler.extensions.config import PolitenessConfig
from crawler.frontier.config import FrontierConfig
from crawler.spiders.config import SpiderLimits
from pipelines.archive.config import ArchiveConfig
from pipelines.archive.identity import check_crawl_id, hold_jobdir, stored_crawl_id
from pipelines.extract.config import ExtractConfig
from pipelines.observe.config import ObserveConfig
from pipelines.records.config import RecordsConfig
from pipelines.resume.config import ResumeConfig
from pipelines.storage.config import StoreConfig
from pipelines.warc.config import WarcConfig

CONFIGS = (
    GuardConfig,
    PolitenessConfig,
    SpiderLimits,
    StoreConfig,
    WarcConfig,
    ExtractConfig,
    RecordsConfig,
    ObserveConfig,
    FrontierConfig,
)


def validate(settings: BaseSettings) -> None:
    """Build every component's config once, so a bad value stops the crawl before it starts."""
    for config in CONFIGS:
        config.from_settings(settings)
    archive = ArchiveConfig.from_settings(settings)
    jobdir = ResumeConfig.from_settings(settings).jobdir
    if jobdir is not None:  # a resumed crawl keeps its id: an explicit CRAWL_ID must match it
        stored = stored_crawl_id(jobdir)
        if stored is not None:
            check_crawl_id(jobdir, stored, archive.crawl_id)


def claim_jobdir(settings: BaseSettings) -> None:
    """Hold the crawl's JOBDIR for this process before the crawl starts (the crawl takes it
    again, a no-op): a crawl on a JOBDIR that another live crawl holds is refused here, with
    :class:`pipelines.archive.identity.JobdirInUseError`, before it sends any request."""
    jobdir = str(settings.get("JOBDIR") or "").strip()
    if jobdir:
        hold_jobdir(Path(jobdir))
