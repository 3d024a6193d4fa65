"""Extraction off the reactor: article items in, clean records out.

Extraction is CPU-bound, so it runs in a pool of worker processes (``EXTRACT_WORKERS``, default
one per core) and the reactor only awaits the result. The pool is started from a forkserver that
has imported the extractor once, so workers start fast and never inherit the reactor's threads.
At most ``2 x workers`` pages are in the pool at a time, which bounds memory. A page whose
extraction fails or finds no article text is still archived: the outcome is counted and logged
with the URL and WARC record, and no record is written for it.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
from concurrent.futures import Executor, ProcessPoolExecutor
from typing import TYPE_CHECKING, Any, Self

from scrapy.exceptions import DropItem

from crawler.items import ArticleItem
from pipelines.archive import ArchiveExtension
from pipelines.extract import CONFIG_SHA256, EXTRACTOR_NAME, Extraction, extract, extractor_version
from pipelines.records import clean_record
from settings.config import ExtractConfig

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)


def start_pool(workers: int) -> ProcessPoolExecutor:
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["pipelines.extract"])
    return ProcessPoolExecutor(max_workers=workers, mp_context=context)


class ExtractPipeline:
    def __init__(self, config: ExtractConfig) -> None:
        self.config = config
        self.extractor = {
            "name": EXTRACTOR_NAME,
            "version": extractor_version(),
            "config_sha256": CONFIG_SHA256,
        }
        self.pool: Executor | None = None
        self.crawl_id = ""
        self._slots: asyncio.Semaphore | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        pipeline = cls(ExtractConfig.from_settings(crawler.settings))
        pipeline.crawler = crawler
        return pipeline

    crawler: Crawler

    def open_spider(self) -> None:
        archive = self.crawler.get_extension(ArchiveExtension)
        self.crawl_id = archive.crawl_id if archive is not None else ""
        if not self.config.inline:
            self.pool = start_pool(self.config.workers)
            self._slots = asyncio.Semaphore(2 * self.config.workers)

    async def process_item(self, item: Any) -> Any:
        if not isinstance(item, ArticleItem):
            return item
        stats = self.crawler.stats
        try:
            extraction = await self._extract(item)
        except Exception as exc:
            stats.inc_value("extract/failed")
            logger.error(
                "extraction failed for %s (WARC %s at %d): %r",
                item.final_url, item.warc.filename, item.warc.offset, exc,
            )
            raise DropItem(f"extraction failed for {item.final_url}", log_level="DEBUG") from exc
        if extraction is None:
            stats.inc_value("extract/empty")
            logger.info("no article text in %s; archived, no record", item.final_url)
            raise DropItem(f"no article text in {item.final_url}", log_level="DEBUG")
        stats.inc_value("extract/ok")
        return clean_record(item, extraction, crawl_id=self.crawl_id, extractor=self.extractor)

    async def _extract(self, item: ArticleItem) -> Extraction | None:
        if self.pool is None:
            return extract(item.body, item.final_url, item.headers)
        assert self._slots is not None
        async with self._slots:
            future = self.pool.submit(extract, item.body, item.final_url, item.headers)
            return await asyncio.wrap_future(future)

    def close_spider(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True)
            self.pool = None
