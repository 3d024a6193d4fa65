"""The seed set file the seed-set tests edit, and helpers to load it and check its errors.

Every error case edits one or more lines of `VALID` and checks the message names the file, the key
and the line number that holds the mistake.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler.seeds import SeedError, SeedSet, load_seedset

VALID = """\
# World news from the example sites, for the demo crawl.
name = "world-news"
allowed_domains = ["example.com", "news.example.org"]
related_depth = 2
contact = "https://example.com/about/crawler"

start_urls = ["https://example.com/", "https://www.example.com/category/world/"]
feeds = ["https://example.com/feed/"]
sitemaps = ["https://news.example.org/news-sitemap.xml"]

[settings]
DOWNLOAD_DELAY = 1.5
CONCURRENT_REQUESTS_PER_DOMAIN = 2
"""
# Line numbers in VALID.
NAME, DOMAINS, DEPTH, CONTACT, BLANK, START_URLS, FEEDS, SITEMAPS = 2, 3, 4, 5, 6, 7, 8, 9
SETTINGS_HEADER, FIRST_SETTING, SECOND_SETTING = 11, 12, 13
ALLOWED = "['example.com', 'news.example.org']"


def edit(changes: dict[int, str]) -> str:
    """VALID with the numbered lines replaced; a key is removed by replacing it with a comment."""
    lines = VALID.splitlines()
    for number, line in changes.items():
        lines[number - 1] = line
    return "\n".join(lines) + "\n"


def write(tmp_path: Path, text: str | bytes) -> Path:
    path = tmp_path / "world-news.toml"
    if isinstance(text, str):
        text = text.encode("utf-8")
    path.write_bytes(text)
    return path


def load(tmp_path: Path, text: str, environ: dict[str, str] | None = None) -> SeedSet:
    return load_seedset(write(tmp_path, text), {} if environ is None else environ)


def load_error(
    tmp_path: Path, text: str | bytes, environ: dict[str, str] | None = None
) -> SeedError:
    path = write(tmp_path, text)
    with pytest.raises(SeedError) as raised:
        load_seedset(path, {} if environ is None else environ)
    return raised.value


def assert_points_at(
    error: SeedError, path: Path, key: str | None, line: int | None, problem: str
) -> None:
    """The message is "{file}: line {n}: key {key!r}: {problem}", with absent parts left out."""
    where = [str(path)]
    if line is not None:
        where.append(f"line {line}")
    if key is not None:
        where.append(f"key {key!r}")
    assert str(error) == ": ".join([*where, error.problem])
    assert (error.path, error.key, error.line) == (path, key, line)
    assert problem in error.problem
    assert isinstance(error, ValueError)
