"""`scrapy crawl news` refuses a bad seed set or setting up front, with a one-line error."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def scrapy_crawl(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", "news", *args],
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        text=True,
        capture_output=True,
        timeout=60,
        check=False,
    )


def test_bad_seed_file_stops_the_crawl_with_file_line_and_key(tmp_path: Path) -> None:
    seeds = tmp_path / "bad.toml"
    seeds.write_text(
        'name = "x"\nstart_urls = ["http://127.0.0.1/"]\nallowed_domains = ["127.0.0.1"]\n'
        'related_depth = -1\ncontact = "https://example.org/bot"\n'
    )
    result = scrapy_crawl("-a", f"seeds={seeds}", "-s", f"ARCHIVE_URI={tmp_path / 'a'}")
    assert result.returncode == 2
    assert f"error: {seeds}: line 4: key 'related_depth': must be an integer >= 0" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "a").exists()


def test_missing_seed_argument_is_explained(tmp_path: Path) -> None:
    result = scrapy_crawl("-s", f"ARCHIVE_URI={tmp_path / 'a'}")
    assert result.returncode == 2
    assert "-a seeds=seeds/<set>.toml" in result.stderr


@pytest.mark.parametrize(
    "setting, message",
    [
        ("WARC_MAX_SIZE=abc", "setting WARC_MAX_SIZE: 'abc' is not valid"),
        ("WARC_PREFIX=a-b", "setting WARC_PREFIX: 'a-b' must be"),
        ("RECORDS_BATCH_SIZE=0", "setting RECORDS_BATCH_SIZE: must be an integer >= 1, got 0"),
        ("CRAWL_ID=Bad Id", "setting CRAWL_ID: 'Bad Id' must be"),
    ],
)
def test_bad_setting_stops_the_crawl_naming_setting_and_value(
    tmp_path: Path, setting: str, message: str
) -> None:
    result = scrapy_crawl(
        "-a",
        "seeds=seeds/demo.toml",
        "-s",
        setting,
        "-s",
        f"ARCHIVE_URI={tmp_path / 'a'}",
        env={"NEWSARCHIVE_DEMO_URL": "http://127.0.0.1:9"},
    )
    assert result.returncode == 2
    assert f"error: {message}" in result.stderr
    assert "Traceback" not in result.stderr


def test_bad_setting_in_the_seed_file_is_caught_too(tmp_path: Path) -> None:
    seeds = tmp_path / "s.toml"
    seeds.write_text(
        'name = "x"\nstart_urls = ["http://127.0.0.1:9/"]\nallowed_domains = ["127.0.0.1"]\n'
        'related_depth = 0\ncontact = "https://example.org/bot"\n[settings]\nWARC_MAX_AGE = -5\n'
    )
    result = scrapy_crawl("-a", f"seeds={seeds}", "-s", f"ARCHIVE_URI={tmp_path / 'a'}")
    assert result.returncode == 2
    assert "error: setting WARC_MAX_AGE: must be a number >= 0, got -5" in result.stderr
