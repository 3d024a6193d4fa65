"""WARC/1.1 record serialisation: bytes in, one gzip member out.

We build records ourselves instead of with warcio's ``RecordBuilder`` because an archive
must keep the HTTP head exactly as received: warcio re-encodes header values (non-ASCII
bytes get percent-encoded) and hashes with sha1. Everything written here is read back
with warcio's ``ArchiveIterator(check_digests=True)`` in the tests.

Each record is its own gzip member, so an (offset, length) pair addresses one record.
"""

from __future__ import annotations

import base64
import hashlib
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from http import HTTPStatus

from zlib_ng import zlib_ng

from crawler.timestamps import rfc3339

WARC_VERSION = b"WARC/1.1"
# zlib's default level: warcio's 9 costs ~3x the CPU for ~2% smaller files. Deflated by zlib-ng,
# which writes the same standard gzip members as zlib in about half its CPU at this level (files
# within 1% of zlib's size; benchmarks/throughput measures the crawl).
COMPRESS_LEVEL = 6


def sha256_digest(data: bytes) -> str:
    """A digest in the ``algorithm:BASE32`` form warcio and pywb read and check."""
    return "sha256:" + base64.b32encode(hashlib.sha256(data).digest()).decode("ascii")


def new_record_id() -> str:
    return f"<urn:uuid:{uuid.uuid4()}>"


def warc_date(moment: datetime) -> str:
    """WARC/1.1 date: UTC, microseconds (the spec allows sub-second precision)."""
    return rfc3339(moment)  # the project's one format (crawler/timestamps.py)


@dataclass(frozen=True, slots=True)
class Record:
    """One serialised record and the facts a pointer to it needs."""

    record_id: str
    date: str  # WARC-Date
    payload_digest: str | None
    data: bytes  # the gzip member


@dataclass(frozen=True, slots=True)
class RecordFactory:
    """Makes record ids and dates; tests pin both to compare golden bytes."""

    make_id: Callable[[], str] = new_record_id
    now: Callable[[], datetime] = lambda: datetime.now(UTC)


def gzip_member(raw: bytes) -> bytes:
    compressor = zlib_ng.compressobj(COMPRESS_LEVEL, zlib_ng.DEFLATED, zlib_ng.MAX_WBITS | 16)
    return compressor.compress(raw) + compressor.flush()


def build_record(
    record_type: str,
    block: bytes,
    *,
    record_id: str,
    date: str,
    content_type: str,
    target_uri: str | None = None,
    payload_offset: int | None = None,
    headers: Iterable[tuple[str, str]] = (),
    payload_digest: str | None = None,
) -> Record:
    """Serialise one record. ``payload_offset`` is where the payload starts in ``block``
    (after an HTTP head); None means the record has no payload digest (warcinfo), unless
    ``payload_digest`` gives the digest of a payload not stored (a revisit's)."""
    fields: list[tuple[str, str]] = [
        ("WARC-Type", record_type),
        ("WARC-Record-ID", record_id),
        ("WARC-Date", date),
    ]
    if target_uri is not None:
        fields.append(("WARC-Target-URI", target_uri))
    fields.extend(headers)
    if payload_offset is not None:
        payload_digest = sha256_digest(block[payload_offset:])
    if payload_digest is not None:
        fields.append(("WARC-Payload-Digest", payload_digest))
    fields.append(("WARC-Block-Digest", sha256_digest(block)))
    fields.append(("Content-Type", content_type))
    fields.append(("Content-Length", str(len(block))))
    head = WARC_VERSION + b"\r\n"
    head += b"".join(f"{name}: {value}\r\n".encode() for name, value in fields)
    raw = head + b"\r\n" + block + b"\r\n\r\n"
    return Record(record_id, date, payload_digest, gzip_member(raw))


def http_head(first_line: bytes, headers: Iterable[tuple[bytes, bytes]]) -> bytes:
    lines = [first_line] + [name + b": " + value for name, value in headers]
    return b"\r\n".join(lines) + b"\r\n\r\n"


def status_line(protocol: str | None, status: int, reason: str | None = None) -> bytes:
    """The response's status line. Scrapy keeps the protocol but not the reason phrase;
    without a reason we write the standard phrase for the code."""
    if reason is None:
        try:
            reason = HTTPStatus(status).phrase
        except ValueError:
            reason = ""
    return f"{protocol or 'HTTP/1.1'} {status} {reason}".rstrip().encode("latin-1")


def warc_fields(info: Iterable[tuple[str, str]]) -> bytes:
    """An ``application/warc-fields`` block (warcinfo, metadata)."""
    return b"".join(f"{name}: {value}\r\n".encode() for name, value in info if value)
