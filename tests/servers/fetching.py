"""What the fixture HTTP server's tests share: the site's URLs, and ways to ask the server
that hide nothing (no proxies, no redirects followed, raw bytes off the socket)."""

from __future__ import annotations

import http.client
import socket
import urllib.request
from email.message import Message

from tests.servers.http import SITE, HttpServer

PAGES = SITE / "pages"
SEED_1 = "/2022/10/12/nato-increase-arms-production-ukraine/"
GZIP_ROUTE = "/2022/10/13/germany-iris-t-air-defense-delivered/"
ARTICLES = (
    "/2022/10/14/nato-critical-infrastructure-baltic/",
    GZIP_ROUTE,
    "/2022/10/12/stoltenberg-allies-more-air-defense/",
    SEED_1,
    "/2022/10/11/otan-ejercicios-armas-nucleares/",
)
SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
NEWS_NS = "{http://www.google.com/schemas/sitemap-news/0.9}"


def fetch(url: str) -> tuple[int, Message, bytes]:
    """GET through urllib with proxies off, so nothing ever leaves 127.0.0.1."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(url, timeout=10) as response:
        return response.status, response.headers, response.read()


def raw_get(
    server: HttpServer, target: str, method: str = "GET", headers: dict[str, str] | None = None
) -> tuple[http.client.HTTPResponse, bytes]:
    """One request with the target sent exactly as given and no redirect following."""
    connection = http.client.HTTPConnection(server.host, server.port, timeout=10)
    try:
        connection.request(method, target, headers=headers or {})
        response = connection.getresponse()
        return response, response.read()
    finally:
        connection.close()


def raw_exchange(server: HttpServer, target: str) -> tuple[bytes, bytes]:
    """Head and body bytes exactly as they came off the socket."""
    request = f"GET {target} HTTP/1.1\r\nHost: {server.host}\r\nConnection: close\r\n\r\n"
    with socket.create_connection((server.host, server.port), timeout=10) as sock:
        sock.sendall(request.encode())
        received = b"".join(iter(lambda: sock.recv(65536), b""))
    head, _, body = received.partition(b"\r\n\r\n")
    return head, body


def decode_chunks(body: bytes) -> list[bytes]:
    chunks: list[bytes] = []
    while True:
        size_line, _, body = body.partition(b"\r\n")
        size = int(size_line, 16)
        if size == 0:
            assert body == b"\r\n", "the last chunk must end the message"
            return chunks
        chunks.append(body[:size])
        assert body[size : size + 2] == b"\r\n"
        body = body[size + 2 :]
