"""One crawl over every hostile input in tests/hostile/cases.py: the crawl goes on, each outcome
is counted under its stat, the WARC holds what it should, the pages around each case are archived,
and the crawl's memory stays under a stated bound."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.hostile.cases import (
    CASES,
    CRAWL_SETTINGS,
    MEMORY_BOUND_MIB,
    NEVER_REQUESTED,
    Case,
    ok_path,
)
from tests.reports import report_of
from tests.servers.demo import ROOT, crawl_command
from tests.servers.http import HttpServer, LoggedRequest
from tests.warcs import WarcRecord, read_records, read_warc

CRAWL_ID = "hostile-20221012000000"


@dataclass
class Hostile:
    returncode: int
    peak_rss_mib: float
    listening: list[str]  # sockets the crawl process listened on, sampled mid-crawl
    requests: list[LoggedRequest]
    stats: dict[str, Any]
    responses: list[WarcRecord]
    records: list[dict[str, Any]]
    log: str

    def first(self, path: str) -> LoggedRequest:
        return next(r for r in self.requests if r.path == path)

    def responses_for(self, path: str) -> list[WarcRecord]:
        return [r for r in self.responses if target(r.uri) == path]


def target(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def seed_set(folder: Path) -> Path:
    """Link cases through a front page each, seed cases as start URLs, feeds and sitemaps as
    such; every case's "before" article comes first, and a last sitemap lists the "after"
    articles of the feed and sitemap cases."""
    starts: list[str] = []
    feeds: list[str] = []
    sitemaps: list[str] = []
    for case in CASES:
        if case.kind == "link":
            starts.append(f"/hostile/front/{case.name}")
        elif case.kind == "seed":
            starts += [ok_path(case, "before"), case.path, ok_path(case, "after")]
        else:
            starts.append(ok_path(case, "before"))
            (feeds if case.kind == "feed" else sitemaps).append(case.path)
    sitemaps.append("/hostile/tail-sitemap.xml")

    def urls(paths: list[str]) -> str:
        return json.dumps(["${NEWSARCHIVE_DEMO_URL}" + path for path in paths])

    path = folder / "hostile.toml"
    path.write_text(
        f'name = "hostile"\nstart_urls = {urls(starts)}\nfeeds = {urls(feeds)}\n'
        f'sitemaps = {urls(sitemaps)}\nallowed_domains = ["127.0.0.1"]\nrelated_depth = 0\n'
        'contact = "https://example.org/newsarchive-tests"\n'
    )
    return path


def listening_sockets(pid: int) -> list[str]:
    """The TCP sockets in LISTEN state that process `pid` holds open."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            link = os.readlink(fd)
        except OSError:
            continue
        if link.startswith("socket:["):
            inodes.add(link[8:-1])
    found = []
    for table in ("tcp", "tcp6"):
        for line in Path(f"/proc/{pid}/net/{table}").read_text().splitlines()[1:]:
            fields = line.split()
            if fields[3] == "0A" and fields[9] in inodes:  # 0A: LISTEN
                found.append(f"{table} {fields[1]}")
    return found


def run(command: list[str], env: dict[str, str], site: HttpServer) -> tuple[int, int, list[str]]:
    """Run the crawl; once it serves the stalled case (well into the crawl) note the sockets it
    listens on; return its exit code, its peak RSS in KiB (its own or a child's) and those."""
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    listening: list[str] | None = None
    deadline = time.monotonic() + 600
    while True:
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            break
        if listening is None and any(r.path.startswith("/special/stall") for r in site.requests()):
            listening = listening_sockets(process.pid)
        if time.monotonic() > deadline:
            process.kill()
        time.sleep(0.1)  # polling the process and the server's log
    process.returncode = os.waitstatus_to_exitcode(status)
    assert listening is not None, "the crawl never reached the stalled case"
    return process.returncode, usage.ru_maxrss, listening


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Hostile:
    tmp = tmp_path_factory.mktemp("hostile")
    root = tmp / "archive"
    settings = {**CRAWL_SETTINGS, "STORE_SPOOL_DIR": str(tmp / "spool")}
    with HttpServer(log=tmp / "requests.jsonl") as site:
        command, env = crawl_command(
            site.base_url, str(root), CRAWL_ID, settings, tmp / "crawl.log", str(seed_set(tmp))
        )
        code, peak_kib, listening = run(command, env, site)
    log = (tmp / "crawl.log").read_text("utf-8", errors="replace")
    assert code == 0, log[-5000:]
    report = report_of(root, CRAWL_ID)
    warcs = sorted((root / "warc" / CRAWL_ID).glob("*.warc.gz"))
    return Hostile(
        returncode=code,
        peak_rss_mib=peak_kib / 1024,
        listening=listening,
        requests=site.requests(),
        stats=report["stats"],
        responses=[r for w in warcs for r in read_warc(w) if r.rec_type == "response"],
        records=list(read_records(sorted((root / "records" / CRAWL_ID).glob("*.jsonl.gz")))),
        log=log,
    )


def test_there_are_at_least_30_cases() -> None:
    assert len(CASES) >= 30
    assert len({case.name for case in CASES}) == len(CASES)


def test_the_crawl_goes_on_to_a_finished_archive(hostile: Hostile) -> None:
    assert hostile.returncode == 0
    assert hostile.stats["finish_reason"] == "finished"
    assert "Spider closed (finished)" in hostile.log
    # No hostile input crashed a spider callback or a pipeline stage on the reactor.
    assert hostile.stats.get("spider_exceptions/count", 0) == 0
    assert hostile.stats.get("log_count/CRITICAL", 0) == 0


def test_each_outcome_is_counted_under_its_stat(hostile: Hostile) -> None:
    expected = Counter(case.stat for case in CASES)
    missing = {
        stat: (hostile.stats.get(stat, 0), count)
        for stat, count in expected.items()
        if hostile.stats.get(stat, 0) < count
    }
    assert not missing, f"stat: (counted, cases expecting it) {missing}"


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_each_case_is_served_and_archived_as_expected(hostile: Hostile, case: Case) -> None:
    hostile.first(case.path)  # the server was asked
    found = hostile.responses_for(case.path)
    if case.archived == "none":
        assert found == []
        return
    assert len(found) == 1, [r.headers for r in found]
    truncated = found[0].headers.get("WARC-Truncated")
    assert truncated == (None if case.archived == "complete" else case.archived)


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_articles_before_and_after_each_case_are_archived(hostile: Hostile, case: Case) -> None:
    at = hostile.first(case.path).time
    before, after = ok_path(case, "before"), ok_path(case, "after")
    assert hostile.first(before).time <= at <= hostile.first(after).time
    for path in (before, after):
        [response] = hostile.responses_for(path)
        assert response.http_status == 200 and "WARC-Truncated" not in response.headers
        assert [r for r in hostile.records if target(r["url"]) == path], f"no record for {path}"


@pytest.mark.parametrize(
    "case", [c for c in CASES if c.record], ids=[c.name for c in CASES if c.record]
)
def test_articles_that_survive_their_case_become_records(hostile: Hostile, case: Case) -> None:
    [record] = [r for r in hostile.records if target(r["url"]) == case.path]
    assert "harbour board" in record["text"].lower()


def test_memory_stays_under_the_stated_bound(hostile: Hostile) -> None:
    # A bomb expanded in memory (1 GiB) or entities expanded (billions of "lol") would blow it.
    assert 50 < hostile.peak_rss_mib < MEMORY_BOUND_MIB


def test_no_warc_write_failed(hostile: Hostile) -> None:
    assert hostile.stats.get("warc/write_failed", 0) == 0
    assert hostile.stats["warc/exchanges"] == len(hostile.responses)


def test_external_entities_are_never_fetched_nor_expanded(hostile: Hostile) -> None:
    paths = [r.path for r in hostile.requests]
    for never in NEVER_REQUESTED:
        assert never not in paths
    assert not [p for p in paths if "lol" in p or "&" in p]
    for name in ("feed-laughs-item", "feed-xxe-item", "sitemap-laughs-entry", "sitemap-xxe-entry"):
        assert f"/hostile/ok/{name}" in paths  # the real entries beside the entities were read


def test_bounds_cut_links_and_sitemaps(hostile: Hostile) -> None:
    paths = Counter(r.path.rpartition("-")[0] for r in hostile.requests)
    limit = int(CRAWL_SETTINGS["NEWS_MAX_LINKS_PER_PAGE"])
    assert paths["/hostile/ok/link"] == limit
    assert paths["/hostile/ok/feed-item"] == limit
    assert paths["/hostile/ok/sitemap-entry"] == int(CRAWL_SETTINGS["NEWS_MAX_SITEMAP_URLS"])
    deep = [r.path for r in hostile.requests if r.path.startswith("/hostile/sitemap-deep.xml")]
    assert len(deep) == int(CRAWL_SETTINGS["NEWS_MAX_SITEMAP_DEPTH"]) + 1


def test_invalid_and_non_http_links_are_not_followed(hostile: Hostile) -> None:
    paths = {r.path for r in hostile.requests}
    assert "/hostile/ok/bad-links-valid" in paths
    assert not [p for p in paths if "etc/passwd" in p or "alert" in p or "xxxxxxxxxx" in p]
    assert hostile.stats["urllength/request_ignored_count"] >= 1


def test_the_socket_probe_sees_a_listening_socket() -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        assert listening_sockets(os.getpid())


def test_the_crawl_process_listens_on_no_port(hostile: Hostile) -> None:
    # Neither Scrapy's telnet console nor its remote-control server is running.
    assert hostile.listening == []
