"""Politeness Scrapy leaves out: robots.txt ``Crawl-delay`` and ``Retry-After``, per host.

Scrapy parses ``Crawl-delay`` but never applies it (scrapy#892), and retries a 429 or 503 at once
whatever its ``Retry-After`` says. Both are applied here to Scrapy's own per-host machinery, the
downloader slot (one per host name; its ``concurrency`` is ``CONCURRENT_REQUESTS_PER_DOMAIN``):

- **Crawl-delay.** When a host's robots.txt arrives, the delay it gives our user agent (capped
  at ``ROBOTSTXT_CRAWL_DELAY_MAX``) becomes the floor of that host's slot delay, without the
  random jitter that could halve it. AutoThrottle lowers delays after each response, so the floor
  is put back after AutoThrottle has run and whenever a request reaches the slot.
- **Retry-After.** A 429 or 503 with ``Retry-After`` (seconds or an HTTP date, capped at
  ``RETRY_AFTER_MAX``) pauses the host's slot for that long: the retry that Scrapy's
  RetryMiddleware schedules, and every other request to the host, wait until it is over.

Both are counted: ``politeness/crawl_delay`` (hosts), ``politeness/crawl_delay_capped``,
``politeness/retry_after`` (pauses), ``politeness/retry_after_capped``.
"""

from __future__ import annotations

import logging
import math
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from time import monotonic
from typing import TYPE_CHECKING, Any, Self

from scrapy import Request, signals
from scrapy.utils.httpobj import urlparse_cached
from scrapy.utils.misc import load_object

from crawler.extensions.config import PolitenessConfig

if TYPE_CHECKING:
    from scrapy.core.downloader import Slot
    from scrapy.crawler import Crawler
    from scrapy.http import Response

logger = logging.getLogger(__name__)

ROBOTS_MAX_BYTES = 500 * 1024  # what Google reads of a robots.txt; the rest is ignored
SLOT_META = "download_slot"  # Scrapy's downloader: the slot (host) a request went through


def parse_retry_after(value: str, now: datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` value (delay-seconds or HTTP-date), or None."""
    text = value.strip()
    if text.isdigit():
        return float(text)
    try:
        moment = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return max(0.0, (moment - (now or datetime.now(UTC))).total_seconds())


class Politeness:
    def __init__(self, crawler: Crawler, config: PolitenessConfig) -> None:
        self.crawler = crawler
        self.config = config
        self.stats = crawler.stats
        self.robots_parser: Any = load_object(crawler.settings["ROBOTSTXT_PARSER"])
        self.robots_agent = crawler.settings.get("ROBOTSTXT_USER_AGENT")
        self.floors: dict[str, float] = {}  # slot key (host) -> minimum delay, seconds

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        ext = cls(crawler, PolitenessConfig.from_settings(crawler.settings))
        # Connected after AutoThrottle (an extension built earlier), so its handler runs later.
        crawler.signals.connect(ext.response_downloaded, signal=signals.response_downloaded)
        crawler.signals.connect(ext.request_reached, signal=signals.request_reached_downloader)
        return ext

    def _slot(self, request: Request) -> tuple[str, Slot] | None:
        key = request.meta.get(SLOT_META)
        engine = self.crawler.engine
        if engine is None or not isinstance(key, str):
            return None
        slot = engine.downloader.slots.get(key)
        return (key, slot) if slot is not None else None

    def request_reached(self, request: Request) -> None:
        found = self._slot(request)
        if found is not None and found[0] in self.floors:
            self._apply_floor(*found)

    def response_downloaded(self, response: Response, request: Request) -> None:
        found = self._slot(request)
        if found is None:
            return
        key, slot = found
        if urlparse_cached(request).path == "/robots.txt" and response.status == 200:
            self._crawl_delay(key, request, response)
        if response.status in (429, 503) and b"Retry-After" in response.headers:
            self._retry_after(key, slot, request, response)
        if key in self.floors:
            self._apply_floor(key, slot)

    def _apply_floor(self, key: str, slot: Slot) -> None:
        slot.jitter = 0.0
        slot.delay = max(slot.delay, self.floors[key])

    def _crawl_delay(self, key: str, request: Request, response: Response) -> None:
        agent = self.robots_agent or request.headers.get(b"User-Agent") or b""
        try:
            parser = self.robots_parser.from_crawler(self.crawler, response.body[:ROBOTS_MAX_BYTES])
            delay = parser.crawl_delay(agent)
        except Exception:  # a robots.txt no parser makes sense of has no delay either
            logger.warning("could not read Crawl-delay from %s", request.url, exc_info=True)
            return
        if delay is None or not math.isfinite(delay) or delay <= 0:
            return
        capped = min(float(delay), self.config.crawl_delay_max)
        self.floors[key] = capped
        self.stats.inc_value("politeness/crawl_delay")
        if capped < delay:
            self.stats.inc_value("politeness/crawl_delay_capped")
            logger.warning(
                "%s asks for a Crawl-delay of %s s; capped at ROBOTSTXT_CRAWL_DELAY_MAX (%s s)",
                key,
                delay,
                capped,
            )
        else:
            logger.info("%s: Crawl-delay %s s applied", key, capped)

    def _retry_after(self, key: str, slot: Slot, request: Request, response: Response) -> None:
        value = (response.headers.get(b"Retry-After") or b"").decode("latin-1")
        wait = parse_retry_after(value)
        if wait is None:
            logger.info("%s: unreadable Retry-After %r, ignored", request.url, value)
            return
        paused = min(wait, self.config.retry_after_max)
        self.stats.inc_value("politeness/retry_after")
        if paused < wait:
            self.stats.inc_value("politeness/retry_after_capped")
        logger.info(
            "%s answered %d with Retry-After %r: pausing %s for %.1f s",
            request.url,
            response.status,
            value,
            key,
            paused,
        )
        # The downloader waits `delay` after `lastseen` before the slot's next request, and only
        # if the delay is not zero: a slot seen "in the future" is a slot paused until then.
        slot.delay = max(slot.delay, 0.001)
        slot.lastseen = max(slot.lastseen, monotonic() + paused)
