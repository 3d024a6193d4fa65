"""`scrapy state rebuild` into the Redis backend (a shared crawl's state, crawler.state.redis):
the command, given REDIS_URL, writes the same state as into a SQLite file, and is refused while a
crawl of the seed set is in progress, leaving the state as it was."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from crawler.seeds import load_seedset
from crawler.state.redis import RedisState, crawl_key
from crawler.state.sqlite import SqliteState
from pipelines.tools.staterebuild import rebuild
from tests.crawler.state.test_sqlite import NOW, article
from tests.pipelines.tools.test_staterebuild import FRONT, seed_file, two_crawls
from tests.servers.redis import RedisServer

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def server(tmp_path: Path) -> Iterator[RedisServer]:
    with RedisServer(tmp_path / "redis") as started:
        yield started


def command(archive: Path, seeds: Path, redis_url: str) -> subprocess.CompletedProcess[str]:
    """The real command, as a user runs it for a shared crawl's state."""
    argv = [sys.executable, "-m", "scrapy", "state", "rebuild", str(archive), "--seeds"]
    argv += [str(seeds), "-s", f"REDIS_URL={redis_url}"]
    env = {**os.environ, "SCRAPY_SETTINGS_MODULE": "settings.base"}
    return subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, check=False, env=env)


def test_the_command_rebuilds_into_redis_as_into_a_file(
    tmp_path: Path, server: RedisServer
) -> None:
    store = two_crawls(tmp_path)
    seeds = seed_file(tmp_path)
    done = command(tmp_path / "archive", seeds, server.url)
    assert done.returncode == 0, done.stderr
    assert f"Redis at 127.0.0.1:{server.port} db 0, keys newsarchive:demo:state:*" in done.stdout
    shared = RedisState.open(server.url, "demo")
    local = SqliteState.open(rebuild(store, load_seedset(seeds), tmp_path / "state").path)
    try:
        assert [s.url for s in shared.states()] == [FRONT]
        assert list(shared.states()) == list(local.states())
    finally:
        shared.close()
        local.close()


def test_the_command_is_refused_during_a_crawl(tmp_path: Path, server: RedisServer) -> None:
    two_crawls(tmp_path)
    live = RedisState.open(server.url, "demo")
    live.put(article("http://127.0.0.1/live/", NOW))
    server.client().set(crawl_key("demo"), "demo-20221014000000")  # a shared crawl's id
    done = command(tmp_path / "archive", seed_file(tmp_path), server.url)
    assert done.returncode == 2, done.stdout
    assert "in use by a crawl of this seed set in progress" in done.stderr
    assert [s.url for s in live.states()] == ["http://127.0.0.1/live/"]
    live.close()
