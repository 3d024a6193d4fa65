"""Scheduled re-crawls, end to end: three runs of one seed set against the fixture server with
validators, one crawl state across them (README: Scheduled and incremental crawls).

Run 1 archives everything and writes every article's record (version 1). Run 2, nothing having
changed, asks with the validators the server sent, gets 304s, archives them as revisit records
of run 1's captures and writes no record. Run 3, after one article's text and another's
headline changed, writes exactly two records, both version 2, with their changes (a third
article whose markup changed but not its text is fetched, and writes no record).
"""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from pipelines.warc.revisit import SERVER_NOT_MODIFIED
from tests.incremental_site import (
    ADDED_SENTENCE,
    IRIS,
    NATO,
    NATO_HEADLINE,
    STOLTENBERG,
    Recrawls,
    copy_site,
    edit,
    seeds,
)
from tests.servers.http import HttpServer
from tests.warcs import warcio_check
from tests.wayback import get, wayback


@pytest.fixture(scope="module")
def recrawls(tmp_path_factory: pytest.TempPathFactory) -> Recrawls:
    tmp = tmp_path_factory.mktemp("incremental")
    site = copy_site(tmp / "site")
    with HttpServer(site, validators=True) as server:
        seed_file = seeds(tmp / "seeds.toml", server.base_url, '[recrawl]\nsteps = ["0s"]\n')
        crawls = Recrawls(tmp, server, seed_file)
        crawls.run()
        crawls.run()
        edit(site, IRIS, "follow next year.", f"follow next year. {ADDED_SENTENCE}")
        edit(site, NATO, NATO_HEADLINE, "NATO triples its naval presence in the Baltic")
        edit(site, STOLTENBERG, "</body>", "<!-- served by another cache node --></body>")
        crawls.run()
    return crawls


def test_run_1_archives_every_page_and_writes_version_1(recrawls: Recrawls) -> None:
    first = recrawls.runs[0]
    assert first.records and {r["version"] for r in first.records} == {1}
    assert all(r["previous_record_id"] is None and r["changes"] is None for r in first.records)
    assert all(r["first_seen"] == r["fetched_at"] for r in first.records)
    assert not first.of_type("revisit")
    assert not any(r.header("If-None-Match") for r in first.requests)


def test_run_2_gets_304s_writes_revisits_and_no_record(recrawls: Recrawls) -> None:
    first, second = recrawls.runs[0], recrawls.runs[1]
    assert second.records == []
    conditional = [r for r in second.requests if r.header("If-None-Match")]
    article_paths = {IRIS, NATO}
    assert article_paths <= {r.path for r in conditional}
    revisits = second.of_type("revisit")
    assert revisits
    captures = {r.record_id: r for r in first.of_type("response")}
    for revisit in revisits:
        assert revisit.headers["WARC-Profile"] == SERVER_NOT_MODIFIED
        original = captures[revisit.headers["WARC-Refers-To"]]
        assert revisit.headers["WARC-Refers-To-Target-URI"] == original.uri == revisit.uri
        assert revisit.headers["WARC-Refers-To-Date"] == original.headers["WARC-Date"]
        assert "WARC-Payload-Digest" not in revisit.headers  # the profile forbids it
        assert revisit.headers["Content-Length"] == "0" and revisit.payload == b""
    assert second.stats["warc/revisits/server-not-modified"] == len(revisits)
    assert "news/articles" not in second.stats and not second.of_type("metadata")
    assert "records/written" not in second.stats


def test_run_2_indexes_revisits_as_pywb_does(recrawls: Recrawls) -> None:
    second = recrawls.runs[1]
    lines = [
        line
        for path in sorted((recrawls.archive / "indexes" / second.crawl_id).glob("*.cdxj"))
        for line in path.read_text("utf-8").splitlines()
    ]
    revisit_lines = [line for line in lines if '"mime": "warc/revisit"' in line]
    assert len(revisit_lines) == len(second.of_type("revisit"))
    # an empty revisit: no HTTP status, no payload digest (as cdxj-indexer and pywb index it)
    assert not any('"status"' in line or '"digest"' in line for line in revisit_lines)


def test_run_3_writes_exactly_two_version_2_records(recrawls: Recrawls) -> None:
    first, third = recrawls.runs[0], recrawls.runs[2]
    assert sorted(r["url"].removeprefix(recrawls.site.base_url) for r in third.records) == sorted(
        [IRIS, NATO]
    )
    by_path = {r["url"].removeprefix(recrawls.site.base_url): r for r in third.records}
    originals = {r["url"]: r for r in first.records}
    for record in third.records:
        assert record["version"] == 2
        assert record["previous_record_id"] == originals[record["url"]]["record_id"]
        assert record["first_seen"] == originals[record["url"]]["fetched_at"]
    iris, nato = by_path[IRIS]["changes"], by_path[NATO]["changes"]
    assert iris["title_changed"] is False
    assert iris["sentences_added"] == 1 and iris["sentences_removed"] == 0
    assert ADDED_SENTENCE in iris["diff"] and not iris["diff_truncated"]
    assert nato["title_changed"] is True and nato["previous_title"] == NATO_HEADLINE
    assert third.stats["records/new_versions"] == 2
    # the page whose bytes changed but not its text: fetched, extracted, no new version; its
    # metadata record names the record that holds its text, run 1's
    assert third.stats["records/unchanged"] == 1
    url = recrawls.site.base_url + STOLTENBERG
    [metadata] = [r for r in third.of_type("metadata") if r.uri == url]
    assert f"record-id: {originals[url]['record_id']}" in metadata.payload.decode()
    assert third.stats["warc/revisits/server-not-modified"] >= 2  # the other articles


def test_every_warc_passes_warcio_check(recrawls: Recrawls) -> None:
    for run in recrawls.runs:
        warcio_check(recrawls.warcs(run.crawl_id))


def test_pywb_replays_the_revisited_article_with_the_original_body(
    recrawls: Recrawls, tmp_path: Path
) -> None:
    first, second = recrawls.runs[0], recrawls.runs[1]
    url = recrawls.site.base_url + IRIS
    [original] = [r for r in first.of_type("response") if r.uri == url]
    [revisit] = [r for r in second.of_type("revisit") if r.uri == url]
    stamp = "".join(c for c in revisit.headers["WARC-Date"][:19] if c.isdigit())
    warcs = recrawls.warcs(first.crawl_id) + recrawls.warcs(second.crawl_id)
    with wayback(tmp_path, "runs", warcs) as port:
        status, body = get(port, f"/runs/{stamp}id_/{url}")
    assert status == 200
    assert body in (original.payload, gzip.decompress(original.payload))  # pywb may decode
