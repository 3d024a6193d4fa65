"""load_seedset(): a valid seed set, the file itself, its keys and its settings table.

The wrong values, duplicates and variables are in test_seeds_values.py; the seed set both edit is
`VALID` in tests/crawler/seedfiles.py.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from crawler.seeds import MAX_RELATED_DEPTH, SeedError, load_seedset
from tests.crawler.seedfiles import (
    BLANK,
    CONTACT,
    DEPTH,
    DOMAINS,
    FEEDS,
    FIRST_SETTING,
    NAME,
    SECOND_SETTING,
    SETTINGS_HEADER,
    SITEMAPS,
    START_URLS,
    VALID,
    assert_points_at,
    edit,
    load,
    load_error,
    write,
)

# --- valid seed sets ---------------------------------------------------------------------------


def test_a_complete_seed_set(tmp_path: Path) -> None:
    seeds = load(tmp_path, VALID)

    assert seeds.name == "world-news"
    assert seeds.path == tmp_path / "world-news.toml"
    assert seeds.start_urls == ("https://example.com/", "https://www.example.com/category/world/")
    assert seeds.feeds == ("https://example.com/feed/",)
    assert seeds.sitemaps == ("https://news.example.org/news-sitemap.xml",)
    assert seeds.allowed_domains == ("example.com", "news.example.org")
    assert seeds.related_depth == 2
    assert seeds.contact == "https://example.com/about/crawler"
    assert dict(seeds.settings) == {"DOWNLOAD_DELAY": 1.5, "CONCURRENT_REQUESTS_PER_DOMAIN": 2}
    assert seeds.user_agent("newsarchive/0.1") == (
        "newsarchive/0.1 (+https://example.com/about/crawler)"
    )


def test_a_seed_set_is_frozen_and_hashable(tmp_path: Path) -> None:
    seeds = load(tmp_path, VALID)

    assert hash(seeds) == hash(load(tmp_path, VALID))
    with pytest.raises(dataclasses.FrozenInstanceError):
        seeds.name = "other"  # type: ignore[misc]
    with pytest.raises(TypeError):
        seeds.settings["DOWNLOAD_DELAY"] = 0  # type: ignore[index]


def test_optional_keys_may_be_left_out(tmp_path: Path) -> None:
    text = edit({START_URLS: "", SITEMAPS: "", SETTINGS_HEADER: "", 12: "", 13: ""})

    seeds = load(tmp_path, text)

    assert (seeds.start_urls, seeds.feeds, seeds.sitemaps) == (
        (),
        ("https://example.com/feed/",),
        (),
    )
    assert dict(seeds.settings) == {}


def test_domains_are_lowercased_and_hosts_compared_without_case(tmp_path: Path) -> None:
    text = edit(
        {
            DOMAINS: 'allowed_domains = ["Example.COM"]',
            START_URLS: 'start_urls = ["https://WWW.EXAMPLE.com/World/"]',
            SITEMAPS: "",
        }
    )

    seeds = load(tmp_path, text)

    assert seeds.allowed_domains == ("example.com",)
    assert seeds.start_urls == ("https://WWW.EXAMPLE.com/World/",)


def test_boundary_values(tmp_path: Path) -> None:
    longest_name = "n" * 113  # with "-{14-digit stamp}", a 128-character crawl id
    for depth in (0, MAX_RELATED_DEPTH):
        text = edit(
            {
                NAME: f'name = "{longest_name}"',
                DEPTH: f"related_depth = {depth}",
                CONTACT: 'contact = "mailto:crawler@example.com"',
            }
        )

        seeds = load(tmp_path, text)

        assert (seeds.name, seeds.related_depth) == (longest_name, depth)
        assert seeds.contact == "mailto:crawler@example.com"


def test_variables_are_resolved(tmp_path: Path) -> None:
    text = edit(
        {
            CONTACT: 'contact = "mailto:${CRAWL_CONTACT}"',
            START_URLS: 'start_urls = ["https://${NEWS_HOST}/?q=$$x"]',
            DOMAINS: 'allowed_domains = ["${NEWS_DOMAIN}", "news.example.org"]',
        }
    )
    environ = {
        "CRAWL_CONTACT": "ops@example.com",
        "NEWS_HOST": "www.example.com",
        "NEWS_DOMAIN": "example.com",
    }

    seeds = load(tmp_path, text, environ)

    assert seeds.contact == "mailto:ops@example.com"
    assert seeds.start_urls == ("https://www.example.com/?q=$x",)
    assert seeds.allowed_domains == ("example.com", "news.example.org")


def test_variables_come_from_the_process_environment_by_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NEWSARCHIVE_TEST_CONTACT", "https://example.com/bot")
    path = write(tmp_path, edit({CONTACT: 'contact = "${NEWSARCHIVE_TEST_CONTACT}"'}))

    assert load_seedset(path).contact == "https://example.com/bot"
    assert load_seedset(str(path)).contact == "https://example.com/bot"


# --- the file itself ---------------------------------------------------------------------------


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "missing.toml"

    with pytest.raises(SeedError) as raised:
        load_seedset(path, {})

    assert_points_at(raised.value, path, None, None, "file not found")


def test_a_folder_is_not_a_seed_set(tmp_path: Path) -> None:
    with pytest.raises(SeedError) as raised:
        load_seedset(tmp_path, {})

    assert_points_at(raised.value, tmp_path, None, None, "cannot read the file")


def test_not_utf8(tmp_path: Path) -> None:
    text = edit({CONTACT: 'contact = "https://example.com/caf\u00e9"'}).encode("latin-1")

    offset = text.index("é".encode("latin-1"))

    error = load_error(tmp_path, text)

    assert_points_at(error, tmp_path / "world-news.toml", None, CONTACT, "not UTF-8 text")
    assert f"at byte {offset})" in error.problem


def test_invalid_toml(tmp_path: Path) -> None:
    error = load_error(tmp_path, edit({DEPTH: "related_depth = "}))

    assert_points_at(error, tmp_path / "world-news.toml", None, None, "invalid TOML")
    assert f"line {DEPTH}" in error.problem


# --- keys --------------------------------------------------------------------------------------

KNOWN = (
    "allowed_domains, contact, feeds, name, recrawl, related_depth, settings, sitemaps, start_urls"
)


@pytest.mark.parametrize(
    ("changes", "key", "line", "problem"),
    [
        (
            {START_URLS: 'start_url = ["https://example.com/"]'},
            "start_url",
            START_URLS,
            f"unknown key; did you mean 'start_urls'? (known: {KNOWN})",
        ),
        ({BLANK: "max_pages = 100"}, "max_pages", BLANK, f"unknown key (known: {KNOWN})"),
        ({SETTINGS_HEADER: "[setting]"}, "setting", SETTINGS_HEADER, "did you mean 'settings'?"),
        ({NAME: '"Name" = "world-news"'}, "Name", NAME, "did you mean 'name'?"),
    ],
)
def test_unknown_keys(
    tmp_path: Path, changes: dict[int, str], key: str, line: int, problem: str
) -> None:
    error = load_error(tmp_path, edit(changes))
    first = getattr(error, "errors", (error,))[0]  # '"Name"' also leaves 'name' missing

    assert_points_at(first, tmp_path / "world-news.toml", key, line, problem)


@pytest.mark.parametrize(
    ("line", "key"),
    [(NAME, "name"), (DOMAINS, "allowed_domains"), (DEPTH, "related_depth"), (CONTACT, "contact")],
)
def test_missing_required_keys(tmp_path: Path, line: int, key: str) -> None:
    error = load_error(tmp_path, edit({line: f"# {key} left out"}))

    assert_points_at(error, tmp_path / "world-news.toml", key, None, "missing required key")


def test_no_urls_at_all(tmp_path: Path) -> None:
    error = load_error(tmp_path, edit({START_URLS: "start_urls = []", FEEDS: "", SITEMAPS: ""}))

    assert_points_at(error, tmp_path / "world-news.toml", None, None, "no URLs")


# --- the settings table ------------------------------------------------------------------------

UPPERCASE = "Scrapy setting names are UPPERCASE identifiers"


@pytest.mark.parametrize(
    ("changes", "key", "line"),
    [
        ({FIRST_SETTING: "download_delay = 1.5"}, "settings.download_delay", FIRST_SETTING),
        ({SECOND_SETTING: "Concurrent_Requests = 2"}, "settings.Concurrent_Requests", 13),
        ({SECOND_SETTING: '"CONCURRENT REQUESTS" = 2'}, "settings.CONCURRENT REQUESTS", 13),
        ({SECOND_SETTING: "_PRIVATE = 2"}, "settings._PRIVATE", SECOND_SETTING),
        # "name" is also a top-level key, on line 2: the error must point into the table.
        ({SECOND_SETTING: 'name = "x"'}, "settings.name", SECOND_SETTING),
        # A table written inline or with dotted keys at the top level.
        (
            {SETTINGS_HEADER: "settings = { download_delay = 1.5 }", 12: "", 13: ""},
            "settings.download_delay",
            SETTINGS_HEADER,
        ),
        (
            {SETTINGS_HEADER: "", 12: "settings.DOWNLOAD_DELAY = 1.5", 13: "settings.depth = 2"},
            "settings.depth",
            13,
        ),
    ],
)
def test_bad_setting_names(tmp_path: Path, changes: dict[int, str], key: str, line: int) -> None:
    error = load_error(tmp_path, edit(changes))

    assert_points_at(error, tmp_path / "world-news.toml", key, line, UPPERCASE)


def test_settings_must_be_a_table(tmp_path: Path) -> None:
    error = load_error(tmp_path, edit({SETTINGS_HEADER: "settings = 5", 12: "", 13: ""}))

    assert_points_at(
        error,
        tmp_path / "world-news.toml",
        "settings",
        SETTINGS_HEADER,
        "must be a table, got int 5",
    )


def test_nested_settings_tables_are_kept(tmp_path: Path) -> None:
    text = (
        VALID + '\n[settings.ITEM_PIPELINES]\n"pipelines.records.pipeline.RecordsPipeline" = 800\n'
    )

    seeds = load(tmp_path, text)

    assert seeds.settings["ITEM_PIPELINES"] == {"pipelines.records.pipeline.RecordsPipeline": 800}


def test_in_scope_follows_the_offsite_rule(tmp_path: Path) -> None:
    path = tmp_path / "scope.toml"
    path.write_text(
        'name = "s"\nstart_urls = ["https://news.example.org/"]\n'
        'allowed_domains = ["example.org"]\nrelated_depth = 0\ncontact = "https://example.org/bot"\n'
    )
    seedset = load_seedset(path)
    assert seedset.in_scope("https://example.org/a")
    assert seedset.in_scope("http://www.example.org/a?b=1")
    assert not seedset.in_scope("https://badexample.org/a")
    assert not seedset.in_scope("https://example.org.evil.test/a")
    assert not seedset.in_scope("mailto:someone@example.org")
    assert not seedset.in_scope("https://example.org:99999/")
