"""The fixture HTTP server's special routes, HEAD, and keep-alive connections."""

from __future__ import annotations

import gzip
import http.client
import time

from tests.servers.fetching import (
    GZIP_ROUTE,
    PAGES,
    decode_chunks,
    fetch,
    raw_exchange,
    raw_get,
)
from tests.servers.http import HttpServer


def test_gzip_route_is_compressed_even_unasked(server: HttpServer) -> None:
    article = PAGES / GZIP_ROUTE.strip("/") / "index.html"
    response, body = raw_get(server, GZIP_ROUTE)  # http.client asks for identity encoding
    assert response.status == 200
    assert response.getheader("Content-Encoding") == "gzip"
    assert response.getheader("Content-Type") == "text/html; charset=utf-8"
    assert int(response.getheader("Content-Length", "-1")) == len(body)
    assert gzip.decompress(body) == article.read_bytes()


def test_chunked_route_really_sends_chunks(server: HttpServer) -> None:
    head, body = raw_exchange(server, "/special/chunked")
    header_lines = head.decode().lower().split("\r\n")
    assert header_lines[0] == "http/1.1 200 ok"
    assert "transfer-encoding: chunked" in header_lines
    assert not any(line.startswith("content-length") for line in header_lines)
    chunks = decode_chunks(body)
    assert len(chunks) >= 3
    assert b"".join(chunks).startswith(b"<!DOCTYPE html>")


def test_cookies_route_sends_two_set_cookie_headers(server: HttpServer) -> None:
    response, _ = raw_get(server, "/special/cookies")
    cookies = response.headers.get_all("Set-Cookie")
    assert cookies is not None and len(cookies) == 2
    assert cookies[0].startswith("ttl_session=") and cookies[1].startswith("ttl_consent=")


def test_reason_route_has_non_standard_phrase(server: HttpServer) -> None:
    head, _ = raw_exchange(server, "/special/reason")
    assert head.split(b"\r\n")[0] == b"HTTP/1.1 200 Everything Fine"


def test_query_route_echoes_escaped_query(server: HttpServer) -> None:
    _, _, body = fetch(server.url("/special/query?q=nato&tag=<b>"))
    assert b'<code id="query">q=nato&amp;tag=&lt;b&gt;</code>' in body


def test_pdf_route_serves_a_well_formed_pdf(server: HttpServer) -> None:
    status, headers, body = fetch(server.url("/special/pdf"))
    assert (status, headers["Content-Type"]) == (200, "application/pdf")
    assert body.startswith(b"%PDF-1.4") and body.endswith(b"%%EOF\n")
    xref_offset = int(body.rsplit(b"startxref\n", 1)[1].split(b"\n")[0])
    assert body[xref_offset:].startswith(b"xref\n0 6\n")


def test_slow_route_waits_before_answering(server: HttpServer) -> None:
    started = time.monotonic()
    status, _, _ = fetch(server.url("/special/slow?ms=150"))
    assert status == 200
    assert time.monotonic() - started >= 0.15


def test_big_route_streams_exact_size(server: HttpServer) -> None:
    status, headers, body = fetch(server.url("/special/big?mb=2"))
    assert status == 200
    assert int(headers["Content-Length"]) == len(body) == 2 * 1024 * 1024
    assert body.startswith(b"<!DOCTYPE html>") and body.endswith(b"</html>\n")


def test_head_has_get_headers_and_no_body(server: HttpServer) -> None:
    response, body = raw_get(server, "/sitemap.xml", method="HEAD")
    assert response.status == 200 and body == b""
    _, _, get_body = fetch(server.url("/sitemap.xml"))
    assert int(response.getheader("Content-Length", "-1")) == len(get_body)


def test_connection_is_kept_alive_between_requests(server: HttpServer) -> None:
    connection = http.client.HTTPConnection(server.host, server.port, timeout=10)
    try:
        for path in ("/", "/robots.txt", "/2022/10/01/removed-story/", "/special/chunked"):
            connection.request("GET", path)
            response = connection.getresponse()
            response.read()
            assert not response.will_close, path
        first_socket = connection.sock
        connection.request("GET", "/feed/")
        connection.getresponse().read()
        assert connection.sock is first_socket
    finally:
        connection.close()
