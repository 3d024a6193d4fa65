"""A seed set with several mistakes is refused with all of them at once, one line each, so that
one run of the crawl (or of a scheduled job) shows everything to fix; a single mistake keeps its
one-line message (tests/crawler/test_seeds.py)."""

from __future__ import annotations

from pathlib import Path

from crawler.seeds import SeedErrors
from tests.crawler.seedfiles import (
    CONTACT,
    DEPTH,
    DOMAINS,
    FEEDS,
    NAME,
    SECOND_SETTING,
    START_URLS,
    edit,
    load_error,
)


def test_every_error_of_a_file_is_reported_at_once(tmp_path: Path) -> None:
    text = edit(
        {
            NAME: 'name = "World News"',
            DEPTH: "related_depth = -1",
            CONTACT: "# contact left out",
            START_URLS: 'start_urls = ["ftp://example.com/"]',
            FEEDS: 'feedz = ["https://example.com/feed/"]',
            SECOND_SETTING: "lower_case = 2",
        }
    )

    error = load_error(tmp_path, text)

    assert isinstance(error, SeedErrors)
    path = tmp_path / "world-news.toml"
    lines = str(error).splitlines()
    assert lines[0].startswith(f"{path}: line {FEEDS}: key 'feedz': unknown key; did you mean")
    assert lines[1:] == [
        f"{path}: key 'contact': missing required key",
        f"{path}: line {NAME}: key 'name': must be lowercase letters, digits, '.', '_' or '-', "
        "got str 'World News'",
        f"{path}: line {DEPTH}: key 'related_depth': must be an integer >= 0, got -1",
        f"{path}: line {START_URLS}: key 'start_urls': 'ftp://example.com/' is not an absolute "
        "http(s) URL",
        f"{path}: line {SECOND_SETTING}: key 'settings.lower_case': Scrapy setting names are "
        "UPPERCASE identifiers",
    ]
    assert (error.path, error.key, error.line) == (path, "feedz", FEEDS)  # the first one's


def test_urls_are_not_judged_against_domains_that_are_wrong_themselves(tmp_path: Path) -> None:
    error = load_error(tmp_path, edit({DOMAINS: 'allowed_domains = ["https://example.com/"]'}))

    assert not isinstance(error, SeedErrors)  # one mistake, not one per URL out of scope
    assert error.key == "allowed_domains" and "remove the scheme" in error.problem
