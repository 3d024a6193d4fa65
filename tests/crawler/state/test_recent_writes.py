"""The crawl state remembers what this process just wrote (``ReportedWrites``): the reads that
follow a write for the same page are answered from memory, a refused write is not remembered,
and the memory is bounded."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

from scrapy import Spider
from scrapy.utils.test import get_crawler

from crawler.state.base import UrlState
from crawler.state.extension import ReportedWrites

NOW = datetime(2022, 10, 12, 9, 30, tzinfo=UTC)


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


def page(url: str, status: int = 200) -> UrlState:
    return UrlState(url, "article", NOW, last_fetched=NOW, last_status=status)


def test_reads_after_a_write_are_answered_from_memory() -> None:
    inner = DictState()
    state = ReportedWrites(inner, get_crawler(Spider))
    assert state.get("http://127.0.0.1/a/") is None
    state.put(page("http://127.0.0.1/a/"))
    for _ in range(5):
        assert state.get("http://127.0.0.1/a/") == page("http://127.0.0.1/a/")
    assert inner.reads == 1  # only the read before the write reached the backend


def test_a_refused_write_is_not_remembered() -> None:
    inner = DictState()
    crawler = get_crawler(Spider)
    state = ReportedWrites(inner, crawler)
    state.put(page("http://127.0.0.1/a/"))
    inner.refuse = True
    state.put(page("http://127.0.0.1/a/", status=500))
    assert state.get("http://127.0.0.1/a/") == page("http://127.0.0.1/a/")  # what the backend holds
    assert inner.reads == 1
    assert crawler.stats is not None and crawler.stats.get_value("state/write_failed") == 1


def test_the_memory_of_writes_is_bounded() -> None:
    inner = DictState()
    state = ReportedWrites(inner, get_crawler(Spider))
    urls = [f"http://127.0.0.1/{n}/" for n in range(ReportedWrites.RECENT + 1)]
    for url in urls:
        state.put(page(url))
    assert state.get(urls[-1]) == page(urls[-1]) and inner.reads == 0
    assert state.get(urls[0]) == page(urls[0]) and inner.reads == 1  # forgotten: read again


def test_reads_are_remembered_too_absent_urls_included() -> None:
    """The process holds the SQLite state alone: a state it read stays what the file holds
    until it writes one itself (the downloader middleware's read, then the tracker's)."""
    inner = DictState()
    inner.values["http://127.0.0.1/a/"] = page("http://127.0.0.1/a/")
    state = ReportedWrites(inner, get_crawler(Spider))
    for _ in range(3):
        assert state.get("http://127.0.0.1/a/") == page("http://127.0.0.1/a/")
        assert state.get("http://127.0.0.1/new/") is None
    assert inner.reads == 2
    state.put(page("http://127.0.0.1/new/"))
    assert state.get("http://127.0.0.1/new/") == page("http://127.0.0.1/new/")
    assert inner.reads == 2


def test_a_refused_write_forgets_what_was_read() -> None:
    inner = DictState()
    state = ReportedWrites(inner, get_crawler(Spider))
    assert state.get("http://127.0.0.1/a/") is None
    inner.refuse = True
    state.put(page("http://127.0.0.1/a/"))
    inner.values["http://127.0.0.1/a/"] = page("http://127.0.0.1/a/", status=500)  # file holds
    assert state.get("http://127.0.0.1/a/") == page("http://127.0.0.1/a/", status=500)
    assert inner.reads == 2


def test_without_remember_every_read_goes_to_the_state() -> None:
    """A shared crawl's Redis state: other processes write it too."""
    inner = DictState()
    state = ReportedWrites(inner, get_crawler(Spider), remember=False)
    state.put(page("http://127.0.0.1/a/"))
    for _ in range(3):
        assert state.get("http://127.0.0.1/a/") == page("http://127.0.0.1/a/")
    assert inner.reads == 3
