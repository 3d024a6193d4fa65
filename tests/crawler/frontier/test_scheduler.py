"""The leasing scheduler (crawler.frontier.scheduler) with the crawl state in the same real
Redis server: requests are leased a few at a time, their states read at once; a leased request
holds its URL in the state (whose reads of it are then answered from memory) until its lease is
returned; a URL is queued once."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from scrapy import Request, Spider
from scrapy.utils.test import get_crawler
from scrapy_redis.scheduler import Scheduler

from crawler.frontier.addon import SharedFrontier
from crawler.frontier.scheduler import TAKEN_AT_ONCE, LeasingScheduler
from crawler.state.extension import CrawlStateExtension
from crawler.state.redis import RedisState
from tests.crawler.state.test_sqlite import NOW, article
from tests.servers.redis import RedisServer


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    with RedisServer(tmp_path / "redis") as server:
        yield server


# scrapy-redis' own next_request still passes `spider` to the stats (deprecated by Scrapy)
@pytest.mark.filterwarnings("ignore:Passing a 'spider' argument")
def test_a_leased_request_holds_its_url_in_the_state_until_released(
    tmp_path: Path, redis_server: RedisServer
) -> None:
    values = {"REDIS_URL": redis_server.url, "SEEDSET_NAME": "unit", "STATE_ENABLED": True}
    addons = {"ADDONS": {SharedFrontier: 0}, "SPIDER_MIDDLEWARES": {}}
    crawler = get_crawler(Spider, settings_dict={**values, **addons, "STATE_DIR": str(tmp_path)})
    assert crawler.settings["SCHEDULER"].endswith("LeasingScheduler")
    spider = crawler.spider = Spider.from_crawler(crawler, "news")
    extension = CrawlStateExtension.from_crawler(crawler)
    state = crawl_state_of(extension)
    scheduler = LeasingScheduler.from_crawler(crawler)
    # scrapy-redis' open and the queue's binding, without the heartbeat and poll loops, which
    # would install Twisted's reactor in this process (one per process; the crawls' own)
    Scheduler.open(scheduler, spider)
    scheduler.queue.bind(scheduler.keys, scheduler.writer)
    try:
        url = "http://127.0.0.1/a/"
        urls = [f"http://127.0.0.1/{n}/" for n in range(TAKEN_AT_ONCE + 1)]
        state.put(article(urls[0], NOW))
        for url in urls:
            assert scheduler.enqueue_request(Request(url)) is True
        assert scheduler.enqueue_request(Request(urls[0])) is False  # seen: not queued again
        request = scheduler.next_request()
        assert request is not None and request.url == urls[0]
        taken = urls[:TAKEN_AT_ONCE]  # leased at once, their states read at once
        assert dict(state._held) == dict.fromkeys(taken, 1)
        assert state._memory == {urls[0]: article(urls[0], NOW), **dict.fromkeys(taken[1:])}
        assert scheduler.queue.held(scheduler.writer) == TAKEN_AT_ONCE
        given = [scheduler.next_request() for _ in taken[1:]]
        assert [r.url for r in given if r] == taken[1:]
        for done in [request, *given]:
            scheduler.release(done)
        assert not state._held and not state._memory
        assert scheduler.queue.held(scheduler.writer) == 0
        last = scheduler.next_request()
        assert last is not None and last.url == urls[-1]
        scheduler.release(last)
        assert scheduler.next_request() is None
    finally:
        scheduler.close("shutdown")
        extension.engine_stopped()


def crawl_state_of(extension: CrawlStateExtension) -> RedisState:
    state = getattr(extension.tracker.state, "inner", None)
    assert isinstance(state, RedisState)
    return state
