"""The leased queue (crawler.frontier.queue) against a real Redis server: a popped request is
held, not lost; released, it is gone; the leases of a dead writer return with their priority; a
writer started again takes back what it held; a config that cannot reach Redis names the setting."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from scrapy import Request, Spider
from scrapy.settings import Settings

from crawler.config import ConfigError
from crawler.frontier.config import FrontierConfig, shown
from crawler.frontier.keys import FrontierKeys
from crawler.frontier.queue import LEASE, LeasedPriorityQueue
from tests.servers.lifecycle import free_port
from tests.servers.redis import RedisServer

KEYS = FrontierKeys("unit")


@pytest.fixture(scope="module")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    with RedisServer(tmp_path_factory.mktemp("redis")) as server:
        yield server


def queue_of(server: RedisServer, writer: str) -> LeasedPriorityQueue:
    client = server.client()
    client.flushdb()
    queue = LeasedPriorityQueue(client, Spider("news"), KEYS.requests)
    queue.bind(KEYS, writer)
    return queue


def test_a_popped_request_is_held_until_released(redis_server: RedisServer) -> None:
    queue = queue_of(redis_server, "w1")
    queue.push(Request("http://127.0.0.1/a"))
    request = queue.pop()
    assert request is not None and request.url == "http://127.0.0.1/a"
    assert len(queue) == 0 and queue.held("w1") == 1
    queue.release(request.meta[LEASE])
    assert queue.held("w1") == 0 and queue.pop() is None


def test_a_dead_writers_leases_return_with_their_priority(redis_server: RedisServer) -> None:
    queue = queue_of(redis_server, "dead")
    queue.push(Request("http://127.0.0.1/low", priority=0))
    queue.push(Request("http://127.0.0.1/high", priority=5))
    taken = [queue.pop(), queue.pop()]
    assert [r.url for r in taken if r] == ["http://127.0.0.1/high", "http://127.0.0.1/low"]
    other = LeasedPriorityQueue(redis_server.client(), Spider("news"), KEYS.requests)
    other.bind(KEYS, "alive")
    assert other.reclaim("dead") == 2
    assert queue.held("dead") == 0 and len(other) == 2
    first = other.pop()
    assert first is not None and first.url == "http://127.0.0.1/high"  # the order survives


def test_a_writer_started_again_takes_back_what_it_held(redis_server: RedisServer) -> None:
    before = queue_of(redis_server, "job-1")
    before.push(Request("http://127.0.0.1/x"))
    held = before.pop()
    assert held is not None
    after = LeasedPriorityQueue(redis_server.client(), Spider("news"), KEYS.requests)
    after.bind(KEYS, "job-1")
    again = after.held_requests()
    assert [r.url for r in again] == ["http://127.0.0.1/x"]
    assert again[0].meta[LEASE] == held.meta[LEASE]  # the same lease: released once, by it
    after.release(again[0].meta[LEASE])
    assert after.held("job-1") == 0


def test_a_redis_url_that_does_not_answer_is_a_config_error(tmp_path: Path) -> None:
    url = f"redis://:s3cret@127.0.0.1:{free_port()}/0"
    with pytest.raises(ConfigError, match="setting REDIS_URL") as caught:
        FrontierConfig.from_settings(Settings({"REDIS_URL": url}))
    assert "s3cret" not in str(caught.value)
    assert shown(url) == url.replace("s3cret", "***")


def test_lease_ttl_must_be_positive() -> None:
    with pytest.raises(ConfigError, match="FRONTIER_LEASE_TTL"):
        FrontierConfig.from_settings(Settings({"FRONTIER_LEASE_TTL": 0}))


def test_push_unseen_marks_the_filter_and_queues_in_one_step(redis_server: RedisServer) -> None:
    queue = queue_of(redis_server, "w1")
    seen = KEYS.dupefilter
    first = Request("http://127.0.0.1/a", priority=3)
    assert queue.push_unseen(first, seen, "fp-a") is True
    assert queue.push_unseen(Request("http://127.0.0.1/a"), seen, "fp-a") is False  # seen
    client = redis_server.client()
    assert client.smembers(seen) == {b"fp-a"} and len(queue) == 1
    popped = queue.pop()
    assert popped is not None and popped.url == first.url and popped.priority == 3
