"""The SQLite state answers the reads that follow a read or a write of the same URL from memory
(this process holds the file alone), bounded, and forgets a URL whose write failed; the
reporting wrapper itself remembers nothing (a Redis state is read each time)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from scrapy import Spider
from scrapy.utils.test import get_crawler

from crawler.state.base import UrlState
from crawler.state.extension import ReportedWrites
from crawler.state.sqlite import SqliteState, state_path

NOW = datetime(2022, 10, 12, 9, 30, tzinfo=UTC)


def page(url: str, status: int = 200) -> UrlState:
    return UrlState(url, "article", NOW, last_fetched=NOW, last_status=status)


class Counted:
    """A SQLite state and the SELECTs its connection runs (SQLite's own trace callback)."""

    def __init__(self, path: Path) -> None:
        self.state = SqliteState.open(state_path(path, "demo"))
        self.selects: list[str] = []
        self.state._db.set_trace_callback(self._trace)

    def _trace(self, statement: str) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            self.selects.append(statement)


@pytest.fixture
def counted(tmp_path: Path) -> Iterator[Counted]:
    opened = Counted(tmp_path)
    yield opened
    opened.state.close()


def test_reads_after_a_read_or_a_write_do_not_query_the_file(counted: Counted) -> None:
    state = counted.state
    assert state.get("http://127.0.0.1/new/") is None
    state.put(page("http://127.0.0.1/a/"))
    for _ in range(3):
        assert state.get("http://127.0.0.1/new/") is None
        assert state.get("http://127.0.0.1/a/") == page("http://127.0.0.1/a/")
    assert len(counted.selects) == 1  # the first read of the absent URL
    state.put(page("http://127.0.0.1/new/"))
    assert state.get("http://127.0.0.1/new/") == page("http://127.0.0.1/new/")
    assert len(counted.selects) == 1


def test_what_is_remembered_is_what_the_file_holds(tmp_path: Path) -> None:
    path = state_path(tmp_path, "demo")
    state = SqliteState.open(path)
    state.put(page("http://127.0.0.1/a/", status=404))
    remembered = state.get("http://127.0.0.1/a/")
    state.close()
    again = SqliteState.open(path)
    assert again.get("http://127.0.0.1/a/") == remembered
    again.close()


def test_a_failed_write_forgets_the_url(counted: Counted) -> None:
    state = counted.state
    assert state.get("http://127.0.0.1/a/") is None
    counted.state._db.execute(
        "CREATE TRIGGER refuse BEFORE INSERT ON urls BEGIN SELECT RAISE(ABORT, 'refused'); END"
    )
    with pytest.raises(sqlite3.Error):
        state.put(page("http://127.0.0.1/a/"))
    assert state.get("http://127.0.0.1/a/") is None  # asked the file again: still no row
    assert len([s for s in counted.selects if "FROM urls" in s]) == 2


def test_the_memory_is_bounded(counted: Counted) -> None:
    state = counted.state
    urls = [f"http://127.0.0.1/{n}/" for n in range(SqliteState.RECENT + 1)]
    for url in urls:
        state.put(page(url))
    assert state.get(urls[-1]) == page(urls[-1]) and not counted.selects
    assert state.get(urls[0]) == page(urls[0]) and len(counted.selects) == 1  # read again


class DictState:
    """A crawl state in a dict that counts its reads and can refuse writes."""

    def __init__(self) -> None:
        self.values: dict[str, UrlState] = {}
        self.reads = 0
        self.refuse = False

    @property
    def location(self) -> str:
        return "memory"

    def get(self, url: str) -> UrlState | None:
        self.reads += 1
        return self.values.get(url)

    def put(self, state: UrlState) -> None:
        if self.refuse:
            raise OSError(28, "No space left on device")
        self.values[state.url] = state

    def due(self, now: datetime) -> Iterator[UrlState]:
        return iter(())

    def states(self) -> Iterator[UrlState]:
        return iter(self.values.values())

    def close(self) -> None:
        pass


def test_the_reporting_wrapper_reads_the_state_each_time_and_reports_refusals() -> None:
    """A shared crawl's Redis state: other processes write it too."""
    inner = DictState()
    crawler = get_crawler(Spider)
    state = ReportedWrites(inner, crawler)
    state.put(page("http://127.0.0.1/a/"))
    for _ in range(3):
        assert state.get("http://127.0.0.1/a/") == page("http://127.0.0.1/a/")
    assert inner.reads == 3
    inner.refuse = True
    state.put(page("http://127.0.0.1/a/", status=500))
    assert state.get("http://127.0.0.1/a/") == page("http://127.0.0.1/a/")
    assert crawler.stats is not None and crawler.stats.get_value("state/write_failed") == 1
