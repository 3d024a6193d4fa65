"""The listing date a run keeps (``UrlState.listed``) does not depend on the order in which it
read a front page and a feed that both lead to an article, nor on which of two listings of it
came first; a changed date is kept even when the article was fetched earlier in the run. (The
same with real crawls, and their rebuild: tests/e2e/test_state_listing_order.py.)"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from scrapy.statscollectors import MemoryStatsCollector
from scrapy.utils.test import get_crawler

from crawler.items import Discovery, Listing
from crawler.state.base import UrlState, latest_listing
from crawler.state.schedule import DEFAULT
from crawler.state.sqlite import SqliteState, state_path
from crawler.state.tracker import StateTracker
from tests.crawler.state.test_tracker import FEED, START, URL, archived, request

FRONT = Discovery.from_seedset("demo").then("front", "http://127.0.0.1/")
RSS = "Wed, 12 Oct 2022 08:00:00 GMT"  # the feed's date of the article
ISO = "2022-10-12T08:00:00+00:00"  # the same, as the state keeps it
LATER = "2022-10-12T10:00:00+00:00"  # the news sitemap's date of it


@pytest.fixture
def tracker(tmp_path: Path) -> Iterator[StateTracker]:
    state = SqliteState.open(state_path(tmp_path, "demo"))
    yield StateTracker(state, DEFAULT, MemoryStatsCollector(get_crawler()), lambda: START)
    state.close()


def fetch_from_front(tracker: StateTracker) -> None:
    req = request(FRONT)
    assert tracker.wanted(req)
    tracker.fetched(req, archived(req, 200, "2022-10-12T12:00:05Z"))


def see_in_feed(tracker: StateTracker, date: str = RSS) -> None:
    tracker.wanted(request(FEED.listed(Listing(updated=date))))  # fetched or dropped: the same


ORDERS: dict[str, list[Callable[[StateTracker], None]]] = {
    "front page fetched, then the feed read": [fetch_from_front, see_in_feed],
    "feed read, then the front page's request fetched": [see_in_feed, fetch_from_front],
}


@pytest.mark.parametrize("order", sorted(ORDERS))
def test_the_feeds_date_is_kept_whatever_came_first(order: str, tracker: StateTracker) -> None:
    for step in ORDERS[order]:
        step(tracker)
    state = tracker.known(URL)
    assert state is not None and state.listed == ISO


@pytest.mark.parametrize("first", [RSS, LATER])
def test_of_two_listings_in_a_run_the_later_date_is_kept(first: str, tracker: StateTracker) -> None:
    fetch_from_front(tracker)
    see_in_feed(tracker, first)
    see_in_feed(tracker, LATER if first == RSS else RSS)
    state = tracker.known(URL)
    assert state is not None and state.listed == LATER


def test_a_changed_date_is_kept_when_the_article_was_fetched_first(
    tracker: StateTracker,
) -> None:
    """A due article is re-checked from the start of the run; the feed read after that gives a
    new date, whose request is then dropped as a duplicate: the date is kept all the same, so
    the next run does not take it for a change again."""
    due = START - timedelta(minutes=1)
    tracker.state.put(UrlState(URL, "article", START, listed=ISO, next_due=due))
    fetch_from_front(tracker)
    assert tracker.wanted(request(FEED.listed(Listing(updated=LATER))))  # a change: wanted
    state = tracker.known(URL)
    assert state is not None and state.listed == LATER
    assert tracker.stats.get_value("state/listing_changed") == 1


def test_the_later_of_two_dates_whatever_their_order() -> None:
    assert latest_listing(None, ISO) == ISO
    assert latest_listing(ISO, LATER) == latest_listing(LATER, ISO) == LATER
    assert latest_listing("soon", ISO) == latest_listing(ISO, "soon") == "soon"


@pytest.mark.parametrize("first", [RSS, LATER])
def test_an_unchanged_pair_of_listings_is_no_change_in_the_next_run(
    first: str, tracker: StateTracker
) -> None:
    """The article is in a feed (an earlier date) and a news sitemap (the later one), run after
    run: the state keeps the later date, and neither listing counts as a change, in any order."""
    tracker.state.put(UrlState(URL, "article", START, listed=LATER))
    for date in (first, LATER if first == RSS else RSS):
        assert not tracker.wanted(request(FEED.listed(Listing(updated=date))))
    state = tracker.known(URL)
    assert state is not None and state.listed == LATER
    assert tracker.stats.get_value("state/listing_changed") is None


def test_fetching_a_due_article_listed_earlier_this_run_keeps_the_later_date(
    tracker: StateTracker,
) -> None:
    """The state holds the sitemap's later date; this run sees the article only in the feed,
    with its earlier date, and fetches it because it is due: the later date stays, or the
    next run would take the sitemap's date for a change again."""
    due = START - timedelta(minutes=1)
    tracker.state.put(UrlState(URL, "article", START, listed=LATER, next_due=due))
    req = request(FEED.listed(Listing(updated=RSS)))
    assert tracker.wanted(req)  # due
    tracker.fetched(req, archived(req, 200, "2022-10-12T12:00:05Z"))
    state = tracker.known(URL)
    assert state is not None and state.listed == LATER


def test_a_listing_date_is_held_in_memory_only_until_its_url_is_fetched(
    tracker: StateTracker,
) -> None:
    """A run reads many feeds: a date is kept in memory for a URL not in the state yet, until
    its fetch writes it there; a known URL's date goes to the state at once."""
    see_in_feed(tracker, LATER)
    assert tracker.listings == {URL: LATER}
    see_in_feed(tracker)
    fetch_from_front(tracker)
    assert tracker.listings == {}
    see_in_feed(tracker, "2022-10-12T11:00:00+00:00")
    assert tracker.listings == {}
    state = tracker.known(URL)
    assert state is not None and state.listed == "2022-10-12T11:00:00+00:00"
