"""Article versions: what changed between two versions, the record's version fields against the
state, and the JSON Schema that documents the record."""

from __future__ import annotations

import dataclasses
import gzip
import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from scrapy.statscollectors import MemoryStatsCollector
from scrapy.utils.test import get_crawler

from crawler.state.base import UrlState
from crawler.state.sqlite import SqliteState, state_path
from pipelines.records.changes import MAX_DIFF_BYTES, changes, sentences
from pipelines.records.versions import Versions
from tests.record_schema import check_parts, problems

URL = "http://127.0.0.1/2022/10/12/story/"
SEEN = datetime(2022, 10, 12, 9, 0, tzinfo=UTC)
TEXT = "The council met on Monday. It voted to close the bridge.\nRepairs start in May."


def record(text: str = TEXT, title: str = "Bridge to close", n: int = 1) -> dict[str, Any]:
    return {
        "schema": 2,
        "record_id": f"urn:uuid:00000000-0000-4000-8000-{n:012d}",
        "crawl_id": "demo-20221012090000",
        "url": URL,
        "final_url": URL,
        "canonical_url": None,
        "fetched_at": "2022-10-12T09:00:00.000000Z",
        "status": 200,
        "title": title,
        "authors": [],
        "published_at": None,
        "modified_at": None,
        "sitename": None,
        "publisher": None,
        "language": "en",
        "description": None,
        "categories": [],
        "tags": [],
        "text": text,
        "text_sha256": hashlib.sha256(text.encode()).hexdigest(),
        "word_count": len(text.split()),
        "text_candidate": "trafilatura",
        "related_urls": [],
        "discovered_from": None,
        "warc": {
            "filename": "newsarchive-20221012090000000-00001-host-1.warc.gz",
            "offset": 0,
            "length": 100,
            "record_id": "<urn:uuid:00000000-0000-4000-8000-000000000099>",
            "payload_digest": "sha256:ABCD",
        },
        "tls": None,
        "extractor": {"name": "x", "version": "1", "config_sha256": "0" * 64},
        "version": 1,
        "previous_record_id": None,
        "first_seen": "2022-10-12T09:00:00.000000Z",
        "changes": None,
    }


@pytest.fixture
def versions(tmp_path: Path) -> Versions:
    state = SqliteState.open(state_path(tmp_path, "demo"))
    state.put(UrlState(URL, "page", SEEN))
    stats = MemoryStatsCollector(get_crawler())
    yield Versions(state, stats)  # type: ignore[misc]
    state.close()


def test_the_first_record_is_version_1_and_an_unchanged_one_is_not_written(
    versions: Versions,
) -> None:
    first = versions.next(record())
    assert first is not None and first["version"] == 1 and first["changes"] is None
    assert first["first_seen"] == "2022-10-12T09:00:00.000000Z"
    versions.written(first)
    assert versions.next(record(n=2)) is None
    assert versions.stats.get_value("records/unchanged") == 1
    assert not problems(first)


def test_a_changed_text_or_title_is_the_next_version(versions: Versions) -> None:
    versions.written(record())
    changed = TEXT.replace("Repairs start in May.", "Repairs start in June. Traffic is diverted.")
    second = versions.next(record(changed, n=2))
    assert second is not None
    assert (second["version"], second["previous_record_id"]) == (2, record()["record_id"])
    assert second["changes"]["title_changed"] is False
    assert (second["changes"]["sentences_added"], second["changes"]["sentences_removed"]) == (2, 1)
    assert "+Repairs start in June. Traffic is diverted." in second["changes"]["diff"]
    assert not problems(second)
    versions.written(second)
    third = versions.next(record(changed, title="Bridge closed", n=3))
    assert third is not None and third["version"] == 3
    assert third["changes"]["title_changed"] is True
    assert third["changes"]["previous_title"] == "Bridge to close"
    assert third["changes"]["diff"] == ""
    state = versions.state.get(URL)
    assert state is not None and state.kind == "article"


def test_a_url_outside_the_state_is_a_version_1_of_its_own(versions: Versions) -> None:
    other = {**record(), "url": "http://127.0.0.1/other/"}
    assert versions.next(other) == other


def test_the_diff_is_capped_on_a_line_boundary() -> None:
    old = "\n".join(f"Paragraph {n} of the old text." for n in range(1000))
    new = "\n".join(f"Paragraph {n} of the new text." for n in range(1000))
    found = changes("T", "T", old, new)
    assert found["diff_truncated"] is True
    assert len(found["diff"].encode()) <= MAX_DIFF_BYTES
    assert found["diff"].endswith(".")
    assert found["sentences_added"] == found["sentences_removed"] == 1000


def test_sentences_are_counted_as_a_multiset() -> None:
    assert sentences("One. Two! Three?\nOne.") == {"One.": 2, "Two!": 1, "Three?": 1}
    moved = changes("T", "T", "A first. B second.", "B second. A first.")
    assert (moved["sentences_added"], moved["sentences_removed"]) == (0, 0)


@pytest.mark.parametrize(
    ("change", "where"),
    [
        ({"version": 0}, "version"),
        ({"title": ""}, "title"),
        ({"changes": {"title_changed": True}}, "changes"),
        ({"surprise": 1}, "(record)"),
        ({"text_sha256": "ABC"}, "text_sha256"),
    ],
)
def test_the_schema_refuses_what_the_readme_rules_out(change: dict[str, Any], where: str) -> None:
    found = problems({**record(), **change})
    assert found and found[0].startswith(where), found


def test_a_schema_1_record_still_validates() -> None:
    old = {
        k: v
        for k, v in record().items()
        if k not in ("version", "previous_record_id", "first_seen", "changes")
    }
    assert not problems({**old, "schema": 1})
    assert problems({**old, "schema": 2})


def test_the_state_of_an_article_keeps_the_last_version(versions: Versions) -> None:
    versions.written(record())
    state = versions.state.get(URL)
    assert state is not None and state.article is not None
    assert dataclasses.astuple(state.article)[:4] == (
        record()["record_id"],
        record()["text_sha256"],
        "Bridge to close",
        1,
    )


def test_the_session_check_reads_parts_and_fails_on_a_bad_record(tmp_path: Path) -> None:
    good, damaged, bad = (tmp_path / f"part-{n}.jsonl.gz" for n in (1, 2, 3))
    good.write_bytes(gzip.compress(json.dumps(record()).encode() + b"\n{}\n"))
    damaged.write_bytes(b"not gzip")
    assert check_parts([good, damaged]) == 1
    bad.write_bytes(gzip.compress(json.dumps({**record(), "version": "2"}).encode() + b"\n"))
    with pytest.raises(AssertionError, match="version"):
        check_parts([bad])
