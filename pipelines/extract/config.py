"""The extraction pipeline's config: the worker pool and its per-page timeout."""

from __future__ import annotations

import os
from dataclasses import dataclass

from scrapy.settings import BaseSettings

from crawler.config import ConfigError, integer, number, read


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
        workers = integer(settings, "EXTRACT_WORKERS", 0) or (os.cpu_count() or 1)
        timeout = number(settings, "EXTRACT_TIMEOUT", 0)
        if timeout == 0:
            raise ConfigError("setting EXTRACT_TIMEOUT: must be a number > 0, got 0")
        return cls(
            workers=workers,
            inline=read(settings, "EXTRACT_INLINE", settings.getbool),
            timeout=timeout,
            max_in_flight=integer(settings, "EXTRACT_MAX_IN_FLIGHT", 0),
        )
