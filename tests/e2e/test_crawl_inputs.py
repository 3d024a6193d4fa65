"""A crawl with broken feeds and sitemaps, small WARC files and small record parts: the bad
inputs are counted and named, the crawl goes on, and nothing is lost across rotations."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.reports import report_of
from tests.servers.demo import crawl
from tests.servers.http import HttpServer
from tests.warcs import read_range, read_records, read_warc

CRAWL_ID = "inputs-20221012000000"


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, dict[str, int]]:
    tmp = tmp_path_factory.mktemp("inputs")
    seeds = tmp / "inputs.toml"
    seeds.write_text(
        'name = "inputs"\n'
        'start_urls = ["${NEWSARCHIVE_DEMO_URL}/category/world/"]\n'
        'feeds = ["${NEWSARCHIVE_DEMO_URL}/special/broken-feed.xml",\n'
        '         "${NEWSARCHIVE_DEMO_URL}/feed/"]\n'
        'sitemaps = ["${NEWSARCHIVE_DEMO_URL}/special/broken-sitemap.xml"]\n'
        'allowed_domains = ["127.0.0.1"]\nrelated_depth = 0\n'
        'contact = "https://example.org/bot"\n'
        "[settings]\nWARC_MAX_SIZE = 20000\nRECORDS_BATCH_SIZE = 2\nDOWNLOAD_DELAY = 0\n"
        "AUTOTHROTTLE_ENABLED = false\n"
    )
    root = tmp / "archive"
    with HttpServer() as site:
        result = crawl(
            site.base_url,
            str(root),
            CRAWL_ID,
            seeds=str(seeds),
            capture=True,
            log_file=tmp / "crawl.log",
            extra={"STORE_SPOOL_DIR": str(tmp / "spool")},
        )
    log = (tmp / "crawl.log").read_text("utf-8")
    assert result.returncode == 0, result.stderr + log
    stats = report_of(root, CRAWL_ID)["stats"]
    return root, log, stats


def test_broken_feed_and_sitemap_are_counted_and_named(
    crawled: tuple[Path, str, dict[str, int]],
) -> None:
    _, log, stats = crawled
    assert stats["news/feeds_broken"] == 1 and stats["news/feeds"] == 1
    assert stats["news/sitemaps_broken"] == 1
    assert "broken feed http://127.0.0.1:" in log and "/special/broken-feed.xml" in log
    assert "broken sitemap http://127.0.0.1:" in log and "/special/broken-sitemap.xml" in log


def test_rotated_files_and_parts_lose_nothing(crawled: tuple[Path, str, dict[str, int]]) -> None:
    root, _, stats = crawled
    warcs = sorted((root / "warc" / CRAWL_ID).glob("*.warc.gz"))
    parts = sorted((root / "records" / CRAWL_ID).glob("*.jsonl.gz"))
    assert len(warcs) >= 3 and len(parts) == 3
    responses = [r for w in warcs for r in read_warc(w) if r.rec_type == "response"]
    assert len(responses) == stats["warc/exchanges"] == stats["downloader/response_count"]
    records = list(read_records(parts))
    assert len(records) == 5 == len({r["url"] for r in records})
    for record in records:
        pointer = record["warc"]
        found = read_range(
            root / "warc" / CRAWL_ID / pointer["filename"], pointer["offset"], pointer["length"]
        )
        assert found.record_id == pointer["record_id"] and found.uri == record["final_url"]
    manifest = json.loads((root / "manifests" / f"{CRAWL_ID}.json").read_text())
    assert manifest["counts"]["warc_objects"] == len(warcs)
    assert manifest["counts"]["records_records"] == 5
