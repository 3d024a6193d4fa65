"""Reading what a crawl wrote, with the real readers: warcio with digest checks, gzip, json."""

from __future__ import annotations

import base64
import gzip
import hashlib
import io
import json
import subprocess
import sys
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
            digest = record.rec_headers.get_header("WARC-Payload-Digest")
            if digest and record.rec_type != "revisit":  # a revisit's is its target's
                assert record.digest_checker.passed is True, (path, record.rec_headers)
            http = record.http_headers
            records.append(
                WarcRecord(
                    filename=path.name,
                    offset=iterator.get_record_offset(),
                    length=iterator.get_record_length(),
                    rec_type=record.rec_type,
                    headers=dict(record.rec_headers.headers),
                    http_status=int(http.get_statuscode())
                    if record.rec_type == "response" and http
                    else None,
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
        filename=path.name,
        offset=offset,
        length=length,
        rec_type=record.rec_type,
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


@dataclass(frozen=True)
class RawRecord:
    """One record with its block exactly as stored (HTTP head and payload, not parsed)."""

    filename: str
    offset: int
    length: int
    headers: dict[str, str]  # WARC headers; a repeated name keeps its first value
    header_list: list[tuple[str, str]]
    block: bytes

    @property
    def rec_type(self) -> str:
        return self.headers["WARC-Type"]


def raw_records(path: Path) -> list[RawRecord]:
    """Every record of one file with its raw block, whose WARC-Block-Digest is checked. (warcio
    checks the payload digest only when it parses the HTTP head, which would not leave it raw.)"""
    records = []
    with open(path, "rb") as stream:
        iterator = ArchiveIterator(stream, no_record_parse=True)
        for record in iterator:
            block = record.raw_stream.read()
            iterator.read_to_end(record)
            header_list = list(record.rec_headers.headers)
            digest = base64.b32encode(hashlib.sha256(block).digest()).decode("ascii")
            assert record.rec_headers.get_header("WARC-Block-Digest") == f"sha256:{digest}"
            records.append(
                RawRecord(
                    filename=path.name,
                    offset=iterator.get_record_offset(),
                    length=iterator.get_record_length(),
                    headers={n: v for n, v in reversed(header_list)},
                    header_list=header_list,
                    block=block,
                )
            )
    return records


def warcio_check(paths: list[Path]) -> str:
    """Run warcio's own checker (the `warcio check` CLI) on the files; returns its report.

    It fails the calling test when the command fails or any digest does not pass."""
    assert paths, "no WARC files to check"
    warcio = Path(sys.executable).with_name("warcio")
    result = subprocess.run(
        [str(warcio), "check", "-v", *map(str, paths)], capture_output=True, text=True, check=False
    )
    report = result.stdout + result.stderr
    assert result.returncode == 0, report
    digests = [line.strip() for line in report.splitlines() if line.strip().startswith("digest")]
    # a revisit's payload digest is its target's: warcio cannot check it there (verify does)
    sound = {"digest pass", "digest present but not checked (revisit)"}
    assert digests and all(line in sound for line in digests), report
    return report
