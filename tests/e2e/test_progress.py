"""The progress line and the summary of every crawl: a crawl of the fixture site with a short
PROGRESS_INTERVAL logs progress lines while it runs, and ends with the summary, which is also
in its report (the same lines ``make demo`` prints, from pipelines/archive/summary.py)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.reports import report_of
from tests.servers.demo import crawl, summary
from tests.servers.http import HttpServer

CRAWL_ID = "demo-20221012000001"
PROGRESS = re.compile(
    r"progress: (\d+) pages \((\d+)/min\), (\d+) articles \(\d+/min\), (\d+) records \(\d+/min\), "
    r"WARC ([\d.]+) MB, (\d+) file\(s\) waiting for upload, (\d+) item\(s\) in extraction"
)


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, dict[str, Any], Path]:
    tmp = tmp_path_factory.mktemp("progress")
    root, log = tmp / "archive", tmp / "crawl.log"
    # a slow site: each answer waits 150 ms, so the crawl spans many 0.2 s intervals
    with HttpServer(log=tmp / "requests.jsonl", delay_ms=150) as site:
        result = crawl(
            site.base_url,
            str(root),
            CRAWL_ID,
            capture=True,
            log_file=log,
            extra={"STORE_SPOOL_DIR": str(tmp / "spool"), "PROGRESS_INTERVAL": "0.2"},
        )
    text = log.read_text("utf-8")
    assert result.returncode == 0, result.stderr + text
    return text, report_of(root, CRAWL_ID), root


def test_progress_lines_are_logged_while_the_crawl_runs(
    crawled: tuple[str, dict[str, Any], Path],
) -> None:
    log, report, _ = crawled
    lines = [PROGRESS.search(line) for line in log.splitlines()]
    progress = [m for m in lines if m is not None]
    assert len(progress) >= 3, log  # periodic lines, then the last one at close
    pages = [int(m.group(1)) for m in progress]
    assert pages == sorted(pages) and pages[0] < pages[-1]
    assert any(int(m.group(2)) > 0 for m in progress[:-1])  # a rate while it ran
    last = progress[-1]
    stats = report["stats"]
    assert int(last.group(1)) == stats["downloader/response_count"]
    assert int(last.group(3)) == stats["news/articles"]
    assert int(last.group(4)) == stats["records/written"]
    assert float(last.group(5)) > 0
    assert "Crawled " not in log  # Scrapy's LogStats line is replaced


def test_the_summary_ends_the_log_and_is_in_the_report(
    crawled: tuple[str, dict[str, Any], Path],
) -> None:
    log, report, root = crawled
    logged = log.split("crawl summary:\n", 1)[1]
    section = report["summary"]
    stats = report["stats"]
    assert section["crawl_id"] == CRAWL_ID
    assert section["records"] == stats["records/written"] > 0
    assert section["statuses"] == {
        k.rsplit("/", 1)[1]: v
        for k, v in stats.items()
        if k.startswith("downloader/response_status_count/")
    }
    assert section["warc_files"] == stats["warc/files"] >= 1
    # the log's lines are the report's, plus the outcome the report could not know yet
    for line in section["lines"][:5]:
        assert line in logged
    assert "outcome:         complete" in logged
    # make demo prints the same summary, read back from the store
    demo = summary(str(root), CRAWL_ID).splitlines()
    assert demo[:5] == section["lines"][:5]
