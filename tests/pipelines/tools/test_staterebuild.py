"""`state rebuild` on archives written with warcio: the latest fetch of a URL wins whatever crawl
holds it, a revisit keeps the last full capture, the listing dates come from the archived
feeds (a revisited feed's from the body it refers to), and a damaged object stops the rebuild,
naming it, before any state is written. (The comparison with a live run's state is in
tests/e2e/test_state_rebuild.py.)"""

from __future__ import annotations

import gzip
from datetime import UTC, datetime
from pathlib import Path

import pytest

from crawler.seeds import load_seedset
from crawler.state.sqlite import SqliteState, state_path
from pipelines.storage import Store
from pipelines.tools.staterebuild import RebuildError, rebuild
from tests.revisit_archive import WarcFile, store_crawl
from tests.spools import local_archive

FIRST, SECOND = "demo-20221012000000", "demo-20221013000000"
DAY1, DAY2 = "2022-10-12T00:00:00Z", "2022-10-13T00:00:00Z"
FRONT = "http://127.0.0.1/"


def two_crawls(tmp_path: Path) -> Store:
    """A front page fetched in full, then, a day later, answered with a 304."""
    store = local_archive(tmp_path).store()
    first = WarcFile()
    front = first.response(FRONT, b"<html><body><p>front</p></body></html>", DAY1)
    store_crawl(store, tmp_path / "spool", FIRST, [first.data()])
    second = WarcFile()
    second.not_modified(front, DAY2)
    store_crawl(store, tmp_path / "spool", SECOND, [second.data()])
    return store


def seed_file(tmp_path: Path) -> Path:
    path = tmp_path / "demo.toml"
    path.write_text(
        f'name = "demo"\nstart_urls = ["{FRONT}"]\nallowed_domains = ["127.0.0.1"]\n'
        "related_depth = 0\n"
        'contact = "https://github.com/newsarchive/newsarchive"\n',
        "utf-8",
    )
    return path


def test_the_latest_fetch_wins_and_a_revisit_keeps_the_capture(tmp_path: Path) -> None:
    store = two_crawls(tmp_path)
    rebuilt = rebuild(store, load_seedset(seed_file(tmp_path)), tmp_path / "state")
    assert rebuilt.crawls == (FIRST, SECOND) and rebuilt.kinds == {"seed": 1}
    state = SqliteState.open(rebuilt.path)
    try:
        [front] = list(state.states())
    finally:
        state.close()
    assert front.url == FRONT and front.kind == "seed"
    assert front.first_seen == datetime(2022, 10, 12, tzinfo=UTC)
    assert front.last_fetched == datetime(2022, 10, 13, tzinfo=UTC)
    assert front.last_status == 304 and front.next_due is None  # a seed: fetched every run
    assert front.capture is not None and front.capture.crawl_id == FIRST
    assert front.capture.date == DAY1 and front.capture.status == 200


def test_a_damaged_records_part_stops_the_rebuild(tmp_path: Path) -> None:
    store = two_crawls(tmp_path)
    part = tmp_path / "archive" / "records" / SECOND / "part-00001-host-1.jsonl.gz"
    part.parent.mkdir(parents=True)
    part.write_bytes(gzip.compress(b'{"url": "http://127.0.0.1/"}\n')[:-12])  # torn
    try:
        with pytest.raises(RebuildError) as caught:
            rebuild(store, load_seedset(seed_file(tmp_path)), tmp_path / "state")
    finally:
        part.unlink()  # the session's record checks (tests/conftest.py) read every part left
    assert f"records/{SECOND}/part-00001-host-1.jsonl.gz cannot be read" in str(caught.value)
    assert "scrapy verify" in str(caught.value)
    assert not state_path(tmp_path / "state", "demo").exists()


FEED_URL, A, B = f"{FRONT}feed/", f"{FRONT}a/", f"{FRONT}b/"
FEED_BODY = (
    '<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>'
    f"<item><link>{A}</link><pubDate>Tue, 11 Oct 2022 17:05:00 +0000</pubDate></item>"
    f"<item><link>{B}</link><pubDate>Wed, 12 Oct 2022 08:00:00 GMT</pubDate></item>"
    "</channel></rss>"
).encode()


def test_listing_dates_come_from_the_archived_feeds(tmp_path: Path) -> None:
    """Crawl 1 fetched the feed and A; crawl 2 got the same feed again (an identical-payload
    revisit: its entries are read from crawl 1's body) and fetched B for the first time. A
    fetched page the feed does not list keeps no date."""
    store = local_archive(tmp_path).store()
    first = WarcFile()
    first.response(FRONT, b"<html><body><p>front</p></body></html>", DAY1)
    feed = first.response(FEED_URL, FEED_BODY, DAY1)
    first.response(A, b"<html><body><p>a</p></body></html>", DAY1)
    store_crawl(store, tmp_path / "spool", FIRST, [first.data()])
    second = WarcFile()
    second.same_payload(feed, DAY2)
    second.response(B, b"<html><body><p>b</p></body></html>", DAY2)
    store_crawl(store, tmp_path / "spool", SECOND, [second.data()])
    seeds = tmp_path / "listed.toml"
    seeds.write_text(seed_file(tmp_path).read_text("utf-8") + f'feeds = ["{FEED_URL}"]\n', "utf-8")
    rebuilt = rebuild(store, load_seedset(seeds), tmp_path / "state")
    state = SqliteState.open(rebuilt.path)
    try:
        listed = {s.url: s.listed for s in state.states()}
    finally:
        state.close()
    assert listed == {
        FRONT: None,
        FEED_URL: None,
        A: "2022-10-11T17:05:00+00:00",
        B: "2022-10-12T08:00:00+00:00",
    }
