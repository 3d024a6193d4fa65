"""The crawl state's config: whether a crawl keeps one, where (a SQLite file per seed set, or
Redis for a shared crawl), and whether a run waits for another run of its seed set to end."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from scrapy.settings import BaseSettings

from crawler.config import ConfigError, read

BACKENDS = ("sqlite", "redis")


@dataclass(frozen=True, slots=True)
class StateConfig:
    enabled: bool  # STATE_ENABLED: keep the state, request conditionally, re-check on schedule
    directory: Path  # STATE_DIR: one {seed set}.sqlite file each
    wait: bool  # STATE_WAIT: wait for a run of the same seed set to end instead of refusing
    # STATE_BACKEND: "sqlite" or "redis"; unset, "redis" when REDIS_URL is (a shared crawl)
    backend: str = "sqlite"
    redis_url: str | None = None  # REDIS_URL, the shared crawl's Redis
    redis_wait: float = 20.0  # STATE_REDIS_WAIT: seconds an operation waits for Redis to answer

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> StateConfig:
        directory = str(settings.get("STATE_DIR") or "").strip()
        enabled = read(settings, "STATE_ENABLED", settings.getbool)
        redis_url = str(settings.get("REDIS_URL") or "").strip() or None
        backend = str(settings.get("STATE_BACKEND") or "").strip().lower()
        backend = backend or ("redis" if redis_url else "sqlite")
        if backend not in BACKENDS:
            raise ConfigError(f"setting STATE_BACKEND: {backend!r} is not one of {BACKENDS}")
        if enabled and backend == "redis" and not redis_url:
            raise ConfigError("setting STATE_BACKEND: 'redis' needs REDIS_URL")
        if enabled and backend == "sqlite" and not directory:
            raise ConfigError("setting STATE_DIR: must name a folder when STATE_ENABLED is on")
        redis_wait = read(settings, "STATE_REDIS_WAIT", lambda n: settings.getfloat(n, 20.0))
        if redis_wait < 0:
            raise ConfigError(f"setting STATE_REDIS_WAIT: {redis_wait} must be 0 or more")
        return cls(
            enabled=enabled,
            directory=Path(directory or "."),
            wait=read(settings, "STATE_WAIT", settings.getbool),
            backend=backend,
            redis_url=redis_url,
            redis_wait=redis_wait,
        )
