"""The fixture HTTP server: static site, special routes, request log and process lifecycle."""

from __future__ import annotations

import gzip
import http.client
import json
import re
import socket
import time
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from email.message import Message
from pathlib import Path

import pytest

from tests.servers.http import SITE, HttpServer, ServerStartError

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


@pytest.fixture(scope="module")
def server() -> Iterator[HttpServer]:
    with HttpServer() as running:
        yield running


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


def test_home_page_is_html_with_exact_length(server: HttpServer) -> None:
    status, headers, body = fetch(server.url("/"))
    assert status == 200
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    assert int(headers["Content-Length"]) == len(body)
    assert body == (PAGES / "index.html").read_bytes()


def test_section_fronts_are_not_articles_and_link_the_url_plan(server: HttpServer) -> None:
    home = fetch(server.url("/"))[2].decode()
    world = fetch(server.url("/category/world/"))[2].decode()
    for page in (home, world):
        assert 'property="og:type" content="website"' in page
        assert not re.search(r'"@type":\s*"(News)?Article"', page)
    home_links = set(re.findall(r'href="([^"]+)"', home))
    world_links = set(re.findall(r'href="([^"]+)"', world))
    assert {"/private/internal-memo/", "/category/world/", *ARTICLES} <= home_links
    wanted = {*ARTICLES, "/old/nato-arms-production/", "/2022/10/01/removed-story/", "/broken/"}
    assert wanted <= world_links
    assert all(link.startswith(("/", "#")) for link in home_links | world_links)


def test_robots_txt_is_plain_text_with_absolute_sitemaps(server: HttpServer) -> None:
    status, headers, body = fetch(server.url("/robots.txt"))
    assert status == 200
    assert headers.get_content_type() == "text/plain"
    text = body.decode()
    assert "User-agent: *\nDisallow: /private/\n" in text
    assert f"Sitemap: {server.base_url}/sitemap.xml" in text
    assert int(headers["Content-Length"]) == len(body)


def test_sitemap_has_absolute_urls_of_the_five_articles(server: HttpServer) -> None:
    status, headers, body = fetch(server.url("/sitemap.xml"))
    assert (status, headers["Content-Type"]) == (200, "application/xml")
    assert b"{{BASE_URL}}" not in body
    assert int(headers["Content-Length"]) == len(body)
    locations = [loc.text for loc in ET.fromstring(body).iter(f"{SITEMAP_NS}loc")]
    assert locations == [server.url(path) for path in ARTICLES]


def test_news_sitemap_names_publication_and_titles(server: HttpServer) -> None:
    root = ET.fromstring(fetch(server.url("/news-sitemap.xml"))[2])
    urls = root.findall(f"{SITEMAP_NS}url")
    assert [url.findtext(f"{SITEMAP_NS}loc") for url in urls] == [server.url(p) for p in ARTICLES]
    names = {url.findtext(f".//{NEWS_NS}name") for url in urls}
    assert names == {"Today Times Live"}
    titles = [url.findtext(f"{NEWS_NS}news/{NEWS_NS}title") for url in urls]
    seed_title = "NATO needs to \u2018increase arms production\u2019 to support Ukraine long-term"
    assert titles[3] == seed_title
    languages = [url.findtext(f".//{NEWS_NS}language") for url in urls]
    assert languages == ["en", "en", "en", "en", "es"]


def test_feed_is_rss_with_absolute_links(server: HttpServer) -> None:
    status, headers, body = fetch(server.url("/feed/"))
    assert (status, headers["Content-Type"]) == (200, "application/rss+xml")
    channel = ET.fromstring(body).find("channel")
    assert channel is not None
    assert [item.findtext("link") for item in channel.iter("item")] == [
        server.url(path) for path in ARTICLES
    ]


def test_old_url_redirects_permanently_to_seed_article(server: HttpServer) -> None:
    response, body = raw_get(server, "/old/nato-arms-production/")
    assert response.status == 301
    assert response.getheader("Location") == SEED_1
    assert int(response.getheader("Content-Length", "-1")) == len(body)


def test_folder_without_slash_redirects_keeping_the_query(server: HttpServer) -> None:
    response, _ = raw_get(server, "/category/world?page=2")
    assert response.status == 301
    assert response.getheader("Location") == "/category/world/?page=2"


def test_missing_page_is_a_small_html_404(server: HttpServer) -> None:
    with pytest.raises(urllib.error.HTTPError) as caught:
        fetch(server.url("/2022/10/01/removed-story/"))
    assert caught.value.code == 404
    assert caught.value.headers["Content-Type"] == "text/html; charset=utf-8"
    assert b"Page not found" in caught.value.read()


def test_broken_page_is_a_500(server: HttpServer) -> None:
    with pytest.raises(urllib.error.HTTPError) as caught:
        fetch(server.url("/broken/"))
    assert caught.value.code == 500
    assert b"Internal Server Error" in caught.value.read()


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


def test_log_records_each_request_in_order_before_responding(server: HttpServer) -> None:
    token = f"{time.monotonic_ns()}"
    targets = [f"/special/query?token={token}&n={n}" for n in range(3)] + [f"/?token={token}"]
    for target in targets:
        raw_get(server, target, headers={"X-Test-Token": token})
        assert server.paths()[-1] == target  # logged before the response reached us
    logged = [request for request in server.requests() if token in request.path]
    assert [request.path for request in logged] == targets
    seen = {(request.method, request.header("x-test-token")) for request in logged}
    assert seen == {("GET", token)}
    assert logged[0].headers[0] == ("Host", f"{server.host}:{server.port}")
    assert [r.time for r in logged] == sorted(r.time for r in logged)


def test_log_file_lines_are_json(server: HttpServer) -> None:
    raw_get(server, "/robots.txt")
    last = json.loads(server.log_path.read_text().splitlines()[-1])
    assert set(last) == {"method", "path", "headers", "time", "active"}
    assert last["path"] == "/robots.txt"


@pytest.mark.parametrize(
    "target",
    [
        "/../../../../pyproject.toml",
        "/%2e%2e/%2e%2e/%2e%2e/%2e%2e/pyproject.toml",
        "/category/..%2f..%2f..%2f..%2f..%2fpyproject.toml",
        "/%00/index.html",
    ],
)
def test_path_traversal_is_refused(server: HttpServer, target: str) -> None:
    response, body = raw_get(server, target)
    assert response.status == 404
    assert b"[project]" not in body


def test_stop_ends_the_process_and_keeps_the_log() -> None:
    server = HttpServer().start()
    raw_get(server, "/robots.txt")
    server.stop()
    assert server.returncode == 0
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection((server.host, server.port), timeout=5).close()
    assert server.paths() == ["/robots.txt"]


def test_start_reports_child_failure(tmp_path: Path) -> None:
    with pytest.raises(ServerStartError, match="no pages folder"):
        HttpServer(site=tmp_path).start()
