"""The Redis keys of one seed set's shared crawl, and the crawl id its processes agree on."""

from __future__ import annotations

from dataclasses import dataclass

from scrapy.settings import BaseSettings
from scrapy_redis.connection import get_redis_from_settings

PREFIX = "newsarchive"


@dataclass(frozen=True)
class FrontierKeys:
    seedset: str

    def _key(self, name: str) -> str:
        return f"{PREFIX}:{self.seedset}:{name}"

    @property
    def crawl(self) -> str:
        return self._key("crawl")  # the crawl id of the crawl in progress

    @property
    def requests(self) -> str:
        return self._key("requests")  # scrapy-redis' priority queue (a sorted set)

    @property
    def dupefilter(self) -> str:
        return self._key("dupefilter")  # request fingerprints seen (a set)

    @property
    def writers(self) -> str:
        return self._key("writers")  # ids of the processes that took part (a set)

    def leases(self, writer: str) -> str:
        return self._key(f"leases:{writer}")  # lease id -> [score, encoded request] (a hash)

    def alive(self, writer: str) -> str:
        return self._key(f"alive:{writer}")  # set while the writer lives (expires)

    def all_of_crawl(self) -> list[str]:
        return [self.crawl, self.requests, self.dupefilter, self.writers]


def shared_crawl_id(settings: BaseSettings, proposed: str) -> str:
    """The crawl id of the seed set's shared crawl in progress (``REDIS_URL``): `proposed` if
    this process is the first; the last process to finish deletes it with the crawl's keys."""
    keys = FrontierKeys(str(settings.get("SEEDSET_NAME") or "news"))
    server = get_redis_from_settings(settings)
    server.set(keys.crawl, proposed, nx=True)
    found = server.get(keys.crawl)
    return found.decode() if isinstance(found, bytes) else str(found or proposed)
