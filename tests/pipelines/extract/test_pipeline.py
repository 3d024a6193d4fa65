"""ExtractPipeline: the real pebble pool, its per-page timeout, failures and the inline mode.

Each test drives the pipeline as Scrapy does (open_spider, process_item awaited on an asyncio
loop, close_spider) with a crawler from Scrapy's test helper, so stats are Scrapy's own.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from scrapy.exceptions import DropItem
from scrapy.utils.test import get_crawler

import pipelines.extract.pipeline
import pipelines.extract.pool
from benchmarks.throughput.measure import children
from crawler.items import ArticleItem, Discovery, WarcPointer
from pipelines.extract.config import ExtractConfig
from pipelines.extract.core import extract
from pipelines.extract.pipeline import ExtractPipeline
from settings import base
from tests.malloc import kept_after_a_large_block
from tests.pipelines.extract.stuck import never_returns

SITE = Path(__file__).resolve().parents[2] / "sites" / "news" / "pages"
ARTICLE = "/2022/10/14/nato-critical-infrastructure-baltic/"
HEADERS = {"content-type": "text/html; charset=utf-8", "date": "Sat, 15 Oct 2022 12:00:00 GMT"}


def item(body: Any = None, path: str = ARTICLE) -> ArticleItem:
    url = f"http://127.0.0.1:8000{path}"
    page = (SITE / ARTICLE.strip("/") / "index.html").read_bytes()
    pointer = WarcPointer("x.warc.gz", 0, 1, "urn:uuid:1", None, "2022-10-15T12:00:00Z")
    return ArticleItem(
        url=url,
        final_url=url,
        status=200,
        fetched_at="2022-10-15T12:00:00Z",
        headers=HEADERS,
        body=page if body is None else body,
        warc=pointer,
        discovery=Discovery.from_seedset("demo"),
        related_urls=(),
    )


@pytest.fixture
def pipeline_factory() -> Iterator[Any]:
    opened: list[ExtractPipeline] = []

    def make(**settings: Any) -> ExtractPipeline:
        defaults = {name: getattr(base, name) for name in dir(base) if name.startswith("EXTRACT_")}
        crawler = get_crawler(settings_dict={**defaults, "EXTRACT_WORKERS": 1, **settings})
        config = ExtractConfig.from_settings(crawler.settings)
        pipeline = ExtractPipeline(config, "demo-20221012000000", crawler.stats, crawler.signals)
        opened.append(pipeline)
        return pipeline

    yield make
    for pipeline in opened:
        asyncio.run(pipeline.close_spider())


async def outcomes(pipeline: ExtractPipeline, items: list[ArticleItem]) -> list[Any]:
    pipeline.open_spider()
    results: list[Any] = []
    for each in items:
        try:
            results.append(await pipeline.process_item(each))
        except DropItem as dropped:
            results.append(dropped)
    return results


def test_pool_extracts_the_same_record_as_inline(pipeline_factory: Any) -> None:
    pooled = pipeline_factory()
    inline = pipeline_factory(EXTRACT_INLINE=True)
    [from_pool] = asyncio.run(outcomes(pooled, [item()]))
    [in_process] = asyncio.run(outcomes(inline, [item()]))
    assert pooled.pool is not None and inline.pool is None
    assert from_pool == in_process
    assert from_pool["text_candidate"] == "trafilatura"
    assert pooled.stats.get_value("extract/ok") == 1


def test_a_page_past_the_timeout_is_counted_and_its_worker_replaced(
    pipeline_factory: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Pages whose extraction never ends: the timeout fires however slow or busy the machine is.
    # (The pool pickles the function by name, so the workers run never_returns too.)
    monkeypatch.setattr(pipelines.extract.pool, "extract_page", never_returns)
    pipeline = pipeline_factory(EXTRACT_TIMEOUT=0.3)
    results = asyncio.run(outcomes(pipeline, [item(), item()]))
    assert all(isinstance(result, DropItem) for result in results)
    stats = pipeline.stats
    assert stats.get_value("extract/timeout") == 2
    assert stats.get_value("extract/failed") == 2
    assert stats.get_value("extract/ok") is None
    # the stuck workers were replaced: the same pool still extracts a page
    assert pipeline.pool is not None
    page = item()
    monkeypatch.undo()
    pipeline.pool.timeout = None  # whether it extracts, not how fast on a loaded machine
    fresh = pipeline.pool.submit(page.body, page.url, page.headers)
    assert fresh.result(timeout=60) == extract(page.body, page.url, page.headers)


def test_a_failing_page_is_counted_and_the_crawl_goes_on(pipeline_factory: Any) -> None:
    pipeline = pipeline_factory()
    broken = item(body="not bytes: the extractor raises on this page")
    results = asyncio.run(outcomes(pipeline, [broken, item()]))
    assert isinstance(results[0], DropItem)
    assert results[1]["schema"] == 2
    stats = pipeline.stats
    assert (stats.get_value("extract/failed"), stats.get_value("extract/ok")) == (1, 1)
    assert stats.get_value("extract/timeout") is None


def test_a_page_without_article_text_is_counted_empty(pipeline_factory: Any) -> None:
    pipeline = pipeline_factory(EXTRACT_INLINE=True)
    shell = b"<html><head><title>Loading</title></head><body><div id=root></div></body></html>"
    [result] = asyncio.run(outcomes(pipeline, [item(body=shell)]))
    assert isinstance(result, DropItem)
    assert pipeline.stats.get_value("extract/empty") == 1


def test_pages_in_flight_are_bounded(pipeline_factory: Any) -> None:
    pipeline = pipeline_factory(EXTRACT_WORKERS=1, EXTRACT_MAX_IN_FLIGHT=1)
    seen: list[int] = []

    async def run() -> list[Any]:
        pipeline.open_spider()
        assert pipeline._slots is not None
        slots = pipeline._slots

        async def watch() -> None:
            while not done.is_set():
                seen.append(1 - slots._value)  # pages holding a slot right now
                await asyncio.sleep(0)

        done = asyncio.Event()
        watcher = asyncio.ensure_future(watch())
        results = await asyncio.gather(*(pipeline.process_item(item()) for _ in range(4)))
        done.set()
        await watcher
        return list(results)

    results = asyncio.run(run())
    assert [result["schema"] for result in results] == [2, 2, 2, 2]
    assert max(seen) == 1
    assert pipeline.config.in_flight == 1


def test_the_pool_starts_its_workers_when_built_not_on_the_first_page() -> None:
    """The crawl builds the pool in a thread; pebble would start the forkserver and the
    workers on the first `submit`, which the pipeline calls on the reactor."""
    before = set(grandchildren())
    pool = pipelines.extract.pool.ExtractionPool(2, timeout=None)
    try:
        assert len(set(grandchildren()) - before) == 2  # the forkserver's two workers
    finally:
        pool.close()


def grandchildren() -> list[int]:
    """The processes forked by this process's children (the forkserver's workers)."""
    return [pid for child in children(os.getpid()) for pid in children(child)]


def test_workers_share_what_the_forkserver_loaded() -> None:
    """jusText's stoplist of all languages is built before the fork (each worker would build
    its own copy on its first fallback page), and the collector leaves it all alone."""
    pool = pipelines.extract.pool.ExtractionPool(1, timeout=None)
    try:
        built, frozen = pool._pool.schedule(forkserver_loaded).result()
        kept = pool._pool.schedule(kept_after_a_large_block).result()
    finally:
        pool.close()
    assert built is True
    assert frozen > 10_000  # the containers of every module imported there (43,000 now)
    assert kept < 1 << 20  # glibc's default would take it from the heap and keep it there


def forkserver_loaded() -> tuple[bool, int]:
    """In a worker: whether trafilatura's stoplist was there before any page, and how many
    objects the collector leaves alone."""
    import gc

    from trafilatura import external

    return external.JT_STOPLIST is not None, gc.get_freeze_count()
