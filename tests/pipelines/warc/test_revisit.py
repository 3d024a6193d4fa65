"""Which exchanges become revisit records, and the records themselves read back with warcio and
indexed as cdxj-indexer indexes them."""

from __future__ import annotations

import dataclasses
import io
import itertools
from datetime import UTC, datetime

import pytest
from scrapy import Request
from scrapy.http import HtmlResponse, Response
from warcio.archiveiterator import ArchiveIterator

from crawler.meta import CONDITIONAL, PREVIOUS_CAPTURE, TRUNCATED, TRUNCATED_AT
from crawler.state.base import Capture
from pipelines.warc import cdxj
from pipelines.warc.exchange import exchange_records
from pipelines.warc.record import RecordFactory, sha256_digest
from pipelines.warc.revisit import (
    IDENTICAL_PAYLOAD_DIGEST,
    SERVER_NOT_MODIFIED,
    Revisit,
    revisit_of,
)

URL = "http://127.0.0.1/2022/10/12/story/"
BODY = b"<html><body><p>The story.</p></body></html>"
BEFORE = Capture(
    "demo-20221011000000",
    "newsarchive-20221011000000000-00001-host-1.warc.gz",
    0,
    1000,
    "<urn:uuid:00000000-0000-4000-8000-0000000000aa>",
    "2022-10-11T00:00:00.000000Z",
    sha256_digest(BODY),
    200,
)


def request(conditional: bool = True, previous: Capture | None = BEFORE) -> Request:
    meta: dict[str, object] = {CONDITIONAL: conditional} if conditional else {}
    if previous is not None:
        meta[PREVIOUS_CAPTURE] = previous
    return Request(URL, meta=meta, headers={"If-None-Match": '"v1"'} if conditional else {})


def response(req: Request, status: int = 200, body: bytes = BODY) -> Response:
    headers = {"Content-Type": "text/html", "ETag": '"v1"'}
    return HtmlResponse(URL, status=status, body=body, headers=headers, request=req)


def test_a_304_to_a_conditional_request_is_a_not_modified_revisit() -> None:
    req = request()
    found = revisit_of(req, response(req, 304, b""))
    assert found == Revisit(SERVER_NOT_MODIFIED, BEFORE, None)


def test_a_200_with_the_same_payload_is_an_identical_payload_revisit() -> None:
    req = request(conditional=False)
    found = revisit_of(req, response(req))
    assert found == Revisit(IDENTICAL_PAYLOAD_DIGEST, BEFORE, BEFORE.payload_digest)


@pytest.mark.parametrize(
    ("req", "status", "body"),
    [
        (request(conditional=False), 304, b""),  # a 304 nobody asked for
        (request(previous=None), 304, b""),  # nothing to refer to
        (request(), 200, BODY + b"changed"),
        (request(), 404, BODY),
        (request(previous=dataclasses.replace(BEFORE, status=404)), 200, BODY),
    ],
)
def test_what_is_archived_in_full(req: Request, status: int, body: bytes) -> None:
    assert revisit_of(req, response(req, status, body)) is None


def test_a_body_cut_at_the_size_limit_is_never_a_revisit() -> None:
    req = request(conditional=False)
    req.meta.update({TRUNCATED: "length", TRUNCATED_AT: len(BODY)})
    cut = response(req, 200, BODY + b"more")
    cut.flags.append("download_stopped")
    assert revisit_of(req, cut) is None


def records(req: Request, resp: Response) -> bytes:
    counter = itertools.count(1)
    factory = RecordFactory(
        make_id=lambda: f"<urn:uuid:00000000-0000-4000-8000-{next(counter):012d}>",
        now=lambda: datetime(2022, 10, 12, tzinfo=UTC),
    )
    revisit = revisit_of(req, resp)
    return b"".join(r.data for r in exchange_records(factory, req, resp, set(), None, revisit))


@pytest.mark.parametrize(
    ("conditional", "status", "profile", "status_line", "digest"),
    [
        (True, 304, SERVER_NOT_MODIFIED, None, None),
        (False, 200, IDENTICAL_PAYLOAD_DIGEST, "200 OK", BEFORE.payload_digest),
    ],
)
def test_revisit_records_read_back_and_index_as_pywb_expects(
    conditional: bool, status: int, profile: str, status_line: str | None, digest: str | None
) -> None:
    req = request(conditional)
    data = records(req, response(req, status, b"" if status == 304 else BODY))
    stream = io.BytesIO(data)
    revisit, sent = list(ArchiveIterator(stream, check_digests="raise"))[:2]
    assert revisit.rec_type == "revisit" and sent.rec_type == "request"
    headers = revisit.rec_headers
    assert headers.get_header("WARC-Profile") == profile
    assert headers.get_header("WARC-Refers-To") == BEFORE.record_id
    assert headers.get_header("WARC-Refers-To-Target-URI") == URL
    assert headers.get_header("WARC-Refers-To-Date") == BEFORE.date
    assert headers.get_header("WARC-Payload-Digest") == digest
    assert revisit.content_stream().read() == b""  # the body is not stored
    assert (revisit.http_headers.statusline if revisit.http_headers else None) == status_line
    [entry] = list(cdxj.index_warc(io.BytesIO(data), "x.warc.gz"))
    assert entry.mime == "warc/revisit" and entry.digest == digest
    assert entry.status == (None if status == 304 else "200")
