"""The leasing scheduler (crawler.frontier.scheduler) with the crawl state in the same real
Redis server: a request given to the engine holds its URL in the state (whose reads of it are then
answered from memory) until its lease is returned; a URL is queued once."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from scrapy import Request, Spider
from scrapy.utils.test import get_crawler
from scrapy_redis.scheduler import Scheduler

from crawler.frontier.addon import SharedFrontier
from crawler.frontier.scheduler import LeasingScheduler
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
        assert scheduler.enqueue_request(Request(url)) is True
        assert scheduler.enqueue_request(Request(url)) is False  # seen: not queued again
        request = scheduler.next_request()
        assert request is not None and request.url == url
        assert dict(state._held) == {url: 1}
        state.put(article(url, NOW))
        assert state._memory == {url: article(url, NOW)}
        scheduler.release(request)
        assert not state._held and not state._memory
        assert scheduler.queue.held(scheduler.writer) == 0 and scheduler.next_request() is None
    finally:
        scheduler.close("shutdown")
        extension.engine_stopped()


def crawl_state_of(extension: CrawlStateExtension) -> RedisState:
    state = getattr(extension.tracker.state, "inner", None)
    assert isinstance(state, RedisState)
    return state
