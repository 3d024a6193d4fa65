"""Politeness in a real crawl: robots.txt Crawl-delay (capped), Retry-After on 429 and 503
(capped), concurrency per host, and a user agent that names its contact. Each host is a name
the test resolver maps to a loopback server, so that each has a downloader slot of its own.

The delays are checked in the servers' own logs as lower bounds (request B came at least N s
after request A), which load on the machine can only make longer."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from itertools import pairwise
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from crawler.extensions.politeness import parse_retry_after
from tests.reports import report_of
from tests.servers.demo import ROOT, crawl
from tests.servers.http import HttpServer, LoggedRequest

CRAWL_ID = "polite-20221012000000"
CONTACT = "https://example.org/newsarchive-tests"
SLACK = 0.1  # seconds: the server logs a request a little after the crawler sends it


def test_retry_after_in_seconds_and_as_a_date() -> None:
    now = datetime(2022, 10, 12, 9, 0, tzinfo=UTC)
    assert parse_retry_after("120", now) == 120
    assert parse_retry_after(" 5 ", now) == 5
    assert parse_retry_after(format_datetime(now + timedelta(seconds=90), usegmt=True), now) == 90
    assert parse_retry_after(format_datetime(now - timedelta(hours=1), usegmt=True), now) == 0
    assert parse_retry_after("soon", now) is None
    assert parse_retry_after("-3", now) is None


def small_site(folder: Path, crawl_delay: int, pages: int) -> Path:
    """A site whose robots.txt asks for `crawl_delay` seconds, with a front linking `pages`."""
    root = folder / "pages"
    root.mkdir(parents=True)
    (root / "robots.txt").write_text(f"User-agent: *\nCrawl-delay: {crawl_delay}\n")
    names = [f"page-{n}" for n in range(pages)]
    links = "".join(f'<li><a href="/{name}/">{name}</a></li>' for name in names)
    (root / "index.html").write_text(f"<html><body><h1>Front</h1><ul>{links}</ul></body></html>")
    for name in names:
        (root / name).mkdir()
        (root / name / "index.html").write_text(f"<html><body><p>{name}</p></body></html>")
    return folder


@dataclass
class Polite:
    delayed: list[LoggedRequest]  # Crawl-delay: 1
    capped: list[LoggedRequest]  # Crawl-delay: 30, capped at 1.5
    shared: list[LoggedRequest]  # the fixture site: Retry-After hosts
    concurrent: list[LoggedRequest]  # the fixture site: slow pages, 2 at a time
    stats: dict[str, Any]
    log: str


def hosts_of(requests: list[LoggedRequest], host: str) -> list[LoggedRequest]:
    return [r for r in requests if (r.header("Host") or "").startswith(f"{host}:")]


# Each name maps to 127.0.0.1 in the test resolver, so each host has a downloader slot of its own.
HOSTS = ["delayed.test", "capped.test", "retry.test", "unavailable.test", "long.test", "conc.test"]


def start_urls(
    delayed: HttpServer, capped: HttpServer, shared: HttpServer, concurrent: HttpServer
) -> list[str]:
    """One start URL per name in HOSTS, in that order."""
    slow = [f"/special/slow?ms=300&n={n}" for n in range(6)]
    return [
        f"http://delayed.test:{delayed.port}/",
        f"http://capped.test:{capped.port}/",
        f"http://retry.test:{shared.port}/special/retry-after?code=429&s=2",
        f"http://unavailable.test:{shared.port}/special/retry-after?code=503&s=1",
        f"http://long.test:{shared.port}/special/retry-after?code=503&s=3600",
        f"http://conc.test:{concurrent.port}/special/links?"
        + "&".join(f"to={quote(path, safe='')}" for path in slow),
    ]


def write_seeds(path: Path, starts: list[str]) -> Path:
    path.write_text(
        f'name = "polite"\nstart_urls = {json.dumps(starts)}\n'
        f"allowed_domains = {json.dumps(HOSTS)}\nrelated_depth = 0\n"
        f'contact = "{CONTACT}"\n'
    )
    return path


@pytest.fixture(scope="module")
def polite(tmp_path_factory: pytest.TempPathFactory) -> Polite:
    tmp = tmp_path_factory.mktemp("polite")
    with (
        HttpServer(site=small_site(tmp / "delayed", 1, 3)) as delayed,
        HttpServer(site=small_site(tmp / "capped", 30, 2)) as capped,
        HttpServer() as shared,
        HttpServer() as concurrent,
    ):
        starts = start_urls(delayed, capped, shared, concurrent)
        seeds = write_seeds(tmp / "polite.toml", starts)
        root = tmp / "archive"
        result = crawl(
            shared.base_url,
            str(root),
            CRAWL_ID,
            seeds=str(seeds),
            capture=True,
            log_file=tmp / "crawl.log",
            extra={
                "STORE_SPOOL_DIR": str(tmp / "spool"),
                "TWISTED_DNS_RESOLVER": "tests.servers.resolver.HostsResolver",
                "TEST_RESOLVER_HOSTS": json.dumps({name: ["127.0.0.1"] for name in HOSTS}),
                "AUTOTHROTTLE_ENABLED": "True",  # it lowers delays: the floors must hold
                "CONCURRENT_REQUESTS_PER_DOMAIN": "2",
                "ROBOTSTXT_CRAWL_DELAY_MAX": "1.5",
                "RETRY_AFTER_MAX": "2.5",
            },
        )
        log = (tmp / "crawl.log").read_text("utf-8")
        assert result.returncode == 0, result.stderr + log
        crawled = Polite(
            delayed=delayed.requests(),
            capped=capped.requests(),
            shared=shared.requests(),
            concurrent=concurrent.requests(),
            stats=report_of(root, CRAWL_ID)["stats"],
            log=log,
        )
    return crawled


def gaps(requests: list[LoggedRequest]) -> list[float]:
    times = sorted(r.time for r in requests)
    return [later - earlier for earlier, later in pairwise(times)]


def test_crawl_delay_spaces_every_request_to_the_host(polite: Polite) -> None:
    assert [r.path for r in polite.delayed][:2] == ["/robots.txt", "/"]
    assert len(polite.delayed) == 5  # robots.txt, the front, three pages
    assert min(gaps(polite.delayed)) >= 1.0 - SLACK
    assert "delayed.test: Crawl-delay 1.0 s applied" in polite.log


def test_a_long_crawl_delay_is_capped(polite: Polite) -> None:
    assert len(polite.capped) == 4
    assert min(gaps(polite.capped)) >= 1.5 - SLACK
    assert max(gaps(polite.capped)) < 30  # not the 30 s the site asked for
    assert polite.stats["politeness/crawl_delay"] == 2
    assert polite.stats["politeness/crawl_delay_capped"] == 1
    assert "capped.test asks for a Crawl-delay of 30.0 s; capped" in polite.log


@pytest.mark.parametrize(
    "host, wait, status",
    [("retry.test", 2, 429), ("unavailable.test", 1, 503), ("long.test", 2.5, 503)],
)
def test_retry_after_pauses_the_host_then_retries(
    polite: Polite, host: str, wait: float, status: int
) -> None:
    requests = [r for r in hosts_of(polite.shared, host) if r.path.startswith("/special/")]
    assert len(requests) == 2  # the answer with Retry-After, then the retry
    refused, retried = requests
    assert retried.time - refused.time >= wait - SLACK
    for other in hosts_of(polite.shared, host):  # nothing else went to the host meanwhile
        assert not refused.time < other.time < refused.time + wait - SLACK
    assert polite.stats[f"downloader/response_status_count/{status}"] >= 1


def test_retry_after_is_counted_and_capped(polite: Polite) -> None:
    assert polite.stats["politeness/retry_after"] == 3
    assert polite.stats["politeness/retry_after_capped"] == 1
    assert "Retry-After '3600': pausing long.test for 2.5 s" in polite.log


def test_concurrency_is_per_host(polite: Polite) -> None:
    slow = [r for r in polite.concurrent if r.path.startswith("/special/slow")]
    assert len(slow) == 6
    assert max(r.active for r in slow) == 2  # CONCURRENT_REQUESTS_PER_DOMAIN


def test_the_user_agent_names_the_contact(polite: Polite) -> None:
    agents = {r.header("User-Agent") for r in [*polite.delayed, *polite.shared]}
    assert agents == {f"newsarchive/0.1 (+{CONTACT})"}


def test_a_seed_set_without_a_contact_is_refused(tmp_path: Path) -> None:
    seeds = tmp_path / "anonymous.toml"
    seeds.write_text(
        'name = "anonymous"\nstart_urls = ["http://127.0.0.1:9/"]\n'
        'allowed_domains = ["127.0.0.1"]\nrelated_depth = 0\n'
    )
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "scrapy",
            "crawl",
            "news",
            "-a",
            f"seeds={seeds}",
            "-s",
            f"ARCHIVE_URI={tmp_path / 'a'}",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "contact" in result.stderr and "required" in result.stderr.lower()
    assert not (tmp_path / "a").exists()
