"""load_seedset(): every way a value in a seed set can be wrong, duplicated or unresolved.

Each case edits lines of `VALID` (tests/crawler/seedfiles.py) and checks the message names the
file, the key and the line number that holds the mistake.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.crawler.seedfiles import (
    ALLOWED,
    CONTACT,
    DEPTH,
    DOMAINS,
    FEEDS,
    NAME,
    SITEMAPS,
    START_URLS,
    VALID,
    assert_points_at,
    edit,
    load_error,
)

# --- values --------------------------------------------------------------------------------------

BAD_VALUES = {
    "name with a space": (NAME, 'name = "World News"', "name", "got str 'World News'"),
    "name starting with '-'": (NAME, 'name = "-world"', "name", "lowercase letters"),
    "empty name": (NAME, 'name = ""', "name", "got str ''"),
    "name not a string": (NAME, "name = 7", "name", "got int 7"),
    "name not ASCII": (NAME, 'name = "welt-\u00fc"', "name", "lowercase letters"),
    "name too long": (NAME, f'name = "{"n" * 114}"', "name", "at most 113 characters"),
    "depth as a string": (DEPTH, 'related_depth = "2"', "related_depth", "integer, got str '2'"),
    "depth as a float": (DEPTH, "related_depth = 2.0", "related_depth", "got float 2.0"),
    "depth as a bool": (DEPTH, "related_depth = true", "related_depth", "got bool True"),
    "negative depth": (DEPTH, "related_depth = -1", "related_depth", ">= 0, got -1"),
    "depth too large": (DEPTH, "related_depth = 11", "related_depth", "at most 10, got 11"),
    "bare address": (CONTACT, 'contact = "ops@example.com"', "contact", "mailto: address"),
    "mailto without address": (CONTACT, 'contact = "mailto:"', "contact", "got 'mailto:'"),
    "mailto without host": (CONTACT, 'contact = "mailto:ops@"', "contact", "mailto:"),
    "mailto without user": (CONTACT, 'contact = "mailto:@example.com"', "contact", "mailto:"),
    "mailto with a space": (CONTACT, 'contact = "mailto:o ps@example.com"', "contact", "mailto"),
    "ftp contact": (CONTACT, 'contact = "ftp://example.com/bot"', "contact", "http(s) URL"),
    "contact without host": (CONTACT, 'contact = "https://"', "contact", "http(s) URL"),
    "contact not a string": (CONTACT, "contact = 42", "contact", "must be a string, got int 42"),
}


@pytest.mark.parametrize(
    ("line", "text", "key", "problem"), BAD_VALUES.values(), ids=BAD_VALUES.keys()
)
def test_bad_values(tmp_path: Path, line: int, text: str, key: str, problem: str) -> None:
    error = load_error(tmp_path, edit({line: text}))

    assert_points_at(error, tmp_path / "world-news.toml", key, line, problem)


BAD_URLS = {
    "ftp": (START_URLS, "ftp://example.com/", "'ftp://example.com/' is not an absolute http(s)"),
    "no scheme": (START_URLS, "example.com/news/", "is not an absolute http(s) URL"),
    "relative": (START_URLS, "/category/world/", "is not an absolute http(s) URL"),
    "no host": (START_URLS, "https://", "is not an absolute http(s) URL"),
    "bad port": (START_URLS, "https://example.com:99999/", "is not an absolute http(s) URL"),
    "space": (START_URLS, "https://example.com/a b", "is not an absolute http(s) URL"),
    "feed": (FEEDS, "feed://example.com/rss", "is not an absolute http(s) URL"),
    "sitemap": (SITEMAPS, "file:///srv/sitemap.xml", "is not an absolute http(s) URL"),
    "other domain": (
        START_URLS,
        "https://example.net/",
        f"host 'example.net' is outside allowed_domains {ALLOWED}",
    ),
    "same suffix, not a subdomain": (
        FEEDS,
        "https://notexample.com/feed/",
        "host 'notexample.com' is outside allowed_domains",
    ),
    "parent of an allowed domain": (
        SITEMAPS,
        "https://example.org/sitemap.xml",
        "host 'example.org' is outside allowed_domains",
    ),
}


@pytest.mark.parametrize(("line", "url", "problem"), BAD_URLS.values(), ids=BAD_URLS.keys())
def test_bad_urls(tmp_path: Path, line: int, url: str, problem: str) -> None:
    key = VALID.splitlines()[line - 1].partition(" ")[0]

    error = load_error(tmp_path, edit({line: f'{key} = ["{url}"]'}))

    assert_points_at(error, tmp_path / "world-news.toml", key, line, problem)


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ('"https://example.com/"', "must be a list of strings, got str 'https://example.com/'"),
        ("[5]", "item 1: must be a non-empty string, got int 5"),
        ('["https://example.com/", ""]', "item 2: must be a non-empty string, got str ''"),
        ('["https://example.com/", "  "]', "item 2: must be a non-empty string"),
    ],
)
def test_url_lists_hold_strings(tmp_path: Path, value: str, problem: str) -> None:
    error = load_error(tmp_path, edit({START_URLS: f"start_urls = {value}"}))

    assert_points_at(error, tmp_path / "world-news.toml", "start_urls", START_URLS, problem)


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        (
            '["https://example.com"]',
            "'https://example.com' is not a bare hostname: remove the scheme",
        ),
        ('["example.com/news"]', "'example.com/news' is not a bare hostname: remove the path"),
        ('["example.com:8080"]', "'example.com:8080' is not a bare hostname: remove the port"),
        ('["exa mple.com"]', "use letters, digits and '-' in dot-separated labels"),
        ('["-example.com"]', "use letters, digits and '-'"),
        ('["example..com"]', "use letters, digits and '-'"),
        ('["example.com."]', "use letters, digits and '-'"),
        ("[]", "must list at least one domain"),
        ('"example.com"', "must be a list of strings"),
    ],
)
def test_bad_domains(tmp_path: Path, value: str, problem: str) -> None:
    error = load_error(tmp_path, edit({DOMAINS: f"allowed_domains = {value}"}))

    assert_points_at(error, tmp_path / "world-news.toml", "allowed_domains", DOMAINS, problem)


# --- duplicates --------------------------------------------------------------------------------


def test_duplicate_url_in_one_list(tmp_path: Path) -> None:
    text = edit({START_URLS: 'start_urls = ["https://example.com/", "https://example.com/"]'})

    error = load_error(tmp_path, text)

    assert_points_at(
        error,
        tmp_path / "world-news.toml",
        "start_urls",
        START_URLS,
        "duplicate entry 'https://example.com/'",
    )


def test_duplicate_url_across_lists(tmp_path: Path) -> None:
    error = load_error(tmp_path, edit({SITEMAPS: 'sitemaps = ["https://example.com/feed/"]'}))

    assert_points_at(
        error,
        tmp_path / "world-news.toml",
        "sitemaps",
        SITEMAPS,
        "duplicate URL 'https://example.com/feed/', already in 'feeds'",
    )


def test_duplicate_after_resolving_variables(tmp_path: Path) -> None:
    text = edit({FEEDS: 'feeds = ["https://example.com/feed/", "https://${HOST}/feed/"]'})

    error = load_error(tmp_path, text, {"HOST": "example.com"})

    assert_points_at(error, tmp_path / "world-news.toml", "feeds", FEEDS, "duplicate entry")


@pytest.mark.parametrize("second", ["example.com", "Example.COM"])
def test_duplicate_domain(tmp_path: Path, second: str) -> None:
    text = edit({DOMAINS: f'allowed_domains = ["example.com", "{second}", "news.example.org"]'})

    error = load_error(tmp_path, text)

    assert_points_at(
        error,
        tmp_path / "world-news.toml",
        "allowed_domains",
        DOMAINS,
        "duplicate entry 'example.com'",
    )


# --- variables ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "text", "key", "problem"),
    [
        (
            START_URLS,
            'start_urls = ["https://${NEWS_HOST}/"]',
            "start_urls",
            "environment variable 'NEWS_HOST' is not set",
        ),
        (
            CONTACT,
            'contact = "mailto:${CRAWL_CONTACT}"',
            "contact",
            "environment variable 'CRAWL_CONTACT' is not set",
        ),
        (
            DOMAINS,
            'allowed_domains = ["$NEWS_DOMAIN"]',
            "allowed_domains",
            "environment variable 'NEWS_DOMAIN' is not set",
        ),
        (
            START_URLS,
            'start_urls = ["https://example.com/?price=$5"]',
            "start_urls",
            "bad '$' in 'https://example.com/?price=$5': write ${VAR}, or $$ for '$'",
        ),
    ],
)
def test_unresolved_variables(tmp_path: Path, line: int, text: str, key: str, problem: str) -> None:
    error = load_error(tmp_path, edit({line: text}), {"UNRELATED": "x"})

    assert_points_at(error, tmp_path / "world-news.toml", key, line, problem)
