"""The crawl state of a run: opened (and its seed set locked) before the first request, closed
when the engine stops, and shared by the components that use it.

``CrawlStateExtension`` is built with the other extensions, after the spider (which names the
seed set) and before the middlewares and pipelines, which take its ``tracker`` in their own
``from_crawler``; with ``STATE_ENABLED`` off it is not configured, and neither are they.

``hold_state`` opens the state for the life of the process; opening it again in the same
process returns the same state. So ``scrapy crawl`` can open it first, before the crawl
starts, and turn a :class:`~crawler.state.base.StateError` (another run holds the seed set, a
corrupt file) into one ``error:`` line and exit status 2, as for a JOBDIR in use.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Collection, Iterator
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Self

from redis.exceptions import RedisError
from scrapy import signals
from scrapy.exceptions import NotConfigured

from crawler.signals import lease_returned, requests_leased, write_failed
from crawler.state.base import CrawlState, StateError, UrlState
from crawler.state.config import StateConfig
from crawler.state.redis import RedisState
from crawler.state.schedule import DEFAULT, Schedule
from crawler.state.sqlite import SqliteState, state_path
from crawler.state.tracker import StateTracker

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.settings import BaseSettings

logger = logging.getLogger(__name__)

_held: dict[str, CrawlState] = {}  # the states this process holds, by file or Redis keys


def hold_state(config: StateConfig, seedset: str) -> CrawlState:
    """The seed set's state, opened (and a SQLite one locked) for this process, once: in the
    backend that STATE_BACKEND names, by default Redis in a shared crawl (REDIS_URL), where
    the processes of the crawl share it (crawler.state.redis), else a SQLite file."""
    if config.backend == "redis" and config.redis_url:
        key = f"{config.redis_url} {seedset}"
        if key not in _held:
            _held[key] = RedisState.open(config.redis_url, seedset, wait=config.redis_wait)
        return _held[key]
    path = state_path(config.directory, seedset).resolve()
    if str(path) not in _held:
        _held[str(path)] = SqliteState.open(path, wait=config.wait)
    return _held[str(path)]


def crawl_state(settings: BaseSettings) -> CrawlState | None:
    """The state of the crawl's seed set, held by this process; None with STATE_ENABLED off.
    For components built with the extensions, which cannot look this one up yet (the WARC
    capture): they get the very state it holds."""
    config = StateConfig.from_settings(settings)
    name = str(settings.get("SEEDSET_NAME") or "")
    return hold_state(config, name) if config.enabled and name else None


def claim_state(settings: BaseSettings, seedset: str) -> None:
    """For ``scrapy crawl``, before the crawl starts: hold the seed set's state for this
    process, so that a state in use or broken is one ``error:`` line and exit status 2 (a
    :class:`~crawler.state.base.StateError` is a ``ConfigError``); the crawl takes it again."""
    config = StateConfig.from_settings(settings)
    if config.enabled:
        hold_state(config, seedset)


def release_state(state: CrawlState) -> None:
    for path, held in list(_held.items()):
        if held is state:
            del _held[path]
    state.close()


class CrawlStateExtension:
    def __init__(self, tracker: StateTracker) -> None:
        self.tracker = tracker

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        config = StateConfig.from_settings(crawler.settings)
        if not config.enabled:
            raise NotConfigured("STATE_ENABLED is off")
        seedset = getattr(crawler.spider, "seedset", None)
        name = str(crawler.settings.get("SEEDSET_NAME") or "")
        if not name:
            raise NotConfigured("the spider names no seed set")
        schedule = getattr(seedset, "recrawl", DEFAULT)
        assert isinstance(schedule, Schedule)
        assert crawler.stats is not None
        state = hold_state(config, name)
        logger.info("crawl state: %s", state.location)
        extension = cls(StateTracker(ReportedWrites(state, crawler), schedule, crawler.stats))
        crawler.signals.connect(extension.engine_stopped, signal=signals.engine_stopped)
        if isinstance(state, RedisState):  # reads of a URL held answered from memory
            crawler.signals.connect(state.hold, signal=requests_leased)
            crawler.signals.connect(state.let_go, signal=lease_returned)
        return extension

    def engine_stopped(self) -> None:
        state = self.tracker.state
        release_state(state.inner if isinstance(state, ReportedWrites) else state)


def tracker_of(crawler: Crawler) -> StateTracker:
    """The run's state tracker, for a component being built; NotConfigured without one."""
    extension = crawler.get_extension(CrawlStateExtension)
    if extension is None:
        raise NotConfigured("no crawl state (STATE_ENABLED is off)")
    return extension.tracker


class ReportedWrites:
    """The crawl state, its failed writes reported: a ``put`` the state refuses (a full disk, a
    broken file, Redis not answering for STATE_REDIS_WAIT seconds) is counted as
    ``state/write_failed`` and sent as ``crawler.signals.write_failed``, on which the archive
    stops the crawl (a full disk: exit status 6). The state is then behind the archive;
    ``scrapy state rebuild`` catches up. Every user of the state (the tracker, the records
    pipeline's versions) writes through this.

    A SQLite state answers the reads that follow a write from memory (``SqliteState``); a Redis
    state those of a URL whose request this process holds (``RedisState``)."""

    def __init__(self, state: CrawlState, crawler: Crawler) -> None:
        self.inner = state
        self.crawler = crawler

    @property
    def location(self) -> str:
        return self.inner.location

    def get(self, url: str) -> UrlState | None:
        return self.inner.get(url)

    def get_many(self, urls: Collection[str]) -> dict[str, UrlState | None]:
        return self.inner.get_many(urls)

    def put(self, state: UrlState) -> None:
        try:
            self.inner.put(state)
        except (sqlite3.Error, OSError, RedisError, StateError) as exc:
            if self.crawler.stats is not None:
                self.crawler.stats.inc_value("state/write_failed")
            path = Path(self.inner.location)
            self.crawler.signals.send_catch_log(write_failed, path=path, error=exc)

    def due(self, now: datetime) -> Iterator[UrlState]:
        return self.inner.due(now)

    def states(self) -> Iterator[UrlState]:
        return self.inner.states()

    def close(self) -> None:
        self.inner.close()
