"""The shared frontier's settings, checked before a crawl starts (``commands/check.py``).

A wrong ``REDIS_URL`` (no such host, a closed port, a bad scheme) stops ``scrapy crawl`` with one
line naming the setting, before any request: several processes that cannot share a frontier
must not each crawl everything on their own.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from redis.exceptions import RedisError
from scrapy.settings import BaseSettings
from scrapy_redis.connection import get_redis_from_settings

from crawler.config import ConfigError


@dataclass(frozen=True)
class FrontierConfig:
    redis_url: str | None
    lease_ttl: int

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> FrontierConfig:
        ttl = settings.getint("FRONTIER_LEASE_TTL", 30)
        if ttl < 1:
            raise ConfigError(f"setting FRONTIER_LEASE_TTL: {ttl} must be at least 1 (seconds)")
        url = str(settings.get("REDIS_URL") or "").strip() or None
        if url is not None:
            try:
                get_redis_from_settings(settings).ping()
            except (RedisError, ValueError) as exc:
                raise ConfigError(
                    f"setting REDIS_URL: Redis at {shown(url)} does not answer: {exc}"
                ) from exc
        return cls(url, ttl)


def shown(url: str) -> str:
    """`url` without a password in it: it may be in the URL, and must not reach a log."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.netloc.rpartition("@")[2]
    return parts._replace(netloc=f"{parts.username or ''}:***@{host}").geturl()
