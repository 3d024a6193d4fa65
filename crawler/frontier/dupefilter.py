"""scrapy-redis' duplicate filter, fingerprinting requests with Scrapy's own fingerprinter.

scrapy-redis hashes method, canonical URL and body itself; Scrapy's ``REQUEST_FINGERPRINTER``
is what every other part of the crawl (HTTP cache, JOBDIR's dupefilter) uses, so the shared
filter uses it too.
"""

from __future__ import annotations

from typing import Any, Self

from scrapy import Request
from scrapy_redis.connection import get_redis_from_settings
from scrapy_redis.dupefilter import RFPDupeFilter


class FingerprintDupeFilter(RFPDupeFilter):  # type: ignore[misc]
    fingerprinter: Any = None

    @classmethod
    def from_spider(cls, spider: Any) -> Self:
        settings = spider.settings  # the key is the seed set's (``addon.SharedFrontier``)
        dupefilter = cls(
            get_redis_from_settings(settings), key=settings["SCHEDULER_DUPEFILTER_KEY"]
        )
        dupefilter.fingerprinter = spider.crawler.request_fingerprinter
        return dupefilter

    def request_fingerprint(self, request: Request) -> str:
        return str(self.fingerprinter.fingerprint(request).hex())

    def close(self, reason: str = "") -> None:
        """The fingerprints outlive one process: the scheduler clears them when the crawl ends."""
