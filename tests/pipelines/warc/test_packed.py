"""A payload compressed already is stored, not deflated again, in its record's gzip member; the
member stays one standard gzip member that gzip, zlib and warcio read as any other."""

from __future__ import annotations

import gzip
import random
import zlib
from pathlib import Path

import pytest

from pipelines.warc.record import build_record, gzip_member, http_head, is_packed, status_line
from tests.warcs import read_range, read_warc, warcio_check


def packed_body(size: int) -> bytes:
    """A gzip body of about `size` bytes, as a server sends it (random text: it does not shrink)."""
    rng = random.Random(size)
    text = bytes(rng.randrange(32, 127) for _ in range(size))
    return gzip.compress(text, mtime=0)


def response(body: bytes, packed: bool, url: str = "http://127.0.0.1/a") -> bytes:
    head = http_head(
        status_line("HTTP/1.1", 200),
        [(b"Content-Type", b"text/html"), (b"Content-Encoding", b"gzip")],
    )
    record = build_record(
        "response",
        head + body,
        record_id=f"<urn:uuid:{len(body)}>",
        date="2022-10-12T09:30:05Z",
        content_type="application/http; msgtype=response",
        target_uri=url,
        payload_offset=len(head),
        packed_payload=packed,
    )
    return record.data


@pytest.mark.parametrize("size", [0, 1, 3000, 70_000, 200_000])
def test_a_packed_payload_is_stored_verbatim_and_the_head_deflated(size: int) -> None:
    body = packed_body(size) if size else b""
    member = response(body, packed=True)
    plain = gzip.decompress(response(body, packed=False))
    assert gzip.decompress(member) == plain  # the same record bytes
    # one member, read to its end by zlib as a gzip stream, nothing left over
    reader = zlib.decompressobj(wbits=31)
    assert reader.decompress(member) == plain and reader.eof and reader.unused_data == b""
    assert b"WARC-Type: response" not in member  # the head is deflated
    if len(body) < 65_000:  # one stored block: the body appears as it is
        assert body in member
    else:  # stored blocks of 64 KB, 5 bytes of header each
        assert body[:60_000] in member
    assert len(member) < len(plain) + 5 * (1 + len(body) // 65_535)  # nothing grows but that


def test_records_with_stored_payloads_read_back_with_warcio(tmp_path: Path) -> None:
    bodies = [packed_body(n) for n in (10, 5000, 90_000)]
    members = [response(b, packed=True, url=f"http://127.0.0.1/{n}") for n, b in enumerate(bodies)]
    path = tmp_path / "packed.warc.gz"
    path.write_bytes(b"".join(members))
    records = read_warc(path)  # every digest checked
    assert [r.payload for r in records] == bodies
    offset = len(members[0])
    again = read_range(path, offset, len(members[1]))
    assert again.payload == bodies[1]
    warcio_check([path])


def test_a_plain_member_is_unchanged_without_a_stored_part() -> None:
    raw = b"WARC/1.1\r\n" + b"x" * 1000
    assert gzip.decompress(gzip_member(raw)) == raw
    assert gzip_member(raw) == gzip_member(raw, stored_from=None)
    assert len(gzip_member(raw)) < 100  # deflated


@pytest.mark.parametrize(
    ("encoding", "content_type", "packed"),
    [
        (b"gzip", b"text/html", True),
        (b" BR ", b"text/html; charset=utf-8", True),
        (b"zstd", None, True),
        (b"identity", b"text/html", False),
        (b"gzip, br", b"text/html", True),
        (b"gzip, identity", b"text/html", True),  # identity changes nothing
        (b"none", b"text/html", False),  # what misconfigured servers send over plain text
        (b"UTF-8", b"text/html", False),
        (b"x-compress", None, True),
        (None, b"text/html; charset=utf-8", False),
        (None, b"Image/JPEG", True),
        (None, b"image/svg+xml", False),
        (None, b"application/pdf", False),
        (None, None, False),
    ],
)
def test_which_payloads_are_packed(
    encoding: bytes | None, content_type: bytes | None, packed: bool
) -> None:
    assert is_packed(encoding, content_type) is packed
