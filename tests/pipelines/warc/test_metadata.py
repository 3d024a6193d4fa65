"""The per-article metadata record: linked to its response, it says how the article was found,
what it links to, and which clean record (if any) came from it."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from crawler.items import ArticleItem, Discovery, WarcPointer
from pipelines.warc import metadata as warcmeta
from pipelines.warc.capture import WarcCapture
from pipelines.warc.config import WarcConfig
from pipelines.warc.writer import RotatingWarcWriter
from tests.conftest import ArchivedCrawl
from tests.warcs import WarcRecord, read_records, read_warc

Described = dict[str, tuple[WarcRecord, warcmeta.ArticleMetadata]]


def all_records(paths: list[Path]) -> list[WarcRecord]:
    return [record for path in paths for record in read_warc(path)]


@pytest.fixture(scope="module")
def metadata(archived_crawl: ArchivedCrawl) -> Described:
    """Each article metadata record, read back, by the id of the response it describes."""
    found: Described = {}
    for record in all_records(archived_crawl.warcs):
        if record.rec_type == "metadata":
            meta = warcmeta.read(record.payload)
            assert meta is not None
            assert record.headers["WARC-Concurrent-To"] not in found
            found[record.headers["WARC-Concurrent-To"]] = (record, meta)
    return found


def test_every_article_has_one_metadata_record_linked_to_its_response(
    archived_crawl: ArchivedCrawl, metadata: Described
) -> None:
    records = list(read_records(archived_crawl.record_parts))
    responses = {
        r.record_id: r for r in all_records(archived_crawl.warcs) if r.rec_type == "response"
    }
    assert records and {r["warc"]["record_id"] for r in records} == set(metadata)
    for response_id, (record, _) in metadata.items():
        response = responses[response_id]
        assert record.headers["WARC-Refers-To"] == response_id
        assert record.uri == response.uri
        assert record.headers["Content-Type"] == "application/warc-fields"
        assert record.headers["WARC-Date"] >= response.headers["WARC-Date"]


def test_metadata_says_how_the_article_was_found_and_what_came_of_it(
    archived_crawl: ArchivedCrawl, metadata: Described
) -> None:
    for clean in read_records(archived_crawl.record_parts):
        _, meta = metadata[clean["warc"]["record_id"]]
        assert meta.requested_url == clean["url"]
        assert meta.discovery.discovered_from == clean["discovered_from"]
        assert meta.discovery.hops[0] == ("seedset", "demo")
        if meta.discovery.via is not None:
            assert meta.discovery.hops[-1] == meta.discovery.via
            assert meta.discovery.via[0] in ("front", "feed", "sitemap", "article")
        assert list(meta.related_urls) == clean["related_urls"]
        assert set(meta.related_urls) <= set(meta.outlinks)
        assert meta.extraction == "ok"
        assert meta.record_id == clean["record_id"]
        assert meta.text_sha256 == clean["text_sha256"]
        extractor = clean["extractor"]
        assert meta.extractor == (
            extractor["name"],
            extractor["version"],
            extractor["config_sha256"],
        )


def test_paths_name_every_way_in(metadata: Described) -> None:
    kinds = {meta.discovery.hops[-1][0] for _, meta in metadata.values()}
    assert kinds & {"front", "feed", "sitemap", "article"}
    related = [meta for _, meta in metadata.values() if meta.discovery.depth == 1]
    for meta in related:  # reached through an article's related link
        assert meta.discovery.hops[-1][0] == "article"


def item(**changes: object) -> ArticleItem:
    fields: dict[str, object] = {
        "url": "https://news.example/old/story",
        "final_url": "https://news.example/2022/10/12/story/",
        "status": 200,
        "fetched_at": "2022-10-12T08:00:00.000000Z",
        "headers": {"content-type": "text/html"},
        "body": b"<html></html>",
        "warc": WarcPointer("a.warc.gz", 100, 50, "<urn:uuid:1>", "sha256:X", "2022-10-12"),
        "discovery": Discovery.from_seedset("demo").then("feed", "https://news.example/feed/"),
        "related_urls": ("https://news.example/a/", "https://news.example/b/"),
        "outlinks": (
            "https://news.example/a/",
            "https://news.example/b/",
            "https://news.example/about/",
        ),
    }
    fields.update(changes)
    return ArticleItem(**fields)  # type: ignore[arg-type]


EXTRACTOR = {"name": "x", "version": "1.0", "config_sha256": "ab" * 32}


def test_fields_read_back_as_written() -> None:
    record = {"record_id": "urn:uuid:2", "text_sha256": hashlib.sha256(b"t").hexdigest()}
    data = warcmeta.block(warcmeta.fields(item(), "ok", EXTRACTOR, record))
    meta = warcmeta.read(data)
    assert meta == warcmeta.ArticleMetadata(
        requested_url="https://news.example/old/story",
        discovery=Discovery((("seedset", "demo"), ("feed", "https://news.example/feed/"))),
        related_urls=("https://news.example/a/", "https://news.example/b/"),
        outlinks=item().outlinks,
        extraction="ok",
        extractor=("x", "1.0", "ab" * 32),
        record_id="urn:uuid:2",
        text_sha256=record["text_sha256"],
    )
    assert data.startswith(b"newsarchive-metadata: article/1\r\nrequested-url: ")
    assert b"\r\nvia: https://news.example/feed/\r\ndepth: 0\r\n" in data


def test_via_and_depth_are_written_as_the_path_implies() -> None:
    related = (
        Discovery.from_seedset("demo")
        .then("front", "https://news.example/")
        .then("article", "https://news.example/a/")
        .then("article", "https://news.example/b/")
    )
    data = warcmeta.block(warcmeta.fields(item(discovery=related), "empty", EXTRACTOR))
    assert warcmeta.parse_fields(data)[2:7] == [
        ("discovery-path", "seedset demo"),
        ("discovery-path", "front https://news.example/"),
        ("discovery-path", "article https://news.example/a/"),
        ("discovery-path", "article https://news.example/b/"),
        ("via", "https://news.example/b/"),
    ]
    assert ("depth", "2") in warcmeta.parse_fields(data)
    meta = warcmeta.read(data)
    assert meta is not None and meta.discovery == related


@pytest.mark.parametrize("outcome", ["empty", "failed"])
def test_an_article_without_record_says_why(outcome: str) -> None:
    meta = warcmeta.read(warcmeta.block(warcmeta.fields(item(), outcome, EXTRACTOR)))
    assert meta is not None and meta.extraction == outcome and meta.record_id is None


def test_a_start_url_has_no_via_and_values_never_break_lines() -> None:
    start = item(
        discovery=Discovery.from_seedset("demo"),
        outlinks=("https://news.example/a\r\nWARC-Type: response",),
    )
    data = warcmeta.block(
        warcmeta.fields(start, "ok", EXTRACTOR, {"record_id": "r", "text_sha256": "t"})
    )
    assert b"\r\nvia:" not in data
    assert b"outlink: https://news.example/a%0D%0AWARC-Type: response\r\n" in data
    assert data.count(b"\r\n") == len(warcmeta.parse_fields(data))


def test_an_unknown_outcome_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown extraction outcome"):
        warcmeta.fields(item(), "maybe", EXTRACTOR)


def test_other_warc_fields_blocks_are_not_ours() -> None:
    assert warcmeta.read(b"software: heritrix\r\nvia: http://x/\r\n") is None


class Stats:
    def __init__(self) -> None:
        self.values: dict[str, int] = {}

    def inc_value(self, key: str, count: int = 1) -> None:
        self.values[key] = self.values.get(key, 0) + count


def test_the_writer_links_the_record_and_refuses_once_closed(tmp_path: Path) -> None:
    stats = Stats()
    config = WarcConfig(prefix="t", max_size=10**6, max_age=0, redact_headers=frozenset())
    extension = WarcCapture(config, None, stats)  # type: ignore[arg-type]  # no archive: no close
    closed: list[Path] = []
    extension.writer = RotatingWarcWriter(
        tmp_path,
        prefix="t",
        writer_id="host-1",
        max_size=10**6,
        max_age=0,
        warcinfo=[],
        on_close=lambda c: closed.append(c.path),
    )
    article = item()
    extension.write_metadata(article, "failed", EXTRACTOR)
    extension.close()
    extension.write_metadata(article, "ok", EXTRACTOR, {"record_id": "r", "text_sha256": "t"})
    assert stats.values == {"warc/records": 1, "warc/metadata": 1, "warc/metadata_not_written": 1}
    (record,) = [r for r in read_warc(closed[0]) if r.rec_type == "metadata"]
    assert record.headers["WARC-Concurrent-To"] == article.warc.record_id
    assert record.headers["WARC-Refers-To"] == article.warc.record_id
    assert record.uri == article.final_url
    meta = warcmeta.read(record.payload)
    assert meta is not None and meta.extraction == "failed" and meta.record_id is None
