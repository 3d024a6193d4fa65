"""The README's exit table, each status produced by a real command: `scrapy crawl` of the fixture
site that gets what it asked (0, a 404 included), that fetches nothing it was asked to (every
request blocked by the SSRF guard, refused, or excluded by robots.txt: 5), that a limit stops (3),
whose store is unreachable at the end (4, and `upload-pending` then: 4 too), a bad seed set (2,
every error listed), a spider that does not exist (1); `scrapy verify` on a sound archive (0), a
damaged one (7), a folder with no manifest (7) and a path with no archive (2). 6 (disk full) is
tests/e2e/test_disk_full.py's.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.servers.http import HttpServer

ROOT = Path(__file__).resolve().parents[2]
SEEDS = """\
name = "exits"
start_urls = [{urls}]
allowed_domains = ["127.0.0.1"]
related_depth = 0
contact = "https://example.org/crawler"
"""


def scrapy(
    tmp_path: Path, *args: str, profile: str = "settings.demo"
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "scrapy", *args],
        cwd=ROOT,
        env={**os.environ, "SCRAPY_SETTINGS_MODULE": profile},
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


def crawl(
    tmp_path: Path, *urls_and_options: str, profile: str = "settings.demo"
) -> subprocess.CompletedProcess[str]:
    """`scrapy crawl` of a seed set of `urls_and_options` up to the first "-s"; then options."""
    cut = urls_and_options.index("-s") if "-s" in urls_and_options else len(urls_and_options)
    urls, options = urls_and_options[:cut], urls_and_options[cut:]
    seeds = tmp_path / "exits.toml"
    seeds.write_text(SEEDS.format(urls=", ".join(f'"{url}"' for url in urls)))
    return scrapy(
        tmp_path,
        "crawl",
        "news",
        "-a",
        f"seeds={seeds}",
        "-s",
        f"ARCHIVE_URI={tmp_path / 'archive'}",
        "-s",
        f"STORE_SPOOL_DIR={tmp_path / 'spool'}",
        "-s",
        f"STATE_DIR={tmp_path / 'state'}",
        "-s",
        "EXTRACT_WORKERS=1",
        *options,
        profile=profile,
    )


def nothing_fetched(result: subprocess.CompletedProcess[str]) -> str:
    """The one line that says why; the status is 5."""
    assert result.returncode == 5, result.stderr[-3000:]
    lines = [line for line in result.stderr.splitlines() if "fetched nothing" in line]
    assert len(lines) == 1, result.stderr[-3000:]
    return lines[0]


def test_5_when_the_ssrf_guard_blocks_every_request(tmp_path: Path) -> None:
    with HttpServer() as site:  # settings.base: loopback is not opened
        result = crawl(tmp_path, site.url("/"), site.url("/feed/"), profile="settings.base")

    assert site.paths() == []
    line = nothing_fetched(result)
    assert "2 request(s) blocked by the SSRF guard, 0 failed, 0 excluded by robots.txt" in line
    assert list((tmp_path / "archive" / "manifests").glob("exits-*.json"))  # complete, empty


def test_5_when_every_request_fails(tmp_path: Path) -> None:
    with socket.create_server(("127.0.0.1", 0)) as probe:
        port = probe.getsockname()[1]  # closed below: connections are refused

    line = nothing_fetched(crawl(tmp_path, f"http://127.0.0.1:{port}/"))

    assert "0 request(s) blocked by the SSRF guard, 1 failed, 0 excluded by robots.txt" in line


def test_5_when_robots_txt_excludes_every_page(tmp_path: Path) -> None:
    with HttpServer() as site:
        result = crawl(tmp_path, site.url("/private/a/"), site.url("/private/b/"))

    assert site.paths() == ["/robots.txt"]
    line = nothing_fetched(result)
    assert "0 request(s) blocked by the SSRF guard, 0 failed, 2 excluded by robots.txt" in line


def test_0_for_a_crawl_that_fetched_what_it_was_asked(tmp_path: Path) -> None:
    with HttpServer() as site:  # a 404 is a page fetched: the crawl did its job
        result = crawl(tmp_path, site.url("/no-such-page/"))

    assert result.returncode == 0, result.stderr[-3000:]
    assert "fetched nothing" not in result.stderr


def test_2_for_a_bad_seed_set_with_every_error(tmp_path: Path) -> None:
    seeds = tmp_path / "bad.toml"
    seeds.write_text('name = "Bad"\nrelated_depth = -1\nallowed_domains = ["x.org"]\n')

    result = scrapy(tmp_path, "crawl", "news", "-a", f"seeds={seeds}")

    assert result.returncode == 2
    errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert errors == [
        f"error: {seeds}: key 'contact': missing required key",
        f"error: {seeds}: line 1: key 'name': must be lowercase letters, digits, '.', '_' or '-',"
        " got str 'Bad'",
        f"error: {seeds}: line 2: key 'related_depth': must be an integer >= 0, got -1",
        f"error: {seeds}: no URLs: give at least one of start_urls, feeds, sitemaps",
    ]


def test_1_when_the_crawl_cannot_start(tmp_path: Path) -> None:
    result = scrapy(tmp_path, "crawl", "no-such-spider", "-s", f"ARCHIVE_URI={tmp_path / 'a'}")

    assert result.returncode == 1
    assert "Spider not found: no-such-spider" in result.stderr


@pytest.fixture
def blocked_archive(tmp_path: Path) -> Path:
    """A complete (empty) archive: the crawl of test_5_when_the_ssrf_guard_blocks_every_request."""
    with HttpServer() as site:
        nothing_fetched(crawl(tmp_path, site.url("/"), profile="settings.base"))
    return tmp_path / "archive"


def test_verify_0_then_7_for_a_damaged_archive(tmp_path: Path, blocked_archive: Path) -> None:
    sound = scrapy(tmp_path, "verify", str(blocked_archive))
    report = next((blocked_archive / "reports").rglob("*.json"))
    report.unlink()
    damaged = scrapy(tmp_path, "verify", str(blocked_archive))

    assert sound.returncode == 0, sound.stdout + sound.stderr
    assert damaged.returncode == 7, damaged.stdout + damaged.stderr
    assert "MISSING" in damaged.stdout


def test_verify_7_without_a_manifest_and_2_without_an_archive(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()

    empty = scrapy(tmp_path, "verify", str(tmp_path / "empty"))
    absent = scrapy(tmp_path, "verify", str(tmp_path / "no" / "such" / "path"))

    assert empty.returncode == 7, empty.stdout + empty.stderr
    assert "MISSING  manifests/" in empty.stdout
    assert absent.returncode == 2, absent.stdout + absent.stderr
    assert "error:" in absent.stderr and "OK" not in absent.stdout
    assert not (tmp_path / "no").exists()


def test_3_for_a_crawl_stopped_by_a_limit(tmp_path: Path) -> None:
    with HttpServer() as site:
        result = crawl(tmp_path, site.url("/"), "-s", "CLOSESPIDER_PAGECOUNT=1")

    assert result.returncode == 3, result.stderr[-3000:]
    assert not (tmp_path / "archive" / "manifests").exists()


def test_4_when_the_store_is_unreachable_at_the_end(tmp_path: Path) -> None:
    with socket.create_server(("127.0.0.1", 0)) as probe:
        closed = f"http://127.0.0.1:{probe.getsockname()[1]}"
    unreachable = [
        "-s", "ARCHIVE_URI=s3://exits/archive", "-s", f"AWS_ENDPOINT_URL={closed}",
        "-s", "AWS_ACCESS_KEY_ID=test", "-s", "AWS_SECRET_ACCESS_KEY=test",
    ]  # fmt: skip
    with HttpServer() as site:
        crawled = crawl(
            tmp_path,
            site.url("/"),
            *unreachable,
            "-s",
            "STORE_PREFLIGHT=False",
            "-s",
            "STORE_DRAIN_TIMEOUT=1",
            "-s",
            "STORE_RETRY_INITIAL_DELAY=0.2",
        )
    pending = scrapy(
        tmp_path, "upload-pending", "s3://exits/archive", *unreachable[2:],
        "-s", f"STORE_SPOOL_DIR={tmp_path / 'spool'}",
    )  # fmt: skip

    assert crawled.returncode == 4, crawled.stderr[-3000:]
    assert pending.returncode == 4, pending.stdout + pending.stderr[-3000:]
