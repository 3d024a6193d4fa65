"""What a run does with the state: which requests it sends, and what an archived exchange
teaches about its URL (validators, capture, schedule, gone)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from scrapy import Request
from scrapy.http import HtmlResponse, Response
from scrapy.statscollectors import MemoryStatsCollector
from scrapy.utils.test import get_crawler

from crawler.items import Discovery, Listing, WarcPointer
from crawler.meta import ARCHIVED_IN, DISCOVERY, REVISIT, WARC_POINTER
from crawler.state.base import GONE, UrlState
from crawler.state.schedule import DEFAULT
from crawler.state.sqlite import SqliteState, state_path
from crawler.state.tracker import StateTracker, kind_of

START = datetime(2022, 10, 12, 12, 0, tzinfo=UTC)
URL = "http://127.0.0.1/2022/10/12/story/"
FEED = Discovery.from_seedset("demo").then("feed", "http://127.0.0.1/feed/")


@pytest.fixture
def tracker(tmp_path: Path) -> Iterator[StateTracker]:
    state = SqliteState.open(state_path(tmp_path, "demo"))
    yield StateTracker(state, DEFAULT, MemoryStatsCollector(get_crawler()), lambda: START)
    state.close()


class Spider:
    def parse(self, response: Response) -> None: ...
    def parse_feed(self, response: Response) -> None: ...
    def parse_sitemap(self, response: Response) -> None: ...


def request(discovery: Discovery = FEED, url: str = URL, callback: str = "parse") -> Request:
    return Request(url, callback=getattr(Spider(), callback), meta={DISCOVERY: discovery})


def archived(req: Request, status: int, date: str, **headers: str) -> Response:
    req.meta[WARC_POINTER] = WarcPointer("f.warc.gz", 10, 20, "<urn:uuid:1>", "sha256:A", date)
    req.meta[ARCHIVED_IN] = "demo-20221012000000"
    return HtmlResponse(req.url, status=status, headers=headers, body=b"x", request=req)


def test_kinds_come_from_the_callback_and_the_discovery() -> None:
    seed = Discovery.from_seedset("demo")
    assert kind_of(request(seed)) == "seed"
    assert kind_of(request(seed, callback="parse_feed")) == "feed"
    assert kind_of(request(FEED, callback="parse_sitemap")) == "sitemap"
    assert kind_of(request(FEED)) == "page"
    assert kind_of(Request(URL)) is None  # robots.txt and others the spider did not ask for


def test_a_first_fetch_starts_the_schedule_and_keeps_the_validators(
    tracker: StateTracker,
) -> None:
    req = request()
    etag, modified = 'W/"v1"', "Wed, 12 Oct 2022 08:00:00 GMT"
    tracker.fetched(
        req, archived(req, 200, "2022-10-12T09:00:00Z", ETag=etag, **{"Last-Modified": modified})
    )
    state = tracker.known(URL)
    assert state is not None and state.kind == "page"
    assert (state.etag, state.last_modified, state.last_status) == (etag, modified, 200)
    assert state.first_seen == datetime(2022, 10, 12, 9, 0, tzinfo=UTC)
    assert state.next_due == state.first_seen + timedelta(hours=1)
    assert state.capture is not None and state.capture.key == "warc/demo-20221012000000/f.warc.gz"
    assert state.discovery == FEED.hops


def test_a_revisit_keeps_the_last_capture_and_a_404_marks_it_gone(tracker: StateTracker) -> None:
    req = request()
    tracker.fetched(req, archived(req, 200, "2022-10-12T09:00:00Z", ETag='"v1"'))
    first = tracker.known(URL)
    again = request()
    again.meta[REVISIT] = "profile"
    tracker.fetched(again, archived(again, 304, "2022-10-12T11:00:00Z"))
    after = tracker.known(URL)
    assert after is not None and first is not None
    assert (after.capture, after.etag, after.last_status) == (first.capture, '"v1"', 304)
    assert after.next_due == first.first_seen + timedelta(hours=6)
    gone = request()
    tracker.fetched(gone, archived(gone, 410, "2022-10-12T16:00:00Z"))
    noted = tracker.known(URL)
    assert noted is not None and (noted.note, noted.next_due) == (GONE, None)


def test_what_is_wanted(tracker: StateTracker) -> None:
    tracker.state.put(UrlState(URL, "article", START, next_due=START + timedelta(hours=1)))
    assert tracker.wanted(request(Discovery.from_seedset("demo"), callback="parse_feed"))
    assert tracker.wanted(request(url="http://127.0.0.1/new/"))
    assert not tracker.wanted(request())
    listed = request(FEED.listed(Listing(updated="Wed, 12 Oct 2022 08:00:00 GMT")))
    assert not tracker.wanted(listed)  # first listed: noted, not a change
    state = tracker.known(URL)
    assert state is not None and state.listed == "2022-10-12T08:00:00+00:00"
    assert tracker.wanted(request(FEED.listed(Listing(updated="2022-10-12T10:00:00Z"))))
    tracker.state.put(UrlState(URL, "article", START, next_due=START))
    assert tracker.wanted(request())
    counts = tracker.stats.get_stats()
    assert (counts["state/new"], counts["state/not_due"]) == (1, 2)
    assert (counts["state/listing_changed"], counts["state/due"]) == (1, 1)


def test_an_article_that_stops_being_one_is_noted(tracker: StateTracker) -> None:
    tracker.state.put(UrlState(URL, "article", START))
    tracker.article(URL, False)
    state = tracker.known(URL)
    assert state is not None and (state.kind, state.note) == ("page", "not-article")
    tracker.article(URL, True)
    state = tracker.known(URL)
    assert state is not None and (state.kind, state.note) == ("article", None)
    assert tracker.stats.get_value("state/not_article") == 1
