"""Config dataclasses built from Scrapy settings: defaults, bad values, redaction of secrets.

Settings start from `settings/base.py` (as a crawl's do) with overrides at command-line priority,
so these tests follow the defaults there instead of repeating them.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import pytest
from scrapy.settings import Settings

import settings.base as base
from commands.check import validate
from crawler.config import ConfigError
from crawler.redaction import redacted_settings
from pipelines.archive.config import ArchiveConfig
from pipelines.archive.identity import identify
from pipelines.extract.config import ExtractConfig
from pipelines.records.config import RecordsConfig
from pipelines.warc.config import WarcConfig

ConfigClass = type[ArchiveConfig] | type[WarcConfig] | type[ExtractConfig] | type[RecordsConfig]


def project_settings(**overrides: Any) -> Settings:
    settings = Settings()
    settings.setmodule(base, priority="project")
    settings.setdict(overrides, priority="cmdline")
    return settings


# --- valid settings ----------------------------------------------------------------------------


def test_the_defaults_are_valid() -> None:
    settings = project_settings()

    validate(settings)
    warc = WarcConfig.from_settings(settings)
    archive = ArchiveConfig.from_settings(settings)
    records = RecordsConfig.from_settings(settings)
    extract = ExtractConfig.from_settings(settings)

    assert (warc.prefix, warc.max_size, warc.max_age) == (
        base.WARC_PREFIX,
        base.WARC_MAX_SIZE,
        base.WARC_MAX_AGE,
    )
    assert archive.uri == base.ARCHIVE_URI
    assert archive.spool_dir == Path(base.STORE_SPOOL_DIR)
    assert archive.crawl_id is None  # made when the crawl starts
    assert identify(archive).writer_id.endswith(f"-{os.getpid()}")
    assert (records.batch_size, records.max_age) == (base.RECORDS_BATCH_SIZE, base.RECORDS_MAX_AGE)
    assert extract.inline is base.EXTRACT_INLINE


def test_command_line_strings_are_converted() -> None:
    settings = project_settings(
        WARC_MAX_SIZE="1024",
        WARC_MAX_AGE="0.5",
        EXTRACT_WORKERS="3",
        EXTRACT_INLINE="true",
        RECORDS_BATCH_SIZE="1",
        RECORDS_MAX_AGE="0",
    )

    assert WarcConfig.from_settings(settings).max_size == 1024
    assert WarcConfig.from_settings(settings).max_age == 0.5
    assert ExtractConfig.from_settings(settings) == ExtractConfig(workers=3, inline=True)
    assert RecordsConfig.from_settings(settings) == RecordsConfig(batch_size=1, max_age=0.0)


def test_zero_workers_means_one_per_core() -> None:
    config = ExtractConfig.from_settings(project_settings(EXTRACT_WORKERS=0))

    assert config.workers == (os.cpu_count() or 1)


def test_the_crawl_id_names_the_seed_set_and_the_time() -> None:
    config = ArchiveConfig.from_settings(project_settings(SEEDSET_NAME="world-news"))

    assert config.seedset == "world-news"
    assert re.fullmatch(r"world-news-\d{14}", identify(config).crawl_id)


def test_a_given_crawl_id_is_kept() -> None:
    config = ArchiveConfig.from_settings(
        project_settings(SEEDSET_NAME="world-news", CRAWL_ID="world-news-20221012093000")
    )

    assert config.crawl_id == identify(config).crawl_id == "world-news-20221012093000"


def test_archive_uri_and_spool_dir_are_stripped() -> None:
    config = ArchiveConfig.from_settings(
        project_settings(ARCHIVE_URI="  s3://news-bucket/archive/ ", STORE_SPOOL_DIR=" spool/ ")
    )

    assert config.uri == "s3://news-bucket/archive/"
    assert config.spool_dir == Path("spool")


def test_redacted_request_headers() -> None:
    config = WarcConfig.from_settings(project_settings(WARC_REDACT_HEADERS=["X-Api-Key"]))

    assert config.redact_headers >= {"authorization", "proxy-authorization", "cookie", "x-api-key"}


# --- bad values --------------------------------------------------------------------------------

# (config class, setting, value, how the message shows the value, what the message says)
BAD_VALUES: dict[str, tuple[ConfigClass, str, object, str, str]] = {
    "empty WARC prefix": (WarcConfig, "WARC_PREFIX", "", "''", "letters, digits"),
    "WARC prefix with '-'": (WarcConfig, "WARC_PREFIX", "news-archive", "'news-archive'", "no '-'"),
    "WARC prefix with a space": (WarcConfig, "WARC_PREFIX", "news x", "'news x'", "letters"),
    "WARC prefix starting with '.'": (WarcConfig, "WARC_PREFIX", ".news", "'.news'", "letters"),
    "WARC prefix not ASCII": (WarcConfig, "WARC_PREFIX", "n\u00e9ws", "'n\u00e9ws'", "letters"),
    "WARC size not a number": (WarcConfig, "WARC_MAX_SIZE", "1GB", "'1GB'", "is not valid"),
    "WARC size too small": (WarcConfig, "WARC_MAX_SIZE", 1023, "1023", "integer >= 1024"),
    "WARC size negative": (WarcConfig, "WARC_MAX_SIZE", -1, "-1", "integer >= 1024"),
    "WARC age not a number": (WarcConfig, "WARC_MAX_AGE", "hourly", "'hourly'", "is not valid"),
    "WARC age negative": (WarcConfig, "WARC_MAX_AGE", -0.5, "-0.5", "number >= 0"),
    "redacted header with a space": (
        WarcConfig,
        "WARC_REDACT_HEADERS",
        ["X Api Key"],
        "'X Api Key'",
        "is not a header name",
    ),
    "negative workers": (ExtractConfig, "EXTRACT_WORKERS", -1, "-1", "integer >= 0"),
    "workers not a number": (ExtractConfig, "EXTRACT_WORKERS", "many", "'many'", "is not valid"),
    "inline not a bool": (ExtractConfig, "EXTRACT_INLINE", "maybe", "'maybe'", "is not valid"),
    "batch of zero": (RecordsConfig, "RECORDS_BATCH_SIZE", 0, "0", "integer >= 1"),
    "negative batch": (RecordsConfig, "RECORDS_BATCH_SIZE", -5, "-5", "integer >= 1"),
    "batch not a number": (RecordsConfig, "RECORDS_BATCH_SIZE", "lots", "'lots'", "is not valid"),
    "records age negative": (RecordsConfig, "RECORDS_MAX_AGE", -1, "-1", "number >= 0"),
    "crawl id with a space": (ArchiveConfig, "CRAWL_ID", "world news", "'world news'", "lowercase"),
    "crawl id uppercase": (ArchiveConfig, "CRAWL_ID", "World-News", "'World-News'", "lowercase"),
    "crawl id starting with '-'": (ArchiveConfig, "CRAWL_ID", "-crawl", "'-crawl'", "starting"),
    "crawl id with '/'": (ArchiveConfig, "CRAWL_ID", "a/../b", "'a/../b'", "lowercase"),
    "crawl id too long": (ArchiveConfig, "CRAWL_ID", "c" * 129, "'" + "c" * 129 + "'", "lower"),
}


@pytest.mark.parametrize(
    ("config", "name", "value", "shown", "problem"), BAD_VALUES.values(), ids=BAD_VALUES.keys()
)
def test_bad_values(
    config: ConfigClass, name: str, value: object, shown: str, problem: str
) -> None:
    settings = project_settings(**{name: value})

    with pytest.raises(ConfigError) as raised:
        config.from_settings(settings)
    with pytest.raises(ConfigError):
        validate(settings)

    message = str(raised.value)
    assert message.startswith(f"setting {name}: ")
    assert shown in message
    assert problem in message
    assert isinstance(raised.value, ValueError)


@pytest.mark.parametrize("name", ["ARCHIVE_URI", "STORE_SPOOL_DIR"])
@pytest.mark.parametrize("value", ["", "   ", None])
def test_empty_archive_locations(name: str, value: object) -> None:
    with pytest.raises(ConfigError) as raised:
        ArchiveConfig.from_settings(project_settings(**{name: value}))

    assert str(raised.value).startswith(f"setting {name}: must not be empty")


def test_the_longest_crawl_id() -> None:
    config = ArchiveConfig.from_settings(project_settings(CRAWL_ID="c" * 128))

    assert config.crawl_id == "c" * 128


# --- redacted_settings -------------------------------------------------------------------------

SECRETS = {
    "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    "AWS_ACCESS_KEY_ID": "AKIAIOSFODNN7EXAMPLE",
    "AWS_SESSION_TOKEN": "FwoGZXIvYXdzEXAMPLESESSION",
    "GITHUB_TOKEN": "ghp_exampletokenvalue0000000000000000",
    "SENTRY_AUTH_TOKEN": "sntrys_exampletokenvalue",
    "my_api_token": "lowercase-name-token-value",
    "DB_PASSWORD": "correct horse battery staple",
    "PASSWORD": "hunter2-example",
    "SMTP_PASSWORD_FILE_CONTENTS": "another-example-password",
    "HTTPAUTH_PASS": "http-auth-example-password",
}
ORDINARY = {
    "BOT_NAME": "newsarchive",
    "ARCHIVE_URI": "s3://news-bucket/archive/",
    "WARC_PREFIX": "newsarchive",
    "WARC_MAX_SIZE": 1_000_000_000,
    "DOWNLOAD_DELAY": 0.5,
    "COOKIES_ENABLED": False,
    "CRAWL_ID": "",
    "SPIDER_MODULES": ["crawler.spiders"],
    "ITEM_PIPELINES": {"pipelines.records.pipeline.RecordsPipeline": 800},
    "KEYWORDS_FILE": "keywords.txt",
}


def test_secrets_are_redacted_and_ordinary_settings_kept() -> None:
    settings = project_settings(**SECRETS, **ORDINARY)

    redacted = redacted_settings(settings)

    assert {name: redacted[name] for name in SECRETS} == dict.fromkeys(SECRETS, "<redacted>")
    assert {name: redacted[name] for name in ORDINARY} == ORDINARY
    everything = repr(redacted)
    for secret in SECRETS.values():
        assert secret not in everything
    assert settings["AWS_SECRET_ACCESS_KEY"] == SECRETS["AWS_SECRET_ACCESS_KEY"]


def test_unset_secrets_stay_visibly_unset() -> None:
    redacted = redacted_settings(project_settings(AWS_ACCESS_KEY_ID=None))

    assert redacted["AWS_ACCESS_KEY_ID"] is None
    assert redacted["AWS_SECRET_ACCESS_KEY"] in (None, "")


def test_redacted_settings_are_sorted_by_name() -> None:
    redacted = redacted_settings(project_settings())

    assert list(redacted) == sorted(redacted)
    assert redacted["WARC_PREFIX"] == base.WARC_PREFIX


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"WARC_PREFIX": "newsarchive\n"}, "setting WARC_PREFIX"),
        ({"WARC_MAX_AGE": "nan"}, "setting WARC_MAX_AGE: must be a number >= 0, got nan"),
        ({"WARC_MAX_AGE": "inf"}, "setting WARC_MAX_AGE"),
        ({"WARC_MAX_SIZE": 2048.9}, "WARC_MAX_SIZE: must be an integer >= 1024, got 2048.9"),
        ({"WARC_MAX_SIZE": None}, "setting WARC_MAX_SIZE: must be an integer >= 1024, got None"),
        ({"WARC_REDACT_HEADERS": "X Bad"}, "setting WARC_REDACT_HEADERS: 'X Bad'"),
    ],
)
def test_edge_values_are_refused(overrides: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(message)):
        WarcConfig.from_settings(project_settings(**overrides))


def test_crawl_id_with_trailing_newline_and_bad_seedset_name_are_refused() -> None:
    with pytest.raises(ConfigError, match="setting CRAWL_ID"):
        ArchiveConfig.from_settings(project_settings(CRAWL_ID="crawl-1\n"))
    with pytest.raises(ConfigError, match="setting SEEDSET_NAME: 'World News'"):
        ArchiveConfig.from_settings(project_settings(SEEDSET_NAME="World News"))


def test_redact_header_list_from_the_command_line_is_trimmed() -> None:
    config = WarcConfig.from_settings(project_settings(WARC_REDACT_HEADERS="X-Api-Key, X-Session,"))
    assert {"x-api-key", "x-session", "authorization", "cookie"} <= config.redact_headers
    assert "" not in config.redact_headers


def test_redacted_settings_always_serialise_and_reach_nested_secrets() -> None:
    settings = project_settings(
        FEEDS={"s3://AKIAEXAMPLE:wJalrEXAMPLE@bucket/x.json": {"format": "json"}},
        EXTRA_HEADERS={"X-Api-Token": "t0ken-example", "Accept": "text/html"},
        PROXY_URL="http://user:pa55-example@127.0.0.1:3128",
        HTTPPROXY_AUTH_ENCODING="latin-1",
    )
    redacted = redacted_settings(settings)
    text = json.dumps(redacted)  # Scrapy's RETRY_EXCEPTIONS holds classes: must not raise
    for secret in ("AKIAEXAMPLE", "wJalrEXAMPLE", "t0ken-example", "pa55-example"):
        assert secret not in text
    assert redacted["EXTRA_HEADERS"]["Accept"] == "text/html"
    assert redacted["PROXY_URL"] == "http://<redacted>@127.0.0.1:3128"
    assert redacted["HTTPPROXY_AUTH_ENCODING"] == "latin-1"
    assert redacted["COOKIES_ENABLED"] is False
