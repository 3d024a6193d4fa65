"""One HTTP exchange as its two WARC records: the response as received, the request as sent.

The reason phrase comes from ``crawler.downloader.handler.ArchivalDownloadHandler`` (Scrapy drops
it), and so does the cut at ``DOWNLOAD_MAXSIZE``: a cut body is archived up to the limit with
``WARC-Truncated: length``, and one broken off by the server with ``WARC-Truncated: disconnect``.
What Scrapy cannot give back is written as faithfully as it can be, and said so:
- the connection headers (``Connection``, ``Keep-Alive`` ...) follow the others, as Twisted
  keeps them apart and the original order between the two groups is not known;
- a chunked body arrives de-chunked: the ``Transfer-Encoding`` header is renamed to
  ``X-Archive-Orig-Transfer-Encoding`` (pywb's convention) so that readers do not try to
  de-chunk it again, and the record carries ``Newsarchive-Transfer-Decoded: chunked``.
"""

from __future__ import annotations

from collections.abc import Iterator, Set

from scrapy import Request
from scrapy.http import Response
from scrapy.utils.httpobj import urlparse_cached

from crawler.meta import CONNECTION_HEADERS, REASON, truncated_body
from pipelines.warc import tls as warctls
from pipelines.warc.record import (
    Record,
    RecordFactory,
    build_record,
    http_head,
    is_packed,
    status_line,
)
from pipelines.warc.record import warc_date as format_date
from pipelines.warc.revisit import Revisit

REDACTED = b"<redacted by newsarchive>"
HTTP_REQUEST = "application/http; msgtype=request"
HTTP_RESPONSE = "application/http; msgtype=response"


def exchange_records(
    factory: RecordFactory,
    request: Request,
    response: Response,
    redact_headers: Set[str],
    tls_written: dict[str, str] | None = None,
    revisit: Revisit | None = None,
) -> Iterator[Record]:
    """The response record, then the request record (``WARC-Concurrent-To`` it); built as the
    writer takes them, so that they land in one file together. For https, then the certificate
    chain record (``pipelines.warc.tls``) unless ``tls_written``, the chain records already in
    the file, holds it. With ``revisit`` (``pipelines.warc.revisit``), a revisit record stands
    for the response record."""
    date = format_date(factory.now())
    response_id, request_id = factory.make_id(), factory.make_id()
    protocol = response.protocol or "HTTP/1.1"
    protocols = warctls.protocol_fields(request, protocol)  # WARC-Protocol, WARC-Cipher-Suite
    fields = [("WARC-Concurrent-To", response_id), *protocols]
    written = {} if tls_written is None else tls_written
    chain_id, chain = warctls.chain_record(factory, request, date, written)
    head, transfer_decoded = response_head(request, response, protocol)
    body, truncated = truncated_body(request, response)
    extra = [("Newsarchive-Transfer-Decoded", "chunked")] if transfer_decoded else []
    if truncated is not None:
        extra.append(("WARC-Truncated", truncated))
    if response.ip_address is not None:
        extra.append(("WARC-IP-Address", str(response.ip_address)))
    extra += protocols + warctls.response_fields(request, chain_id)
    packed = is_packed(
        response.headers.get(b"Content-Encoding"), response.headers.get(b"Content-Type")
    )
    yield response_record(request.url, head, body, response_id, date, extra, revisit, packed)
    sent = request_head(request, protocol, redact_headers)
    yield build_record(
        "request",
        sent + request.body,
        record_id=request_id,
        date=date,
        content_type=HTTP_REQUEST,
        target_uri=request.url,
        payload_offset=len(sent),
        headers=fields,
    )
    if chain is not None:  # once per host and chain in each file, after its first exchange
        yield chain


def response_record(
    url: str,
    head: bytes,
    body: bytes,
    record_id: str,
    date: str,
    fields: list[tuple[str, str]],
    revisit: Revisit | None,
    packed: bool = False,
) -> Record:
    """The response record; or the revisit that stands for it, without the body (and without
    the head, for a 304: see ``pipelines.warc.revisit``). A `packed` body (compressed already,
    ``pipelines.warc.record.is_packed``) is stored in the record's gzip member as it is."""
    if revisit is None:
        return build_record(
            "response",
            head + body,
            record_id=record_id,
            date=date,
            content_type=HTTP_RESPONSE,
            target_uri=url,
            payload_offset=len(head),
            headers=fields,
            packed_payload=packed,
        )
    return build_record(
        "revisit",
        head if revisit.keeps_head else b"",
        record_id=record_id,
        date=date,
        content_type=HTTP_RESPONSE,
        target_uri=url,
        headers=revisit.fields(url) + fields,
        payload_digest=revisit.payload_digest,
    )


def response_head(request: Request, response: Response, protocol: str) -> tuple[bytes, bool]:
    """The HTTP head as received, and whether the body arrived de-chunked."""
    headers: list[tuple[bytes, bytes]] = []
    for name, values in response.headers.items():
        headers.extend((name, value) for value in values)
    decoded = False
    for name, value in request.meta.get(CONNECTION_HEADERS, ()):
        if name.lower() == b"content-length" and b"Content-Length" in response.headers:
            continue  # Scrapy already put it back among the headers
        if name.lower() == b"transfer-encoding":
            name, decoded = b"X-Archive-Orig-Transfer-Encoding", True
        headers.append((name, value))
    reason = request.meta.get(REASON)
    phrase = reason.decode("latin-1") if isinstance(reason, bytes) else None
    return http_head(status_line(protocol, response.status, phrase), headers), decoded


def request_head(request: Request, protocol: str, redact_headers: Set[str]) -> bytes:
    """The request line and headers as sent, secrets redacted."""
    parts = urlparse_cached(request)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    headers: list[tuple[bytes, bytes]] = []
    if b"Host" not in request.headers:
        headers.append((b"Host", parts.netloc.encode("ascii")))
    for name, values in request.headers.items():
        redact = name.lower().decode("latin-1") in redact_headers
        headers.extend((name, REDACTED if redact else value) for value in values)
    first = f"{request.method} {target} {protocol}".encode("latin-1")
    return http_head(first, headers)
