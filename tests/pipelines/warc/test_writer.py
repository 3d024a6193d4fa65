"""The rotating WARC writer and the record serialiser, read back with warcio."""

from __future__ import annotations

import gzip
import itertools
import random
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from pipelines.archive.spool import OPEN_SUFFIX
from pipelines.warc.record import (
    Record,
    RecordFactory,
    build_record,
    http_head,
    sha256_digest,
    status_line,
)
from pipelines.warc.writer import ClosedWarc, RotatingWarcWriter, WarcFile
from tests.warcs import read_range, read_warc

MOMENT = datetime(2022, 10, 12, 9, 30, 5, 123456, tzinfo=UTC)


def pinned_factory() -> RecordFactory:
    counter = itertools.count(1)
    return RecordFactory(
        make_id=lambda: f"<urn:uuid:00000000-0000-4000-8000-{next(counter):012d}>",
        now=lambda: MOMENT,
    )


def exchange(body: bytes, url: str = "http://127.0.0.1/a?b=1"):  # type: ignore[no-untyped-def]
    def build(factory: RecordFactory) -> Iterator[Record]:
        head = http_head(status_line("HTTP/1.1", 200), [(b"Content-Type", b"text/html")])
        yield build_record(
            "response",
            head + body,
            record_id=factory.make_id(),
            date="2022-10-12T09:30:05Z",
            content_type="application/http; msgtype=response",
            target_uri=url,
            payload_offset=len(head),
        )

    return build


def writer(tmp_path: Path, closed: list[ClosedWarc], **overrides: object) -> RotatingWarcWriter:
    options: dict[str, object] = {
        "prefix": "test",
        "writer_id": "host-1",
        "max_size": 10_000,
        "max_age": 0,
        "warcinfo": [("software", "newsarchive-test")],
        "on_close": closed.append,
        "factory": pinned_factory(),
    }
    options.update(overrides)
    return RotatingWarcWriter(tmp_path, **options)  # type: ignore[arg-type]


def test_golden_bytes_of_a_response_record() -> None:
    cookies = [(b"Set-Cookie", b"a=1"), (b"Set-Cookie", b"b=2")]
    head = http_head(status_line("HTTP/1.1", 404), cookies)
    record = build_record(
        "response",
        head + b"gone",
        record_id="<urn:uuid:x>",
        date="2022-10-12T09:30:05Z",
        content_type="application/http; msgtype=response",
        target_uri="http://h/p?q=1",
        payload_offset=len(head),
    )
    block = b"HTTP/1.1 404 Not Found\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\n\r\ngone"
    expected = (
        b"WARC/1.1\r\nWARC-Type: response\r\nWARC-Record-ID: <urn:uuid:x>\r\n"
        b"WARC-Date: 2022-10-12T09:30:05Z\r\nWARC-Target-URI: http://h/p?q=1\r\n"
        b"WARC-Payload-Digest: " + sha256_digest(b"gone").encode() + b"\r\n"
        b"WARC-Block-Digest: " + sha256_digest(block).encode() + b"\r\n"
        b"Content-Type: application/http; msgtype=response\r\n"
        b"Content-Length: " + str(len(block)).encode() + b"\r\n\r\n" + block + b"\r\n\r\n"
    )
    assert gzip.decompress(record.data) == expected
    assert record.payload_digest == sha256_digest(b"gone")


def test_status_line_uses_the_standard_phrase_and_keeps_unknown_codes() -> None:
    assert status_line("HTTP/1.0", 503) == b"HTTP/1.0 503 Service Unavailable"
    assert status_line(None, 299) == b"HTTP/1.1 299"
    assert status_line("HTTP/1.1", 200, "Everything Fine") == b"HTTP/1.1 200 Everything Fine"


def test_file_is_open_while_written_then_closed_with_warcinfo_first(tmp_path: Path) -> None:
    closed: list[ClosedWarc] = []
    w = writer(tmp_path, closed)
    [pointer] = w.write(exchange(b"<p>hi</p>"))
    assert w.current is not None
    open_name = w.current.path.name + OPEN_SUFFIX
    assert [p.name for p in tmp_path.iterdir()] == [open_name]
    w.close()
    assert [c.path.name for c in closed] == ["test-20221012093005123-00001-host-1.warc.gz"]
    assert closed[0].records == 2
    records = read_warc(closed[0].path)
    assert [r.rec_type for r in records] == ["warcinfo", "response"]
    assert b"software: newsarchive-test" in records[0].payload
    assert b"filename: test-20221012093005123-00001-host-1.warc.gz" in records[0].payload
    again = read_range(closed[0].path, pointer.offset, pointer.length)
    assert again.record_id == pointer.record_id and again.payload == b"<p>hi</p>"
    assert pointer.payload_digest == sha256_digest(b"<p>hi</p>")


def test_every_record_goes_through_the_file_class_write(tmp_path: Path) -> None:
    """The seam the crash-resume tests tear a record at (tests/faults.py)."""
    written: list[int] = []

    class Watched(WarcFile):
        def _write(self, data: bytes) -> None:
            written.append(len(data))
            super()._write(data)

    closed: list[ClosedWarc] = []
    w = writer(tmp_path, closed)
    w.file_class = Watched
    w.write(exchange(b"<p>hi</p>"))
    w.close()
    assert len(written) == 2 == closed[0].records  # the warcinfo record and the response
    assert sum(written) == closed[0].path.stat().st_size


def test_rotates_by_size_and_every_record_reads_back(tmp_path: Path) -> None:
    closed: list[ClosedWarc] = []
    w = writer(tmp_path, closed, max_size=3000)
    bodies = [random.Random(i).randbytes(2000) for i in range(7)]  # incompressible
    pointers = [w.write(exchange(body))[0] for body in bodies]
    w.close()
    assert len(closed) >= 3
    assert [c.path.name.split("-")[2] for c in closed] == [
        f"{n:05d}" for n in range(1, len(closed) + 1)
    ]
    largest = max(p.length for p in pointers)
    for c in closed:  # no file grows past the limit by more than one exchange
        assert c.path.stat().st_size < 3000 + largest
        assert read_warc(c.path)[0].rec_type == "warcinfo"
    for body, p in zip(bodies, pointers, strict=True):
        assert read_range(tmp_path / p.filename, p.offset, p.length).payload == body


def test_rotates_by_age(tmp_path: Path) -> None:
    closed: list[ClosedWarc] = []
    w = writer(tmp_path, closed, max_age=0.01)
    w.write(exchange(b"one"))
    assert w.current is not None
    w.current.opened -= 1  # as if the file had been open for a second
    w.rotate_if_old()
    assert len(closed) == 1 and w.current is None
    w.write(exchange(b"two"))
    w.close()
    assert len(closed) == 2


def test_a_left_over_file_name_is_never_reused(tmp_path: Path) -> None:
    closed: list[ClosedWarc] = []
    (tmp_path / "test-20221012093005123-00001-host-1.warc.gz.open").write_bytes(b"x")
    w = writer(tmp_path, closed)
    w.write(exchange(b"one"))
    w.close()
    assert closed[0].path.name == "test-20221012093005123-00002-host-1.warc.gz"
    left_over = tmp_path / ("test-20221012093005123-00001-host-1.warc.gz" + OPEN_SUFFIX)
    assert left_over.read_bytes() == b"x"


def test_close_without_writes_makes_no_file(tmp_path: Path) -> None:
    closed: list[ClosedWarc] = []
    writer(tmp_path, closed).close()
    assert closed == [] and list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("body", [b"", b"\x00\xff" * 100, "ü€".encode()])
def test_any_payload_bytes_round_trip(tmp_path: Path, body: bytes) -> None:
    closed: list[ClosedWarc] = []
    w = writer(tmp_path, closed)
    [p] = w.write(exchange(body))
    w.close()
    assert read_range(tmp_path / p.filename, p.offset, p.length).payload == body
