"""Scheduled re-crawls against servers that do not play along, and what a run fetches.

- a server that ignores conditional requests: its unchanged pages become identical-payload
  revisits, which pywb replays with the original body;
- a seed set on the default schedule, after a feed gained one item: that item's article is the
  only article fetched, the known ones are not due;
- validators that are garbage, weak, in the future or unparsable, and a server answering 304 to
  a request without validators: each counted, nothing lost.
"""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from pipelines.warc.revisit import IDENTICAL_PAYLOAD_DIGEST, SERVER_NOT_MODIFIED
from tests.incremental_site import IRIS, NEW_ARTICLE, Recrawls, add_feed_item, copy_site, seeds
from tests.servers.http import HttpServer
from tests.warcs import warcio_check
from tests.wayback import get, wayback

ARTICLES = frozenset(
    {
        "/2022/10/11/otan-ejercicios-armas-nucleares/",
        "/2022/10/12/stoltenberg-allies-more-air-defense/",
        "/2022/10/12/nato-increase-arms-production-ukraine/",
        "/2022/10/13/germany-iris-t-air-defense-delivered/",
        "/2022/10/14/nato-critical-infrastructure-baltic/",
        NEW_ARTICLE,
    }
)


@pytest.fixture(scope="module")
def ignoring(tmp_path_factory: pytest.TempPathFactory) -> Recrawls:
    tmp = tmp_path_factory.mktemp("ignoring")
    with HttpServer(copy_site(tmp / "site"), validators=True, ignore_conditional=True) as server:
        seed_file = seeds(tmp / "seeds.toml", server.base_url, '[recrawl]\nsteps = ["0s"]\n')
        crawls = Recrawls(tmp, server, seed_file)
        crawls.run()
        crawls.run()
    return crawls


def test_a_server_ignoring_validators_gives_identical_payload_revisits(ignoring: Recrawls) -> None:
    first, second = ignoring.runs
    assert any(r.header("If-None-Match") for r in second.requests)  # asked, not heeded
    originals = {r.uri: r for r in first.of_type("response") if r.http_status == 200}
    revisits = second.of_type("revisit")
    # every unchanged 200 the spider asked for (robots.txt is Scrapy's, fetched in full)
    assert {r.uri for r in revisits} == {u for u in originals if not u.endswith("/robots.txt")}
    for revisit in revisits:
        original = originals[revisit.uri]
        assert revisit.headers["WARC-Profile"] == IDENTICAL_PAYLOAD_DIGEST
        assert revisit.headers["WARC-Refers-To"] == original.record_id
        assert revisit.headers["WARC-Payload-Digest"] == original.headers["WARC-Payload-Digest"]
        assert revisit.payload == b"" and revisit.http_headers  # head kept, body not stored
    assert second.records == [] and "warc/metadata" not in second.stats  # none extracted
    assert second.stats["state/revisit_not_extracted"] == len(first.records)
    warcio_check(ignoring.warcs(first.crawl_id) + ignoring.warcs(second.crawl_id))


def test_pywb_replays_an_identical_payload_revisit(ignoring: Recrawls, tmp_path: Path) -> None:
    first, second = ignoring.runs
    url = ignoring.site.base_url + IRIS
    [original] = [r for r in first.of_type("response") if r.uri == url]
    [revisit] = [r for r in second.of_type("revisit") if r.uri == url]
    stamp = "".join(c for c in revisit.headers["WARC-Date"][:19] if c.isdigit())
    warcs = ignoring.warcs(first.crawl_id) + ignoring.warcs(second.crawl_id)
    with wayback(tmp_path, "runs", warcs) as port:
        status, body = get(port, f"/runs/{stamp}id_/{url}")
    assert status == 200
    assert body in (original.payload, gzip.decompress(original.payload))


@pytest.fixture(scope="module")
def scheduled(tmp_path_factory: pytest.TempPathFactory) -> Recrawls:
    tmp = tmp_path_factory.mktemp("scheduled")
    site = copy_site(tmp / "site")
    with HttpServer(site, validators=True) as server:
        crawls = Recrawls(tmp, server, seeds(tmp / "seeds.toml", server.base_url))
        crawls.run()
        add_feed_item(site)
        crawls.run()
    return crawls


def test_a_new_feed_item_is_the_only_article_fetched(scheduled: Recrawls) -> None:
    first, second = scheduled.runs
    assert ARTICLES - {NEW_ARTICLE} <= set(first.paths())
    assert [path for path in second.paths() if path in ARTICLES] == [NEW_ARTICLE]
    assert [r["url"] for r in second.records] == [scheduled.site.base_url + NEW_ARTICLE]
    assert second.records[0]["version"] == 1
    assert second.stats["state/not_due"] >= len(ARTICLES) - 1
    assert second.stats["state/new"] == 1


def test_the_feed_listing_goes_into_the_metadata_record(scheduled: Recrawls) -> None:
    second = scheduled.runs[1]
    [metadata] = second.of_type("metadata")[-1:]
    fields = metadata.payload.decode("utf-8")
    assert "listed-updated: Sat, 15 Oct 2022 08:00:00 +0000" in fields


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Recrawls:
    tmp = tmp_path_factory.mktemp("hostile-validators")
    with HttpServer(validators=True) as server:
        routes = ["weak-etag", "garbage-etag", "future-modified", "bad-modified", "always-304"]
        urls = ", ".join(f'"{server.base_url}/state/{route}"' for route in routes)
        seed_file = tmp / "seeds.toml"
        seed_file.write_text(
            f'name = "validators"\nstart_urls = [{urls}]\nallowed_domains = ["127.0.0.1"]\n'
            'related_depth = 0\ncontact = "https://github.com/newsarchive/newsarchive"\n'
            "[settings]\nDOWNLOAD_DELAY = 0.0\nAUTOTHROTTLE_START_DELAY = 0.0\n",
            "utf-8",
        )
        crawls = Recrawls(tmp, server, seed_file)
        crawls.run()
        crawls.run()
    return crawls


def sent(run_requests: list, route: str, header: str) -> list[str | None]:  # type: ignore[type-arg]
    return [r.header(header) for r in run_requests if r.path == f"/state/{route}"]


def test_odd_validators_are_counted_and_never_sent_back(hostile: Recrawls) -> None:
    first, second = hostile.runs
    assert first.stats["state/etag_refused"] == 1  # 8 KB of garbage
    assert first.stats["state/last_modified_future"] == 1
    assert first.stats["state/last_modified_unparsable"] == 1
    assert sent(second.requests, "garbage-etag", "If-None-Match") == [None]
    assert sent(second.requests, "future-modified", "If-Modified-Since") == [None]
    assert sent(second.requests, "bad-modified", "If-Modified-Since") == [None]
    profiles = {
        r.uri.rsplit("/", 1)[1]: r.headers["WARC-Profile"] for r in second.of_type("revisit")
    }
    assert profiles == {
        "weak-etag": SERVER_NOT_MODIFIED,  # the weak validator, sent back as it came
        "garbage-etag": IDENTICAL_PAYLOAD_DIGEST,
        "future-modified": IDENTICAL_PAYLOAD_DIGEST,
        "bad-modified": IDENTICAL_PAYLOAD_DIGEST,
    }
    assert sent(second.requests, "weak-etag", "If-None-Match") == ['W/"v1"']


def test_a_304_to_a_request_without_validators_is_fetched_again_once(hostile: Recrawls) -> None:
    for run in hostile.runs:
        assert sent(run.requests, "always-304", "If-None-Match") == [None, None]
        assert run.stats["state/refetched_unconditionally"] == 1
        assert run.stats["state/not_modified_unasked"] == 1
        answers = [r for r in run.of_type("response") if r.uri.endswith("/always-304")]
        assert [r.http_status for r in answers] == [304, 304]  # both archived as they came


@pytest.fixture(scope="module")
def lost(tmp_path_factory: pytest.TempPathFactory) -> Recrawls:
    tmp = tmp_path_factory.mktemp("lost-capture")
    with HttpServer(copy_site(tmp / "site"), validators=True) as server:
        seed_file = seeds(tmp / "seeds.toml", server.base_url, '[recrawl]\nsteps = ["0s"]\n')
        crawls = Recrawls(tmp, server, seed_file)
        first = crawls.run()
        for path in crawls.warcs(first.crawl_id):  # the archive lost run 1's WARC files
            path.rename(tmp / path.name)
        crawls.run()
    return crawls


def test_a_304_whose_capture_is_missing_is_fetched_again_in_full(lost: Recrawls) -> None:
    second = lost.runs[1]
    article = [r for r in second.requests if r.path == IRIS]
    assert [r.header("If-None-Match") is not None for r in article] == [True, False]
    assert not second.of_type("revisit")  # nothing to point at: every page archived in full
    [full] = [r for r in second.of_type("response") if r.uri.endswith(IRIS) and r.payload]
    assert full.http_status == 200
    # each such URL twice: its 304, then its 200 with the lost capture's payload
    refetched = second.stats["state/refetched_unconditionally"]
    assert second.stats["warc/revisit_original_missing"] == 2 * refetched
    assert refetched >= len(ARTICLES) - 1
    assert second.stats["records/unchanged"] == len(lost.runs[0].records)
    assert {r["url"] for r in second.records} == set()  # the texts are those of run 1's records
