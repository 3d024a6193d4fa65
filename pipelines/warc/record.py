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
import struct
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
# A gzip member's header: no name, no mtime, no flags, OS "unknown" (zlib-ng's own says Unix).
_GZIP_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"


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


def gzip_member(raw: bytes, stored_from: int | None = None) -> bytes:
    """`raw` as one gzip member. From `stored_from` on, `raw` is already compressed (a payload
    sent with a Content-Encoding, a JPEG): deflating it again would cost about 1 ms of CPU per
    100 KB and save 0.1%, so those bytes go into stored deflate blocks (a 5-byte header per
    64 KB) after the record's head, deflated as usual. Two deflate streams make one: the first
    ends on a sync flush (byte-aligned, not final), the second refers to nothing before it; any
    gzip reader reads the member as one stream (what pigz does for its parallel blocks)."""
    if stored_from is None or stored_from >= len(raw):
        compressor = zlib_ng.compressobj(COMPRESS_LEVEL, zlib_ng.DEFLATED, zlib_ng.MAX_WBITS | 16)
        return compressor.compress(raw) + compressor.flush()
    head = zlib_ng.compressobj(COMPRESS_LEVEL, zlib_ng.DEFLATED, -zlib_ng.MAX_WBITS)
    stored = zlib_ng.compressobj(0, zlib_ng.DEFLATED, -zlib_ng.MAX_WBITS)
    view = memoryview(raw)
    return b"".join(
        (
            _GZIP_HEADER,
            head.compress(view[:stored_from]),
            head.flush(zlib_ng.Z_SYNC_FLUSH),
            stored.compress(view[stored_from:]),
            stored.flush(),
            struct.pack("<II", zlib_ng.crc32(raw), len(raw) & 0xFFFFFFFF),
        )
    )


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
    packed_payload: bool = False,
) -> Record:
    """Serialise one record. ``payload_offset`` is where the payload starts in ``block``
    (after an HTTP head); None means the record has no payload digest (warcinfo), unless
    ``payload_digest`` gives the digest of a payload not stored (a revisit's). With
    ``packed_payload`` the payload is compressed already (`is_packed`) and is stored, not
    deflated again, in the record's gzip member (`gzip_member`)."""
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
    stored_from = None
    if packed_payload and payload_offset is not None:
        stored_from = len(head) + 2 + payload_offset
    return Record(record_id, date, payload_digest, gzip_member(raw, stored_from))


# Payloads that deflate cannot shrink: a body sent with a Content-Encoding, and media formats
# that are compressed themselves.
_PACKED_TYPES = frozenset(
    str.split(
        """image/jpeg image/png image/gif image/webp image/avif image/heic video/mp4 video/webm
    video/mpeg audio/mpeg audio/mp4 audio/ogg audio/aac application/zip application/gzip
    application/x-gzip application/zstd application/x-bzip2 application/x-xz font/woff
    font/woff2"""
    )
)


# Content-Encodings that compress. Servers also send "none", "utf-8" or "binary" over plain
# text: those bodies are deflated as usual.
_PACKED_ENCODINGS = frozenset(
    {b"gzip", b"x-gzip", b"deflate", b"br", b"zstd", b"compress", b"x-compress"}
)


def is_packed(content_encoding: bytes | None, content_type: bytes | None) -> bool:
    """The HTTP payload is compressed already: a Content-Encoding applied to it compresses
    (`_PACKED_ENCODINGS`), or its media type is a compressed format (`_PACKED_TYPES`)."""
    codings = (content_encoding or b"").lower().split(b",")
    if any(coding.strip() in _PACKED_ENCODINGS for coding in codings):
        return True
    media = (content_type or b"").partition(b";")[0].strip().lower()
    return media.decode("latin-1") in _PACKED_TYPES


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
