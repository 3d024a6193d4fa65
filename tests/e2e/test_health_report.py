"""`scrapy report`: the per-source health of a fixture archive (three hosts, two crawls of one
seed set), as JSON checked against what the crawls' own reports counted, and as an HTML page
rendered by a real headless chromium, which must show every host and its figures."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.health_crawls import CRAWL_IDS, HOSTS, HealthArchive, crawl_hosts
from tests.reports import report_of
from tests.servers.chromium import dump_dom, screenshot
from tests.servers.demo import ROOT


def report(*args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "scrapy", "report", *args]
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> HealthArchive:
    return crawl_hosts(tmp_path_factory.mktemp("health"))


@pytest.fixture(scope="module")
def figures(archive: HealthArchive, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    out = tmp_path_factory.mktemp("health-json") / "report.json"
    result = report(str(archive.root), "-o", str(out))
    assert result.returncode == 0, result.stderr
    value: dict[str, Any] = json.loads(out.read_text("utf-8"))
    return value


def test_each_host_of_each_crawl_has_its_figures(figures: dict[str, Any]) -> None:
    crawls = {crawl["crawl_id"]: crawl for crawl in figures["crawls"]}
    assert list(crawls) == list(CRAWL_IDS)
    first = crawls[CRAWL_IDS[0]]
    assert first["complete"] and sorted(first["hosts"]) == list(HOSTS)
    a, b, c = (first["hosts"][host] for host in HOSTS)
    assert a["records"] > 0 and a["article_yield"] > 0 and a["median_text_length"] > 500
    assert b["statuses"]["429"] == 1 and b["rate_429"] == round(1 / b["pages"], 4)
    assert b["statuses"]["500"] == 3 and b["rate_5xx"] > 0.3  # /broken/ and its two retries
    assert b["robots_excluded"] == 1 and b["records"] == 1
    assert c["records"] > 0 and c["rate_403"] == 0
    assert first["totals"]["pages"] == sum(h["pages"] for h in first["hosts"].values())
    for host in first["hosts"].values():
        assert host["empty_text_rate"] == 0 and host["extraction_failure_rate"] == 0
        assert host["missing_date_rate"] == 0 and host["encoding_fallback_rate"] == 0


def test_the_archive_says_what_the_crawl_counted(
    archive: HealthArchive, figures: dict[str, Any]
) -> None:
    """The figures read back from indexes and records equal the per-host counts each crawl
    kept while it ran and wrote into its report."""
    for crawl in figures["crawls"]:
        counted = report_of(archive.root, crawl["crawl_id"])["hosts"]
        assert sorted(counted) == list(HOSTS)
        for host, read_back in crawl["hosts"].items():
            assert read_back == counted[host]["figures"], host


def test_a_seed_set_is_followed_across_its_crawls(figures: dict[str, Any]) -> None:
    seedset = figures["seedsets"]["health"]
    assert seedset["crawls"] == list(CRAWL_IDS)
    over_time = seedset["over_time"]
    assert [p["started"] for p in over_time] == ["2026-12-01T00:00:00Z", "2026-12-02T00:00:00Z"]
    assert all(p["article_yield"] > 0 for p in over_time)
    both = [crawl["hosts"]["127.0.0.2"]["pages"] for crawl in figures["crawls"]]
    assert seedset["hosts"]["127.0.0.2"]["pages"] == sum(both)


def test_the_page_shows_hosts_and_figures_in_chromium(
    archive: HealthArchive, figures: dict[str, Any], tmp_path: Path
) -> None:
    page = tmp_path / "report.html"
    result = report(str(archive.root), "-o", str(page))
    assert result.returncode == 0, result.stderr
    html = page.read_text("utf-8")
    assert not re.search(r"<script|<link|<img|src=|@import|url\(", html)  # self-contained
    dom = dump_dom(page)  # as chromium built it
    first = figures["crawls"][0]
    section = dom.split(f'id="crawl-{first["crawl_id"]}"', 1)[1].split("</section>", 1)[0]
    for host in HOSTS:
        row = re.search(rf'<tr data-host="{re.escape(host)}">(.*?)</tr>', section)
        assert row is not None, host
        cells = re.findall(r"<td[^>]*>([^<]*)</td>", row.group(1))
        figures_ = first["hosts"][host]
        assert cells[0] == host and cells[1] == str(figures_["pages"])
        assert cells[4] == f"{100 * figures_['rate_5xx']:.1f}%"
        # the status-mix bar: one mark per kind of answer, as many pages as counted
        marks = re.findall(
            rf'data-host="{re.escape(host)}" data-kind="(\w+)" data-count="(\d+)"', section
        )
        assert sum(int(n) for _, n in marks) == figures_["pages"]
    assert ("429", "1") in re.findall(
        r'data-host="127.0.0.2" data-kind="(\w+)" data-count="(\d+)"', section
    )
    points = re.findall(r'data-series="article_yield" data-crawl="([^"]+)"', dom)
    assert points == list(CRAWL_IDS)
    png = screenshot(page, tmp_path / "report.png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 10_000


def test_one_crawl_and_the_errors(archive: HealthArchive, tmp_path: Path) -> None:
    result = report(str(archive.root), "--crawl", CRAWL_IDS[1], "--json")
    assert result.returncode == 0, result.stderr
    assert [c["crawl_id"] for c in json.loads(result.stdout)["crawls"]] == [CRAWL_IDS[1]]
    missing = report(str(archive.root), "--crawl", "health-20000101000000")
    assert missing.returncode == 2 and "no crawl 'health-20000101000000'" in missing.stderr
    empty = tmp_path / "empty"
    empty.mkdir()
    assert report(str(empty)).returncode == 2
    assert report(str(tmp_path / "nowhere")).returncode == 2
