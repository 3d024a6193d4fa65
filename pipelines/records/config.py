"""The records pipeline's config: when a part of clean records closes."""

from __future__ import annotations

from dataclasses import dataclass

from scrapy.settings import BaseSettings

from crawler.config import integer, number


@dataclass(frozen=True, slots=True)
class RecordsConfig:
    batch_size: int
    max_age: float

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> RecordsConfig:
        return cls(
            batch_size=integer(settings, "RECORDS_BATCH_SIZE", 1),
            max_age=number(settings, "RECORDS_MAX_AGE", 0),
        )
