"""The crawl state's config: whether a crawl keeps one, where, and whether a run waits for
another run of its seed set to end."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from scrapy.settings import BaseSettings

from crawler.config import ConfigError, read


@dataclass(frozen=True, slots=True)
class StateConfig:
    enabled: bool  # STATE_ENABLED: keep the state, request conditionally, re-check on schedule
    directory: Path  # STATE_DIR: one {seed set}.sqlite file each
    wait: bool  # STATE_WAIT: wait for a run of the same seed set to end instead of refusing

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> StateConfig:
        directory = str(settings.get("STATE_DIR") or "").strip()
        enabled = read(settings, "STATE_ENABLED", settings.getbool)
        if enabled and not directory:
            raise ConfigError("setting STATE_DIR: must name a folder when STATE_ENABLED is on")
        return cls(
            enabled=enabled,
            directory=Path(directory or "."),
            wait=read(settings, "STATE_WAIT", settings.getbool),
        )
