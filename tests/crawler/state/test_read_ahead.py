"""The states of a callback's requests read at once (``StateTracker.read_ahead``, used by
``RecrawlFilter``): a front page's links cost one round trip to a shared state in a real Redis
server, not one each, with the same verdicts; what a callback gave before it failed still goes
on."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from scrapy import Spider
from scrapy.http import HtmlResponse
from scrapy.statscollectors import MemoryStatsCollector
from scrapy.utils.test import get_crawler

from crawler.state.base import UrlState
from crawler.state.middleware import RecrawlFilter
from crawler.state.redis import RedisState
from crawler.state.schedule import DEFAULT
from crawler.state.tracker import StateTracker
from tests.crawler.state.test_tracker import START, request
from tests.servers.redis import RedisServer


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    with RedisServer(tmp_path / "redis") as server:
        yield server


@pytest.fixture
def recrawl(redis_server: RedisServer) -> Iterator[RecrawlFilter]:
    crawler = get_crawler(Spider)
    state = RedisState.open(redis_server.url, "demo", wait=0)
    tracker = StateTracker(state, DEFAULT, MemoryStatsCollector(crawler), lambda: START)
    yield RecrawlFilter(crawler, tracker)
    state.close()


def calls(server: RedisServer, command: str) -> int:
    stats = server.client().info("commandstats").get(f"cmdstat_{command}", {})
    return int(stats.get("calls", 0))


def links(count: int) -> list[str]:
    return [f"http://127.0.0.1/2022/10/12/story-{n}/" for n in range(count)]


def test_a_pages_links_are_judged_with_one_read(
    redis_server: RedisServer, recrawl: RecrawlFilter
) -> None:
    known = links(30)[:10]
    for url in known:  # known articles, not due yet: not fetched again
        recrawl.tracker.state.put(UrlState(url, "article", START, next_due=START + timedelta(1)))
    output: list[Any] = [request(url=url) for url in links(30)] + [{"an": "item"}]
    response = HtmlResponse("http://127.0.0.1/", body=b"x", request=request())
    before = calls(redis_server, "hget"), calls(redis_server, "hmget")
    passed = list(recrawl.process_spider_output(response, iter(output)))
    assert [r.url for r in passed[:-1]] == links(30)[10:] and passed[-1] == {"an": "item"}
    # one HMGET for the 30 links; one HGET for the page's own verdict (held in a shared crawl)
    assert calls(redis_server, "hmget") - before[1] == 1
    assert calls(redis_server, "hget") - before[0] == 1
    counts = recrawl.tracker.stats.get_stats()
    assert (counts["state/new"], counts["state/not_due"]) == (20, 10)
    assert recrawl.tracker.ahead == {}  # nothing kept past the page


def test_what_a_callback_gave_before_it_failed_goes_on(recrawl: RecrawlFilter) -> None:
    def callback() -> Iterator[Any]:
        yield request(url=links(1)[0])
        raise ValueError("broken page")

    response = HtmlResponse("http://127.0.0.1/", body=b"x", request=request())
    passed: list[Any] = []
    with pytest.raises(ValueError, match="broken page"):
        for element in recrawl.process_spider_output(response, callback()):
            passed.append(element)
    assert [r.url for r in passed] == links(1)
