"""Reading what a crawl wrote, with the real readers: warcio with digest checks, gzip, json."""

from __future__ import annotations

import gzip
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from warcio.archiveiterator import ArchiveIterator


@dataclass(frozen=True)
class WarcRecord:
    filename: str
    offset: int
    length: int
    rec_type: str
    headers: dict[str, str]  # WARC headers
    http_status: int | None
    http_headers: list[tuple[str, str]]  # as parsed by warcio, repeated names kept
    payload: bytes  # the raw payload, as stored (still content-encoded)
    status_line: str = ""  # the HTTP status line (response) or request line (request)

    @property
    def uri(self) -> str:
        return self.headers.get("WARC-Target-URI", "")

    @property
    def record_id(self) -> str:
        return self.headers["WARC-Record-ID"]


def read_warc(path: Path) -> list[WarcRecord]:
    """Every record of one file; a digest that does not match raises (check_digests="raise")."""
    records = []
    with open(path, "rb") as stream:
        iterator = ArchiveIterator(stream, check_digests="raise")
        for record in iterator:
            payload = record.raw_stream.read()
            if record.rec_headers.get_header("WARC-Payload-Digest"):
                assert record.digest_checker.passed is True, (path, record.rec_headers)
            http = record.http_headers
            records.append(
                WarcRecord(
                    filename=path.name,
                    offset=iterator.get_record_offset(),
                    length=iterator.get_record_length(),
                    rec_type=record.rec_type,
                    headers=dict(record.rec_headers.headers),
                    http_status=int(http.get_statuscode()) if record.rec_type == "response"
                    and http else None,
                    http_headers=list(http.headers) if http else [],
                    payload=payload,
                    status_line=f"{http.protocol} {http.statusline}" if http else "",
                )
            )
    return records


def read_range(path: Path, offset: int, length: int) -> WarcRecord:
    """The single record at (offset, length), read from exactly those bytes."""
    with open(path, "rb") as stream:
        stream.seek(offset)
        data = stream.read(length)
    assert len(data) == length
    tmp = io.BytesIO(data)
    iterator = ArchiveIterator(tmp, check_digests="raise")
    record = next(iterator)
    payload = record.raw_stream.read()
    return WarcRecord(
        filename=path.name, offset=offset, length=length, rec_type=record.rec_type,
        headers=dict(record.rec_headers.headers),
        http_status=int(record.http_headers.get_statuscode()) if record.http_headers else None,
        http_headers=list(record.http_headers.headers) if record.http_headers else [],
        payload=payload,
    )


def read_records(paths: list[Path]) -> Iterator[dict[str, Any]]:
    for path in paths:
        with gzip.open(path, "rt", encoding="utf-8") as lines:
            for line in lines:
                yield json.loads(line)


def normalise(text: str) -> str:
    return " ".join(text.split())
