"""A URL's state as one JSON object (what SQLite keeps in a row and Redis in a hash field): its
exact form, since states written by an earlier run are read by the next, and back again."""

from __future__ import annotations

from datetime import UTC, datetime

from crawler.state.base import ArticleVersion, Capture, UrlState

WHEN = datetime(2022, 10, 12, 9, 30, tzinfo=UTC)


def test_the_json_form_of_a_full_state_is_fixed_and_reads_back() -> None:
    state = UrlState(
        "https://news.example/a/",
        "article",
        WHEN,
        last_fetched=WHEN,
        last_status=200,
        etag='W/"1"',
        capture=Capture(
            "c1", "f.warc.gz", 10, 20, "<urn:uuid:r>", "2022-10-12T09:30:00Z", None, 200
        ),
        article=ArticleVersion("rec", "abc", "Tïtle", 2, "text"),
        discovery=(("feed", "https://news.example/feed"),),
    )
    text = state.to_json()
    assert text == (
        '{"article":{"record_id":"rec","text":"text","text_sha256":"abc","title":"Tïtle",'
        '"version":2},"capture":{"crawl_id":"c1","date":"2022-10-12T09:30:00Z",'
        '"filename":"f.warc.gz","length":20,"offset":10,"payload_digest":null,'
        '"record_id":"<urn:uuid:r>","status":200},"discovery":[["feed",'
        '"https://news.example/feed"]],"etag":"W/\\"1\\"","first_seen":"2022-10-12T09:30:00.000000Z",'
        '"kind":"article","last_fetched":"2022-10-12T09:30:00.000000Z","last_modified":null,'
        '"last_status":200,"listed":null,"next_due":null,"note":null,"schema":1,'
        '"url":"https://news.example/a/"}'
    )
    assert UrlState.from_json(text) == state
    bare = UrlState("https://news.example/b/", "page", WHEN)
    assert UrlState.from_json(bare.to_json()) == bare
