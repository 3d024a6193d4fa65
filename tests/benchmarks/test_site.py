"""The throughput benchmark's site costs the news-dev pages once, whatever its number of URLs, and
nginx still serves each URL a page of its own, with conditional requests answered."""

from __future__ import annotations

import gzip
import http.client
from pathlib import Path

from benchmarks.throughput.nginx import Nginx
from benchmarks.throughput.site import build, own_copy, source_pages


def get(server: Nginx, path: str, **headers: str) -> tuple[int, dict[str, str], bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        connection.request("GET", path, headers={"Accept-Encoding": "gzip", **headers})
        response = connection.getresponse()
        head, body = dict(response.getheaders()), response.read()
    finally:
        connection.close()
    if head.get("Content-Encoding") == "gzip":
        body = gzip.decompress(body)
    return response.status, head, body


def test_urls_share_the_source_pages_and_each_gets_its_headline(tmp_path: Path) -> None:
    sources = len(source_pages())
    site = build(tmp_path / "site", 2 * sources + 10)
    files = [p for p in (site.root / "a").iterdir() if not p.is_symlink()]
    assert files == [] and len(list((site.root / "src").iterdir())) == sources
    with Nginx(site.root, tmp_path / "nginx") as server:
        status, head, first = get(server, "/a/0.html")
        again_status, _, again = get(server, f"/a/{sources}.html")  # the same source page
        assert (status, again_status) == (200, 200)
        assert first.count(b" /a/0.html</h1>") == 1
        assert first.replace(b" /a/0.html</h1>", b"") == again.replace(
            f" /a/{sources}.html</h1>".encode(), b""
        )
        assert get(server, "/a/0.html", **{"If-None-Match": head["ETag"]})[0] == 304
        own_copy(site.root / "a" / "0.html").write_bytes(b"<h1>changed</h1>")
        assert get(server, "/a/0.html")[::2] == (200, b"<h1>changed /a/0.html</h1>")
        assert get(server, f"/a/{sources}.html")[::2] == (200, again)  # the source untouched
