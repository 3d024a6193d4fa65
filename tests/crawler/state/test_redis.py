"""The shared crawl state in a real Redis server (Debian's redis-server, tests/servers/redis.py):
the same values back as given, ``due`` from the sorted set, shared by the processes of one crawl,
seed sets apart, an outage waited for and then reported, and ``state rebuild``'s swap."""

from __future__ import annotations

import dataclasses
import socket
import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from scrapy import Spider
from scrapy.utils.test import get_crawler

from crawler.config import ConfigError
from crawler.signals import write_failed
from crawler.state.base import StateError
from crawler.state.extension import ReportedWrites, crawl_state, release_state
from crawler.state.redis import CALL_TIMEOUT, RedisState, crawl_key, state_key
from crawler.state.redis_rebuild import replace_state
from crawler.state.sqlite import SqliteState
from settings import base
from tests.crawler.state.test_extension import settings
from tests.crawler.state.test_sqlite import NOW, article
from tests.servers.lifecycle import free_port
from tests.servers.redis import RedisServer


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    with RedisServer(tmp_path_factory.mktemp("redis")) as started:
        yield started


@pytest.fixture
def state(server: RedisServer) -> Iterator[RedisState]:
    server.client().flushdb()
    opened = RedisState.open(server.url, "demo", wait=0)
    yield opened
    opened.close()


def test_a_state_reads_back_equal_and_is_kept_in_the_seed_sets_keys(
    server: RedisServer, state: RedisState
) -> None:
    written = article("http://127.0.0.1/a/", NOW)
    state.put(written)
    assert state.get("http://127.0.0.1/a/") == written
    assert state.get("http://127.0.0.1/b/") is None
    assert list(state.states()) == [written]
    keys = sorted(k.decode() for k in server.client().keys("*"))
    assert keys == ["newsarchive:demo:state:due", "newsarchive:demo:state:urls"]
    assert state.location == f"Redis at 127.0.0.1:{server.port} db 0, keys newsarchive:demo:state:*"


def test_due_gives_articles_whose_time_has_come_oldest_first(state: RedisState) -> None:
    state.put(article("http://127.0.0.1/late/", NOW + timedelta(hours=2)))
    state.put(article("http://127.0.0.1/b/", NOW - timedelta(hours=1)))
    state.put(article("http://127.0.0.1/c/", NOW))
    state.put(article("http://127.0.0.1/a/", NOW))  # a tie: URL order
    state.put(article("http://127.0.0.1/never/", None))
    state.put(article("http://127.0.0.1/feed/", NOW - timedelta(days=1), kind="feed"))
    due = [s.url for s in state.due(NOW)]
    assert due == ["http://127.0.0.1/b/", "http://127.0.0.1/a/", "http://127.0.0.1/c/"]


def test_put_replaces_and_leaves_the_due_set(server: RedisServer, state: RedisState) -> None:
    state.put(article("http://127.0.0.1/a/", NOW))
    state.put(article("http://127.0.0.1/a/", None, kind="page"))
    assert [(s.kind, s.next_due) for s in state.states()] == [("page", None)]
    assert server.client().zcard(state_key("demo", "due")) == 0
    assert list(state.due(NOW + timedelta(days=9))) == []


def test_the_processes_of_a_crawl_share_it_and_seed_sets_stay_apart(
    server: RedisServer, state: RedisState
) -> None:
    other_process = RedisState.open(server.url, "demo")  # no lock: one crawl, many processes
    other_seedset = RedisState.open(server.url, "other")
    state.put(article("http://127.0.0.1/a/", NOW))
    assert other_process.get("http://127.0.0.1/a/") == state.get("http://127.0.0.1/a/")
    assert other_seedset.get("http://127.0.0.1/a/") is None
    assert list(other_seedset.due(NOW)) == []
    other_process.close()
    other_seedset.close()


def calls(server: RedisServer, command: str) -> int:
    stats = server.client().info("commandstats").get(f"cmdstat_{command}", {})
    return int(stats.get("calls", 0))


def reads(server: RedisServer) -> int:
    """How many reads the server has answered (its own count, INFO commandstats): HGETs, but
    for the one in each put's script (EVALSHA)."""
    stats = server.client().info("commandstats")
    return sum(
        sign * int(stats.get(f"cmdstat_{command}", {}).get("calls", 0))
        for command, sign in (("hget", 1), ("evalsha", -1), ("eval", -1))
    )


def test_a_held_url_is_read_from_memory_until_let_go(
    server: RedisServer, state: RedisState
) -> None:
    url, other = "http://127.0.0.1/a/", "http://127.0.0.1/b/"
    state.put(article(url, NOW))
    before = reads(server)
    assert state.get(url) == article(url, NOW) and state.get(other) is None
    assert state.get(url) == article(url, NOW) and state.get(other) is None
    assert reads(server) - before == 4  # not held: Redis is asked each time
    before = reads(server), calls(server, "hmget")
    state.hold([url, other])  # read at once
    assert state.get(url) == article(url, NOW) and state.get(other) is None
    changed = dataclasses.replace(article(url, NOW), last_status=304)
    state.put(changed)
    state.put(article(other, None))
    for _ in range(3):
        assert state.get(url) == changed and state.get(other) == article(other, None)
    assert (reads(server), calls(server, "hmget")) == (before[0], before[1] + 1)
    state.let_go(url)
    assert state.get(url) == changed and reads(server) == before[0] + 1  # asked again
    state.let_go(other)
    assert not state._memory and not state._held  # nothing kept of a URL let go


def test_a_put_keeps_the_later_listing_date_another_process_noted(
    server: RedisServer, state: RedisState
) -> None:
    url = "http://127.0.0.1/a/"
    earlier, later = "2022-10-12T08:00:00+00:00", "2022-10-13T08:00:00+00:00"
    state.put(dataclasses.replace(article(url, NOW), listed=None))
    state.hold([url])
    fetched = state.get(url)
    assert fetched is not None and fetched.listed is None
    other_process = RedisState.open(server.url, "demo")
    known = other_process.get(url)
    assert known is not None
    other_process.put(dataclasses.replace(known, listed=later))  # from a feed it read
    state.put(dataclasses.replace(fetched, last_status=304))  # this one's fetch: its date kept
    assert other_process.get(url) == dataclasses.replace(fetched, last_status=304, listed=later)
    assert state.get(url) == other_process.get(url)  # what memory holds is what Redis does
    other_process.put(dataclasses.replace(known, listed=earlier))  # earlier: the later stays
    assert other_process.get(url) == dataclasses.replace(known, listed=later)
    state.put(dataclasses.replace(fetched, listed=earlier, last_status=200))
    assert other_process.get(url) == dataclasses.replace(fetched, listed=later, last_status=200)
    server.client().hset(state_key("demo", "urls"), url, b"{not json")
    state.put(fetched)  # a bad value is replaced, as before
    assert other_process.get(url) == fetched
    other_process.close()


def test_a_bad_value_names_the_state_and_the_rebuild(
    server: RedisServer, state: RedisState
) -> None:
    server.client().hset(state_key("demo", "urls"), "http://127.0.0.1/a/", b"{not json")
    with pytest.raises(StateError, match=r"a bad value for http://127.0.0.1/a/.*state rebuild"):
        state.get("http://127.0.0.1/a/")


def test_no_redis_is_refused_on_opening() -> None:
    url = f"redis://user:hunter2@127.0.0.1:{free_port()}/0"  # nothing listens there
    with pytest.raises(StateError, match="does not answer") as raised:
        RedisState.open(url, "demo")
    assert "hunter2" not in str(raised.value)


def test_an_outage_is_waited_for_then_reported(tmp_path: Path) -> None:
    with RedisServer(tmp_path / "redis") as server:
        state = RedisState.open(server.url, "demo", wait=0)
        server.stop()
        with pytest.raises(StateError, match=r"does not answer .* \(STATE_REDIS_WAIT\)"):
            state.put(article("http://127.0.0.1/a/", NOW))
        state.wait = 120.0  # only reached when the restart below is broken
        restart = threading.Thread(target=server.start)
        restart.start()
        state.put(article("http://127.0.0.1/a/", NOW))  # waits for the restart
        restart.join()
        assert state.get("http://127.0.0.1/a/") == article("http://127.0.0.1/a/", NOW)
        state.close()


def test_rebuild_swaps_in_a_whole_state_and_keeps_the_old(
    server: RedisServer, state: RedisState
) -> None:
    state.put(article("http://127.0.0.1/old/", NOW))
    rebuilt = [article("http://127.0.0.1/a/", NOW), article("http://127.0.0.1/b/", None)]
    assert replace_state(server.url, "demo", rebuilt) == state.location
    assert list(state.states()) == rebuilt
    assert [s.url for s in state.due(NOW)] == ["http://127.0.0.1/a/"]
    kept = server.client().hkeys(state_key("demo", "urls") + ":old")
    assert kept == [b"http://127.0.0.1/old/"]
    assert server.client().keys("*:rebuild") == []


def test_rebuild_is_refused_while_a_crawl_is_in_progress(
    server: RedisServer, state: RedisState
) -> None:
    state.put(article("http://127.0.0.1/live/", NOW))
    server.client().set(crawl_key("demo"), "demo-20221012090000")  # as the frontier sets it
    with pytest.raises(StateError, match="in use by a crawl of this seed set in progress"):
        replace_state(server.url, "demo", [article("http://127.0.0.1/a/", NOW)])
    assert [s.url for s in state.states()] == ["http://127.0.0.1/live/"]


def test_a_shared_crawl_keeps_its_state_in_redis_unless_told(
    tmp_path: Path, server: RedisServer
) -> None:
    shared = settings(tmp_path, REDIS_URL=server.url)
    state = crawl_state(shared)
    assert isinstance(state, RedisState) and state is crawl_state(shared)
    release_state(state)
    local = crawl_state(settings(tmp_path, REDIS_URL=server.url, STATE_BACKEND="sqlite"))
    assert isinstance(local, SqliteState)
    release_state(local)
    with pytest.raises(ConfigError, match="STATE_BACKEND: 'redis' needs REDIS_URL"):
        crawl_state(settings(tmp_path, STATE_BACKEND="redis"))
    with pytest.raises(ConfigError, match="STATE_BACKEND: 'mongo' is not one of"):
        crawl_state(settings(tmp_path, STATE_BACKEND="mongo"))


def test_a_write_redis_does_not_take_is_reported_to_stop_the_crawl(tmp_path: Path) -> None:
    crawler = get_crawler(Spider)
    failures: list[dict[str, Any]] = []
    crawler.signals.connect(lambda **kw: failures.append(kw), signal=write_failed, weak=False)
    with RedisServer(tmp_path / "redis") as server:
        state = ReportedWrites(RedisState.open(server.url, "demo", wait=0), crawler)
        server.stop()
        state.put(article("http://127.0.0.1/a/", NOW))
        state.close()
    assert crawler.stats is not None and crawler.stats.get_value("state/write_failed") == 1
    [failure] = failures
    assert str(failure["path"]).startswith(f"Redis at 127.0.0.1:{server.port} db 0")
    assert "STATE_REDIS_WAIT" in str(failure["error"])


def test_a_redis_that_accepts_and_never_answers_is_given_up_on_per_call() -> None:
    """A silent Redis (the TCP connection accepted, no reply) fails each call after the call's
    timeout, so a crawl's wait for it stays under the frontier's lease TTL."""
    with socket.create_server(("127.0.0.1", 0)) as silent:  # accepted by the kernel, never read
        url = f"redis://127.0.0.1:{silent.getsockname()[1]}/0"
        with pytest.raises(StateError, match="Timeout"):
            RedisState.open(url, "demo", wait=0, timeout=0.2)
    assert base.STATE_REDIS_WAIT + CALL_TIMEOUT < base.FRONTIER_LEASE_TTL
