"""The fixture HTTP server: the static site, its request log and its process lifecycle.

The special routes are tested in test_http_routes.py; the `server` fixture is in conftest.py.
"""

from __future__ import annotations

import json
import re
import socket
import time
import urllib.error
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.servers.fetching import (
    ARTICLES,
    NEWS_NS,
    PAGES,
    SEED_1,
    SITEMAP_NS,
    fetch,
    raw_get,
)
from tests.servers.http import HttpServer, ServerStartError


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
