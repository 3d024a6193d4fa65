"""Prometheus metrics: with PROMETHEUS_PORT set, a crawl of the fixture site serves its counters
per host on 127.0.0.1; the test scrapes the endpoint while the crawl runs, reads it with
prometheus-client's own parser, and checks the counters against the crawl's report."""

from __future__ import annotations

import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families

from tests.reports import report_of
from tests.servers.demo import ROOT, crawl, crawl_command
from tests.servers.http import HttpServer
from tests.servers.lifecycle import free_port

CRAWL_ID = "demo-20221012000002"
HOST = "127.0.0.1"


def scrape(port: int) -> dict[tuple[str, tuple[tuple[str, str], ...]], float] | None:
    """Every sample of the endpoint, by name and labels; None while nothing listens."""
    try:
        with urllib.request.urlopen(f"http://{HOST}:{port}/metrics", timeout=5) as answer:
            text = answer.read().decode("utf-8")
    except (urllib.error.URLError, ConnectionError):
        return None
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def records_of(samples: dict[tuple[str, tuple[tuple[str, str], ...]], float]) -> float:
    return samples.get(("newsarchive_articles_total", (("host", HOST), ("outcome", "record"))), 0)


def test_the_counters_per_host_are_scraped_during_the_crawl(tmp_path: Path) -> None:
    port = free_port()
    with HttpServer(log=tmp_path / "requests.jsonl", delay_ms=150) as site:
        command, env = crawl_command(
            site.base_url,
            str(tmp_path / "archive"),
            CRAWL_ID,
            {"STORE_SPOOL_DIR": str(tmp_path / "spool"), "PROMETHEUS_PORT": str(port)},
            tmp_path / "crawl.log",
        )
        process = subprocess.Popen(command, cwd=ROOT, env=env)
        try:
            seen = None
            deadline = time.monotonic() + 120
            while process.poll() is None and time.monotonic() < deadline:
                samples = scrape(port)
                if samples is not None and records_of(samples) >= 1:
                    seen = samples  # the last scrape that showed a record
                time.sleep(0.05)  # poll interval
            code = process.wait(timeout=120)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
    log = (tmp_path / "crawl.log").read_text("utf-8")
    assert code == 0, log
    assert f"Prometheus metrics on http://{HOST}:{port}/metrics" in log
    assert seen is not None, "no scrape during the crawl showed a record"
    counts = report_of(tmp_path / "archive", CRAWL_ID)["hosts"][HOST]["counts"]
    responses = {
        dict(labels)["status"]: value
        for (name, labels), value in seen.items()
        if name == "newsarchive_responses_total" and dict(labels)["host"] == HOST
    }
    assert responses["200"] >= 1
    for status, value in responses.items():  # counters only grow: the end has at least as many
        assert value <= counts["statuses"][status]
    assert 1 <= records_of(seen) <= counts["records"]
    assert ("newsarchive_warc_bytes", ()) in seen and ("newsarchive_pages_total", ()) in seen
    assert scrape(port) is None  # the endpoint closed with the crawl


def test_a_port_in_use_stops_the_crawl_with_the_reason(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind((HOST, 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = crawl(
            "http://127.0.0.1:9/",
            str(tmp_path / "archive"),
            CRAWL_ID,
            capture=True,
            extra={"STORE_SPOOL_DIR": str(tmp_path / "spool"), "PROMETHEUS_PORT": str(port)},
        )
    assert result.returncode != 0
    assert f"setting PROMETHEUS_PORT: cannot listen on {HOST}:{port}" in result.stderr
