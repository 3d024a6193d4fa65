"""load_seedset(): a valid seed set, and every way a seed set file can be wrong.

Every error case edits one or more lines of `VALID` and checks the message names the file, the key
and the line number that holds the mistake.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from crawler.seeds import MAX_RELATED_DEPTH, SeedError, SeedSet, load_seedset

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

KNOWN = "allowed_domains, contact, feeds, name, related_depth, settings, sitemaps, start_urls"


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

    assert_points_at(error, tmp_path / "world-news.toml", key, line, problem)


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
