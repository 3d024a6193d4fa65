"""`state rebuild` takes the spider's link limits as `scrapy crawl` does: the project's settings,
the seed set's over them, and the command line's ``-s`` over both; so a crawl run with
``-s NEWS_MAX_LINKS_PER_PAGE=...`` is rebuilt with the same limits when the rebuild gets the same
``-s``. Before, the rebuild read the project's and the seed set's settings only."""

from __future__ import annotations

from pathlib import Path

from scrapy.settings import Settings

from crawler.seeds import load_seedset
from pipelines.tools.statelistings import spider_limits
from settings import base
from tests.crawler.seedfiles import VALID, write


def command_settings(**cmdline: object) -> Settings:
    """The settings a scrapy command has: the project's, then ``-s`` at the command line's."""
    settings = Settings()
    settings.setmodule("settings.base", priority="project")
    settings.setdict(cmdline, priority="cmdline")
    return settings


def test_the_seed_sets_limit_is_over_the_projects(tmp_path: Path) -> None:
    seedset = load_seedset(write(tmp_path, VALID + "NEWS_MAX_LINKS_PER_PAGE = 7\n"))
    assert spider_limits(seedset).max_links_per_page == 7
    assert spider_limits(seedset, command_settings()).max_links_per_page == 7


def test_the_command_lines_limit_is_over_the_seed_sets(tmp_path: Path) -> None:
    seedset = load_seedset(write(tmp_path, VALID + "NEWS_MAX_LINKS_PER_PAGE = 7\n"))
    settings = command_settings(NEWS_MAX_LINKS_PER_PAGE=3, NEWS_MAX_SITEMAP_URLS=11)
    limits = spider_limits(seedset, settings)
    assert (limits.max_links_per_page, limits.max_sitemap_urls) == (3, 11)


def test_the_commands_settings_are_left_as_they_were(tmp_path: Path) -> None:
    """The seed set's values go on a copy: the command's settings keep the project's."""
    seedset = load_seedset(write(tmp_path, VALID + "NEWS_MAX_LINKS_PER_PAGE = 7\n"))
    settings = command_settings()
    assert spider_limits(seedset, settings).max_links_per_page == 7
    assert settings.getint("NEWS_MAX_LINKS_PER_PAGE") == base.NEWS_MAX_LINKS_PER_PAGE


def test_without_either_the_projects_limit_holds(tmp_path: Path) -> None:
    seedset = load_seedset(write(tmp_path, VALID))
    assert spider_limits(seedset, command_settings()).max_links_per_page == (
        base.NEWS_MAX_LINKS_PER_PAGE
    )
