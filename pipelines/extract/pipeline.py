"""Extraction off the reactor: article items in, clean records out.

Extraction is CPU-bound, so it runs in a pool of worker processes (``EXTRACT_WORKERS``, default
one per core) and the reactor only awaits the result. The pool is pebble's ``ProcessPool``: the
standard library's ``ProcessPoolExecutor`` cannot stop one task, while pebble kills a worker whose
page runs past ``EXTRACT_TIMEOUT`` and starts a fresh one in its place. Workers come from a
forkserver that has imported the extractor once, so they start fast and never inherit the
reactor's threads. Starting the pool (seconds on a loaded machine) and joining it at the end run
in threads too: nothing here blocks the reactor.

At most ``EXTRACT_MAX_IN_FLIGHT`` pages (default ``2 x workers``) are in the pool at a time;
items waiting for a slot keep their response in Scrapy's scraper slot, whose size limit
(``SCRAPER_SLOT_MAX_ACTIVE_SIZE``) then holds back new downloads, so memory stays bounded.

The worker also walks the article's links for the item (``outlinks``, ``related_urls``:
``crawler.itemlinks``), which the spider leaves empty so that the reactor does not; when the
worker fails, they are walked here, so the metadata record has them whatever the outcome.

Every page ends with one outcome, counted in the crawl's stats and logged with the URL and WARC
record: ``extract/ok`` (a record goes on), ``extract/empty`` (no article text), ``extract/failed``
(an exception, a crashed worker, or a timeout, which is also counted as ``extract/timeout``). The
page stays archived whatever the outcome; the WARC writer gets the outcome for its metadata
record (the ``article_extracted`` signal) before the record goes on or the item is dropped.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Self, TypeVar

from scrapy.exceptions import DropItem

from crawler.itemlinks import ItemLinks
from crawler.items import ArticleItem
from crawler.spiders.config import SpiderLimits
from pipelines.archive.context import archive_context
from pipelines.extract.config import ExtractConfig
from pipelines.extract.core import CONFIG_SHA256, EXTRACTOR_NAME, Extraction, extractor_version
from pipelines.extract.pool import ExtractionPool, PageResult, Scope, extract_page, page_links_of
from pipelines.records import clean_record
from pipelines.signals import article_extracted

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.signalmanager import SignalManager
    from scrapy.statscollectors import StatsCollector

logger = logging.getLogger(__name__)
T = TypeVar("T")


def in_thread(function: Callable[..., T], *args: Any) -> Future[T]:
    """Run `function` in a new thread; its result arrives in the returned future."""
    future: Future[T] = Future()

    def run() -> None:
        try:
            future.set_result(function(*args))
        except BaseException as exc:  # handed to whoever awaits the future
            future.set_exception(exc)

    threading.Thread(target=run, name="newsarchive-extract-pool-start", daemon=True).start()
    return future


@dataclass(frozen=True, slots=True)
class Outcome:
    """How the extraction of one page ended."""

    status: str  # "ok", "empty", "failed" or "timeout"
    extraction: Extraction | None = None
    error: BaseException | None = None

    @property
    def archived_as(self) -> str:
        """The outcome the WARC metadata record states: a timeout is a failure there."""
        return "failed" if self.status == "timeout" else self.status


class ExtractPipeline:
    def __init__(
        self,
        config: ExtractConfig,
        crawl_id: str,
        stats: StatsCollector,
        signals: SignalManager,
        scope: Scope = (1000, None),
    ) -> None:
        self.config = config
        # The item's links: NEWS_MAX_LINKS_PER_PAGE, and the spider's allowed_domains (None: any)
        self.scope = scope
        self.crawl_id = crawl_id
        self.stats = stats
        self.signals = signals
        self.extractor = {
            "name": EXTRACTOR_NAME,
            "version": extractor_version(),
            "config_sha256": CONFIG_SHA256,
        }
        self.pool: ExtractionPool | None = None
        self._slots: asyncio.Semaphore | None = None
        # Starting the workers imports the extractor in a forkserver (seconds under load): done
        # in a thread, so the reactor goes on; the first item waits for it.
        self._starting: Future[ExtractionPool] | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        crawl_id = archive_context(crawler, cls.__name__).archive.crawl_id
        config = ExtractConfig.from_settings(crawler.settings)
        max_links = SpiderLimits.from_settings(crawler.settings).max_links_per_page
        domains = getattr(crawler.spider, "allowed_domains", None)
        scope = (max_links, tuple(domains) if domains else None)
        return cls(config, crawl_id, crawler.stats, crawler.signals, scope)

    def open_spider(self) -> None:
        if not self.config.inline:
            self._starting = in_thread(ExtractionPool, self.config.workers, self.config.timeout)
            self._slots = asyncio.Semaphore(self.config.in_flight)

    async def process_item(self, item: Any) -> Any:
        if not isinstance(item, ArticleItem):
            return item
        outcome, links, charset = await self._outcome(item)
        if links is None:  # its worker failed or timed out: a slow page, read off the reactor
            links = await asyncio.to_thread(self._links, item)
        item = replace(item, outlinks=links.outlinks, related_urls=links.related_urls)
        self._count(item, outcome)
        record = None
        if outcome.extraction is not None:
            record = clean_record(
                item, outcome.extraction, crawl_id=self.crawl_id, extractor=self.extractor
            )
        self.signals.send_catch_log(
            article_extracted,
            item=item,
            outcome=outcome.archived_as,
            extractor=self.extractor,
            record=record,
            charset_source=charset,
        )
        if record is None:
            raise DropItem(f"{outcome.status}: {item.final_url}", log_level="DEBUG")
        return record

    async def _outcome(self, item: ArticleItem) -> tuple[Outcome, ItemLinks | None, str | None]:
        """The outcome, and the item's links and charset source when the worker got that far."""
        try:
            extraction, links, charset = await self._extract(item)
        except FutureTimeout as exc:
            return Outcome("timeout", error=exc), None, None
        except Exception as exc:  # the extractor's bug or a dead worker: this page only
            return Outcome("failed", error=exc), None, None
        if extraction is None:
            return Outcome("empty"), links, charset
        return Outcome("ok", extraction), links, charset

    def _links(self, item: ArticleItem) -> ItemLinks:
        """The item's links when its worker failed, read in a thread: the metadata record has them
        whatever the outcome; none from a page they cannot be read from either."""
        try:
            return page_links_of(item.body, item.final_url, item.headers, self.scope)
        except Exception:  # the extraction's failure is what is counted and logged
            return ItemLinks((), ())

    async def _extract(self, item: ArticleItem) -> PageResult:
        if self._starting is None:
            return extract_page(item.body, item.final_url, item.headers, self.scope)
        if self.pool is None:
            self.pool = await asyncio.wrap_future(self._starting)
        assert self._slots is not None
        async with self._slots:
            future = self.pool.submit_page(item.body, item.final_url, item.headers, self.scope)
            return await asyncio.wrap_future(future)

    def _count(self, item: ArticleItem, outcome: Outcome) -> None:
        stats = self.stats
        where = f"{item.final_url} (WARC {item.warc.filename} at {item.warc.offset})"
        if outcome.status == "ok":
            stats.inc_value("extract/ok")
        elif outcome.status == "empty":
            stats.inc_value("extract/empty")
            logger.info("no article text in %s; archived, no record", where)
        else:
            stats.inc_value("extract/failed")
            if outcome.status == "timeout":
                stats.inc_value("extract/timeout")
                logger.error(
                    "extraction of %s took over %s s; its worker was replaced; archived, no record",
                    where,
                    self.config.timeout,
                )
            else:
                logger.error("extraction failed for %s: %r", where, outcome.error)

    async def close_spider(self) -> None:
        if self._starting is None:
            return
        pool = await asyncio.wrap_future(self._starting)
        self.pool, self._starting = None, None
        # Every item has its outcome by now: a worker still busy after the timeout is stuck.
        # Joining waits on processes, so not on the reactor.
        await asyncio.to_thread(pool.close, self.config.timeout)
