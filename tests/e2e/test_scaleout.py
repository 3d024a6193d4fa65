"""Scale-out on scrapy-redis (crawler.frontier): three real `scrapy crawl news` processes share
one frontier in a real Redis server and crawl a copy of the fixture site with 60 articles.

Every page is fetched once across them, every article has one record, one manifest lists every
process's files, `verify` passes; the same when one process is SIGKILLed mid-crawl and started
again, and when Redis is restarted mid-crawl. A wrong REDIS_URL stops a crawl before it starts.
The processes share one crawl state in the same Redis (crawler.state.redis): a second shared run
asks with the validators any of them learnt, and writes revisits and no new record.
"""

from __future__ import annotations

import subprocess
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from crawler.frontier.keys import FrontierKeys
from crawler.frontier.scheduler import lease_owner
from pipelines.warc.revisit import SERVER_NOT_MODIFIED
from tests.e2e.scaleout import (
    Fleet,
    crawl_held_open,
    manifests,
    read_outcome,
    started_writers,
    wait_for,
)
from tests.servers.demo import ROOT, crawl_command
from tests.servers.http import HttpServer
from tests.servers.lifecycle import free_port
from tests.servers.redis import RedisServer
from tests.sites.copies import build_site
from tests.spools import Archive, local_archive

ARTICLES = 60
PROCESSES = ("a", "b", "c")
EVERY_RUN = '\n[recrawl]\nsteps = ["0s"]\n'  # known articles re-checked on every run


@pytest.fixture
def site(tmp_path: Path) -> Iterator[tuple[HttpServer, list[str]]]:
    root, articles = build_site(tmp_path, ARTICLES)
    with HttpServer(site=root, log=tmp_path / "requests.jsonl", delay_ms=50) as server:
        yield server, articles


@pytest.fixture
def validating_site(tmp_path: Path) -> Iterator[tuple[HttpServer, list[str]]]:
    """The site with ETags and Last-Modified, answering 304 to a request that still matches."""
    root, articles = build_site(tmp_path, ARTICLES)
    log = tmp_path / "requests.jsonl"
    with HttpServer(site=root, log=log, delay_ms=50, validators=True) as server:
        yield server, articles


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    with RedisServer(tmp_path / "redis") as server:
        yield server


def served(server: HttpServer) -> Counter[str]:
    return Counter(r.path for r in server.requests() if r.method == "GET")


def start_all(fleet: Fleet, archive: Archive, redis_server: RedisServer) -> None:
    """Start every process; the crawl is held open until all have joined it (or one starting
    late on a busy machine would find it over, and start a crawl of its own)."""
    joined = started_writers(archive) + len(PROCESSES)  # earlier crawls' writers, and these
    with crawl_held_open(redis_server.client(), FrontierKeys("shared")):
        for name in PROCESSES:
            fleet.start(name)
        wait_for(lambda: started_writers(archive) >= joined, "all to join the crawl")


def check_archive(
    archive: Archive, folder: Path, articles: list[str], server: HttpServer, once: bool = True
) -> None:
    """Every page served is archived, every article has a record; `once`: exactly once each."""
    outcome = read_outcome(archive, folder / "read-back")
    pages = served(server)
    assert all(pages[path] >= 1 for path in articles)
    captures = {p: outcome.responses[p] for p in pages if p != "/robots.txt"}
    assert min(captures.values()) >= 1, captures  # nothing fetched is missing from the archive
    recorded = Counter(urlsplit(r["url"]).path for r in outcome.records)
    assert set(recorded) >= set(articles)
    if once:
        assert set(captures.values()) == {1}, captures
        assert max(recorded.values()) == 1, recorded.most_common(3)  # one record per article
    assert len(outcome.manifest["writers"]) >= len(PROCESSES)


def test_three_processes_fetch_every_page_once(
    tmp_path: Path, site: tuple[HttpServer, list[str]], redis_server: RedisServer
) -> None:
    server, articles = site
    archive = local_archive(tmp_path)
    fleet = Fleet(tmp_path, archive, server.base_url, redis_server.url)
    start_all(fleet, archive, redis_server)
    fleet.wait_all()
    pages = served(server)
    robots = pages.pop("/robots.txt")
    # each process that fetched anything read robots.txt itself, outside the frontier
    assert 1 <= robots <= len(PROCESSES)
    assert set(pages.values()) == {1}, pages.most_common(3)  # every page once across them
    check_archive(archive, tmp_path, articles, server)
    writers = read_outcome(archive, tmp_path / "again").manifest["writers"]
    assert len(writers) == len(PROCESSES)  # one crawl id, three writers, one manifest
    left = sorted(k.decode() for k in redis_server.client().keys("newsarchive:*"))
    # the last one cleared the crawl; the crawl state (crawler.state.redis) is kept for the next
    assert left == ["newsarchive:shared:state:due", "newsarchive:shared:state:urls"]


def test_a_killed_process_loses_no_request(
    tmp_path: Path, site: tuple[HttpServer, list[str]], redis_server: RedisServer
) -> None:
    server, articles = site
    archive = local_archive(tmp_path)
    fleet = Fleet(tmp_path, archive, server.base_url, redis_server.url)
    leases = FrontierKeys("shared").leases(lease_owner(str(tmp_path / "jobdir-a")))
    client = redis_server.client()
    with crawl_held_open(client, FrontierKeys("shared")):
        fleet.start("a")  # alone at first: it surely holds requests when it is killed
        wait_for(lambda: client.hlen(leases) > 0, "process a to hold a request")
        fleet.kill("a")
        for name in PROCESSES:
            fleet.start(name)  # a again on the same JOBDIR and spool: it takes back its own
        wait_for(lambda: started_writers(archive) >= len(PROCESSES), "all to join")
    fleet.wait_all()
    check_archive(archive, tmp_path, articles, server)
    assert "held by this crawl's previous run: taken back" in fleet.log("a")
    # What the killed process had fetched but not yet archived durably is fetched again (by it):
    # check_archive holds every page to one capture and every article to one record.
    assert sum(served(server).values()) > ARTICLES


def test_redis_restarted_mid_crawl(
    tmp_path: Path, site: tuple[HttpServer, list[str]], redis_server: RedisServer
) -> None:
    server, articles = site
    archive = local_archive(tmp_path)
    fleet = Fleet(tmp_path, archive, server.base_url, redis_server.url)
    start_all(fleet, archive, redis_server)
    wait_for(lambda: sum(served(server).values()) >= 15, "15 requests served")
    redis_server.stop()
    wait_for(lambda: "Redis does not answer" in fleet.log("a"), "process a to notice")
    redis_server.start()
    fleet.wait_all()
    assert "Redis answers again" in fleet.log("a")
    # Nothing lost. A request whose pop Redis carried out as it went down can be fetched again
    # by another process (delivery is at least once across an outage): counted, not forbidden.
    check_archive(archive, tmp_path, articles, server, once=False)


def test_a_wrong_redis_url_stops_the_crawl_before_it_starts(
    tmp_path: Path, site: tuple[HttpServer, list[str]]
) -> None:
    server, _ = site
    url = f"redis://user:hunter2@127.0.0.1:{free_port()}/0"  # nothing listens there
    settings = {"REDIS_URL": url, "STORE_SPOOL_DIR": str(tmp_path / "spool")}
    command, env = crawl_command(server.base_url, str(tmp_path / "archive"), "", settings)
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 2, result.stderr
    assert "setting REDIS_URL" in result.stderr and "does not answer" in result.stderr
    assert "hunter2" not in result.stderr + result.stdout
    assert served(server) == Counter()  # not one request, not even robots.txt


def test_a_second_shared_run_is_incremental_through_the_shared_state(
    tmp_path: Path, validating_site: tuple[HttpServer, list[str]], redis_server: RedisServer
) -> None:
    server, articles = validating_site
    archive = local_archive(tmp_path)
    runs = [tmp_path / "run1", tmp_path / "run2"]
    first_requests = 0
    for number, folder in enumerate(runs):
        fleet = Fleet(folder, archive, server.base_url, redis_server.url, recrawl=EVERY_RUN)
        folder.mkdir()
        start_all(fleet, archive, redis_server)
        fleet.wait_all()
        first_requests = first_requests or len(server.requests())
        if number == 0:
            check_archive(archive, folder, articles, server)
    second = [r for r in server.requests()[first_requests:] if r.path != "/robots.txt"]
    asked = Counter(r.path for r in second)
    assert set(articles) <= set(asked) and set(asked.values()) == {1}, asked.most_common(3)
    assert all(r.header("If-None-Match") for r in second if r.path in articles)
    _, again = manifests(archive)  # the second run's crawl: a manifest of its own
    outcome = read_outcome(archive, tmp_path / "read-back-2", again)
    assert outcome.records == []  # nothing changed: no new record
    assert not set(articles) & set(outcome.responses)  # no article stored again in full
    assert {f"{path} {SERVER_NOT_MODIFIED}" for path in articles} <= set(outcome.revisits)
    assert len(outcome.manifest["writers"]) == len(PROCESSES)
