"""CDXJ indexes: one per WARC file, stored beside it, identical to what cdxj-indexer (pywb's and
py-wacz's indexer) makes of the same file, and every line pointing at the record it names."""

from __future__ import annotations

import json
from pathlib import Path

from pipelines.warc import cdxj
from tests.conftest import ArchivedCrawl
from tests.tools import run_tool
from tests.warcs import read_range, read_warc


def parse_line(line: str) -> tuple[str, str, dict[str, str]]:
    key, timestamp, data = line.split(" ", 2)
    return key, timestamp, json.loads(data)


def test_each_warc_has_its_index_stored_beside_it(archived_crawl: ArchivedCrawl) -> None:
    names = [cdxj.index_name(path.name) for path in archived_crawl.warcs]
    assert [path.name for path in archived_crawl.indexes] == names
    manifest = json.loads(
        (archived_crawl.root / "manifests" / f"{archived_crawl.crawl_id}.json").read_text()
    )
    listed = {obj["key"] for obj in manifest["objects"] if obj["kind"] == "indexes"}
    assert listed == {f"indexes/{archived_crawl.crawl_id}/{name}" for name in names}


def test_index_is_byte_identical_to_cdxj_indexer(archived_crawl: ArchivedCrawl) -> None:
    for warc, index in zip(archived_crawl.warcs, archived_crawl.indexes, strict=True):
        result = run_tool("cdxj-indexer", "--sort", str(warc))
        assert result.returncode == 0, result.stderr
        assert index.read_text("utf-8") == result.stdout, warc.name


def test_every_line_points_at_its_record(archived_crawl: ArchivedCrawl) -> None:
    lines = 0
    for index in archived_crawl.indexes:
        for line in index.read_text("utf-8").splitlines():
            key, timestamp, fields = parse_line(line)
            warc = archived_crawl.root / "warc" / archived_crawl.crawl_id / fields["filename"]
            record = read_range(warc, int(fields["offset"]), int(fields["length"]))
            assert record.rec_type == "response"
            assert record.headers["WARC-Target-URI"] == fields["url"]
            assert record.headers["WARC-Payload-Digest"] == fields["digest"]
            assert str(record.http_status) == fields["status"]
            assert key == cdxj.surt_key(fields["url"])
            assert (
                record.headers["WARC-Date"].replace("-", "").replace("T", "").replace(":", "")[:14]
                == timestamp
            )
            lines += 1
    responses = [
        r for path in archived_crawl.warcs for r in read_warc(path) if r.rec_type == "response"
    ]
    assert lines == len(responses)  # every response, and nothing else (no requests, metadata)


def test_lines_are_sorted_for_binary_search(archived_crawl: ArchivedCrawl) -> None:
    for index in archived_crawl.indexes:
        lines = index.read_text("utf-8").splitlines()
        assert lines == sorted(lines) and len(lines) == len(set(lines))


def test_reading_a_warc_gives_the_same_index(archived_crawl: ArchivedCrawl, tmp_path: Path) -> None:
    for warc, index in zip(archived_crawl.warcs, archived_crawl.indexes, strict=True):
        rebuilt = tmp_path / index.name
        with open(warc, "rb") as stream:
            cdxj.write_index(rebuilt, cdxj.index_warc(stream, warc.name))
        assert rebuilt.read_bytes() == index.read_bytes()


def test_media_type_drops_parameters() -> None:
    assert cdxj.mime_type("text/html; charset=utf-8") == "text/html"
    assert cdxj.mime_type("application/pdf") == "application/pdf"
    assert cdxj.mime_type(None) is None
    assert cdxj.index_name("a-b.warc.gz") == "a-b.cdxj"
