"""One timestamp format in everything a crawl writes (crawler/timestamps.py): the fixture crawl's
WARC headers and warc-fields, its clean records, report, writers' markers and manifest are read
back, and every timestamp in them must be RFC 3339 in UTC with ``Z`` and six fraction digits. A
page's own dates are the exception the format allows: a bare date, or a local time the page gave
without a zone, but never another offset than ``Z``."""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from crawler.timestamps import PATTERN, page_time, parse, rfc3339
from tests.conftest import ArchivedCrawl
from tests.warcs import read_warc

LOOKS_LIKE_A_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:")
PAGE_DATES = {"published_at", "modified_at"}  # the page's claims, see crawler/timestamps.py
PAGE_FORMS = re.compile(r"\d{4}-\d{2}-\d{2}|\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?")


def strings(value: Any, key: str = "") -> Iterator[tuple[str, str]]:
    """(key, value) of every string in a JSON value, with the key it is found under."""
    if isinstance(value, dict):
        for name, item in value.items():
            yield from strings(item, str(name))
    elif isinstance(value, list):
        for item in value:
            yield from strings(item, key)
    elif isinstance(value, str):
        yield key, value


def timestamps(value: Any) -> Iterator[tuple[str, str]]:
    """(key, value) of every string in a JSON value that looks like a date or a time."""
    for key, text in strings(value):
        if LOOKS_LIKE_A_TIME.match(text) or key in PAGE_DATES:
            yield key, text


def json_documents(crawl: ArchivedCrawl) -> Iterator[tuple[str, Any]]:
    """Every JSON document the crawl stored: markers, reports, manifest, each clean record."""
    for path in sorted(crawl.root.rglob("*.json")):
        yield str(path.relative_to(crawl.root)), json.loads(path.read_text("utf-8"))
    for part in crawl.record_parts:
        with gzip.open(part, "rt", encoding="utf-8") as lines:
            for number, line in enumerate(lines, 1):
                yield f"{part.name}:{number}", json.loads(line)


def test_every_timestamp_a_crawl_writes_has_the_one_format(archived_crawl: ArchivedCrawl) -> None:
    seen: set[str] = set()
    wrong = []
    for where, document in json_documents(archived_crawl):
        for key, value in timestamps(document):
            seen.add(key)
            if key in PAGE_DATES:
                good = bool(PATTERN.fullmatch(value) or PAGE_FORMS.fullmatch(value))
            else:
                good = bool(PATTERN.fullmatch(value))
            if not good:
                wrong.append(f"{where}: {key} = {value!r}")
    assert not wrong, "\n".join(wrong)
    # the moments the archive notes, Scrapy's in the report, the record's fetch and page dates
    assert {"started_at", "finished_at", "start_time", "fetched_at", "published_at"} <= seen


def test_every_warc_date_and_field_has_the_one_format(archived_crawl: ArchivedCrawl) -> None:
    dates = wrong = 0
    for path in archived_crawl.warcs:
        for record in read_warc(path):
            date = record.headers["WARC-Date"]
            dates += 1
            wrong += not PATTERN.fullmatch(date)
            if record.rec_type in ("warcinfo", "metadata"):
                for line in record.payload.decode("utf-8").splitlines():
                    _, _, value = line.partition(": ")
                    if LOOKS_LIKE_A_TIME.match(value):
                        assert PATTERN.fullmatch(value), f"{path.name}: {line}"
    assert dates and not wrong


def test_the_format_is_utc_with_z_and_a_page_keeps_what_it_did_not_say() -> None:
    moment = datetime(2024, 5, 1, 12, 30, 5, 120, tzinfo=timezone(timedelta(hours=2)))
    assert rfc3339(moment) == "2024-05-01T10:30:05.000120Z"
    assert parse(rfc3339(moment)) == moment.astimezone(UTC)
    with pytest.raises(ValueError, match="no time zone"):
        rfc3339(datetime(2024, 5, 1, 12, 30))
    assert page_time("2024-05-01T12:30:00+02:00") == "2024-05-01T10:30:00.000000Z"
    assert page_time("2024-05-01") == "2024-05-01"  # a date: no invented midnight
    assert page_time("2024-05-01T12:30:00") == "2024-05-01T12:30:00"  # no zone to convert with
    assert page_time(None) is None


RECORD_ID = re.compile(r"<urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}>")


def record_ids(value: Any) -> Iterator[str]:
    """Every record id in a JSON value: the values of keys named ``*record_id``."""
    return (text for key, text in strings(value) if key.endswith("record_id"))


def test_every_record_id_a_crawl_writes_has_the_one_format(archived_crawl: ArchivedCrawl) -> None:
    ids = [i for _, document in json_documents(archived_crawl) for i in record_ids(document)]
    for path in archived_crawl.warcs:
        for record in read_warc(path):
            ids.append(record.record_id)
            if record.rec_type == "metadata":
                lines = record.payload.decode("utf-8").splitlines()
                ids += [line.partition(": ")[2] for line in lines if line.startswith("record-id:")]
    wrong = [value for value in ids if not RECORD_ID.fullmatch(value)]
    assert ids and not wrong, wrong[:5]
