"""What the server sent is what the WARC holds, byte for byte.

The crawl goes through a relay (tests/wiretap.py) that keeps every byte on the wire, and each
response record's block is compared with the response as sent. The only differences allowed are
the documented ones (README, "WARC files"): Scrapy puts Content-Length first; Twisted keeps the
connection headers apart, so they follow the others, with Transfer-Encoding renamed
X-Archive-Orig-Transfer-Encoding; a chunked body is stored de-chunked; a body past
DOWNLOAD_MAXSIZE is stored up to the limit. The payloads are also compared with what each fixture
route produces, so a test fails if either the server or the writer changes a byte.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.servers import routes
from tests.servers.demo import crawl
from tests.servers.http import SITE, HttpServer
from tests.warcs import RawRecord, WarcRecord, raw_records, read_warc, warcio_check
from tests.wiretap import WireExchange, WireResponse, WireTap

CRAWL_ID = "fidelity-20221012000000"
MAXSIZE = 1024 * 1024
PATHS = [
    "/special/reason",
    "/special/query?a=1&b=two%20words",
    "/special/cookies",
    "/special/chunked",
    "/special/big?mb=3",
    "/special/pdf",
]
CONNECTION_HEADERS = {
    b"connection",
    b"keep-alive",
    b"transfer-encoding",
    b"upgrade",
    b"te",
    b"trailers",
    b"proxy-connection",
}


@dataclass
class Fidelity:
    warcs: list[Path]
    records: dict[str, WarcRecord]  # "response /path?query" -> record, parsed by warcio
    raw: dict[str, RawRecord]  # the same, with the block as stored
    wire: dict[str, WireExchange]  # "/path?query" -> what went over the wire
    base_url: str


@pytest.fixture(scope="module")
def fidelity(tmp_path_factory: pytest.TempPathFactory) -> Fidelity:
    tmp = tmp_path_factory.mktemp("fidelity")
    seeds = tmp / "fidelity.toml"
    urls = ", ".join(f'"${{NEWSARCHIVE_DEMO_URL}}{p}"' for p in PATHS)
    seeds.write_text(
        f'name = "fidelity"\nstart_urls = [{urls}]\nallowed_domains = ["127.0.0.1"]\n'
        'related_depth = 0\ncontact = "https://example.org/bot"\n'
        f"[settings]\nDOWNLOAD_MAXSIZE = {MAXSIZE}\n"
    )
    root = tmp / "archive"
    with HttpServer() as site:
        upstream = urlsplit(site.base_url)
        assert upstream.hostname is not None and upstream.port is not None
        with WireTap(upstream.hostname, upstream.port) as tap:
            result = crawl(
                tap.base_url,
                str(root),
                CRAWL_ID,
                seeds=str(seeds),
                capture=True,
                log_file=tmp / "crawl.log",
                extra={"STORE_SPOOL_DIR": str(tmp / "spool")},
            )
        wire = {exchange.target: exchange for exchange in tap.exchanges()}
    assert result.returncode == 0, result.stderr + (tmp / "crawl.log").read_text()
    warcs = sorted((root / "warc" / CRAWL_ID).glob("*.warc.gz"))
    records, raw = {}, {}
    for path in warcs:
        for parsed, stored in zip(read_warc(path), raw_records(path), strict=True):
            if parsed.rec_type in ("response", "request"):
                key = f"{parsed.rec_type} {_target(parsed.uri)}"
                records[key], raw[key] = parsed, stored
    return Fidelity(warcs, records, raw, wire, tap.base_url)


def _target(uri: str) -> str:
    parts = urlsplit(uri)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def expected_block(response: WireResponse, cut: int | None = None) -> bytes:
    """The record block the writer must store for this response as sent (see module doc)."""

    def name(line: bytes) -> bytes:
        return line.partition(b":")[0].strip().lower()

    length = [line for line in response.header_lines if name(line) == b"content-length"]
    ordinary = [
        line
        for line in response.header_lines
        if name(line) not in CONNECTION_HEADERS | {b"content-length"}
    ]
    connection = [
        b"X-Archive-Orig-Transfer-Encoding:" + line.partition(b":")[2]
        if name(line) == b"transfer-encoding"
        else line
        for line in response.header_lines
        if name(line) in CONNECTION_HEADERS
    ]
    head = b"\r\n".join([response.status_line, *length, *ordinary, *connection]) + b"\r\n\r\n"
    return head + (response.content[:cut] if cut is not None else response.content)


def route_body(route: routes.Route, path: str, base_url: str) -> bytes:
    """What the fixture route produces for this path, joined when it streams."""
    plain, _, query = path.partition("?")
    reply = route(routes.RouteRequest(plain, query, SITE / "pages", base_url))
    return reply.body if isinstance(reply.body, bytes) else b"".join(reply.body)


def test_every_response_record_is_the_response_as_sent(fidelity: Fidelity) -> None:
    responses = {key: raw for key, raw in fidelity.raw.items() if key.startswith("response ")}
    assert {key.removeprefix("response ") for key in responses} == set(fidelity.wire)
    for key, record in responses.items():
        sent = fidelity.wire[key.removeprefix("response ")].response
        cut = MAXSIZE if record.headers.get("WARC-Truncated") == "length" else None
        assert record.block == expected_block(sent, cut), key


def test_every_request_record_has_the_request_line_as_sent(fidelity: Fidelity) -> None:
    for target, exchange in fidelity.wire.items():
        stored = fidelity.raw[f"request {target}"].block
        assert stored.split(b"\r\n", 1)[0] == exchange.request_line


def test_reason_phrase_is_the_one_the_server_sent(fidelity: Fidelity) -> None:
    record = fidelity.raw["response /special/reason"]
    assert record.block.startswith(b"HTTP/1.1 200 Everything Fine\r\n")
    assert fidelity.records["response /special/reason"].http_status == 200
    body = route_body(routes.reason_phrase, "/special/reason", fidelity.base_url)
    assert record.block.endswith(b"\r\n\r\n" + body)


def test_request_line_keeps_the_query(fidelity: Fidelity) -> None:
    target = "/special/query?a=1&b=two%20words"
    request = fidelity.raw[f"request {target}"]
    assert request.block.startswith(f"GET {target} HTTP/1.1\r\n".encode())
    response = fidelity.raw[f"response {target}"]
    assert response.headers["WARC-Target-URI"] == fidelity.base_url + target
    body = route_body(routes.query_echo, target, fidelity.base_url)
    assert response.block.endswith(b"\r\n\r\n" + body)


def test_repeated_headers_stay_repeated_as_bytes(fidelity: Fidelity) -> None:
    record = fidelity.raw["response /special/cookies"]
    head = record.block.split(b"\r\n\r\n", 1)[0]
    assert head.count(b"\r\nSet-Cookie: ") == 2
    assert b"\r\nSet-Cookie: ttl_session=3f9a1c; Path=/; HttpOnly\r\n" in head + b"\r\n"
    assert b"\r\nSet-Cookie: ttl_consent=accepted; Path=/; Max-Age=31536000" in head
    body = route_body(routes.cookies, "/special/cookies", fidelity.base_url)
    assert record.block.endswith(b"\r\n\r\n" + body)


def test_dechunked_body_parses_and_says_so(fidelity: Fidelity) -> None:
    record = fidelity.raw["response /special/chunked"]
    sent = fidelity.wire["/special/chunked"].response
    assert sent.body != sent.content  # it really went chunked
    head, _, payload = record.block.partition(b"\r\n\r\n")
    assert b"\r\nTransfer-Encoding:" not in head
    assert head.endswith(b"\r\nX-Archive-Orig-Transfer-Encoding: chunked")
    assert record.headers["Newsarchive-Transfer-Decoded"] == "chunked"
    assert payload == route_body(routes.chunked, "/special/chunked", fidelity.base_url)
    parsed = fidelity.records["response /special/chunked"]
    assert parsed.payload == payload  # warcio reads it as it is, without de-chunking again


def test_body_past_maxsize_is_cut_there_and_marked(fidelity: Fidelity) -> None:
    record = fidelity.raw["response /special/big?mb=3"]
    assert record.headers["WARC-Truncated"] == "length"
    payload = record.block.partition(b"\r\n\r\n")[2]
    assert payload == route_body(routes.big, "/special/big?mb=3", fidelity.base_url)[:MAXSIZE]
    assert b"\r\nContent-Length: 3145728\r\n" in record.block.partition(b"\r\n\r\n")[0] + b"\r\n"


def test_pdf_is_archived_as_it_came(fidelity: Fidelity) -> None:
    record = fidelity.raw["response /special/pdf"]
    assert b"\r\nContent-Type: application/pdf\r\n" in record.block
    payload = record.block.partition(b"\r\n\r\n")[2]
    assert payload == route_body(routes.pdf, "/special/pdf", fidelity.base_url)
    assert "WARC-Truncated" not in record.headers


def test_responses_carry_the_server_ip_address(fidelity: Fidelity) -> None:
    for key, record in fidelity.raw.items():
        if key.startswith("response "):
            assert record.headers["WARC-IP-Address"] == "127.0.0.1"


def test_warcio_check_passes_on_every_file(fidelity: Fidelity) -> None:
    report = warcio_check(fidelity.warcs)
    assert report.count("digest pass") >= 2 * len(fidelity.wire)
