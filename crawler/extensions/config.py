"""The politeness extension's config: caps on the pauses that sites may ask for."""

from __future__ import annotations

from dataclasses import dataclass

from scrapy.settings import BaseSettings

from crawler.config import number


@dataclass(frozen=True, slots=True)
class PolitenessConfig:
    crawl_delay_max: float  # seconds: robots.txt Crawl-delay is capped here
    retry_after_max: float  # seconds: the longest pause a Retry-After imposes on a host

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> PolitenessConfig:
        return cls(
            crawl_delay_max=number(settings, "ROBOTSTXT_CRAWL_DELAY_MAX", 0),
            retry_after_max=number(settings, "RETRY_AFTER_MAX", 0),
        )
