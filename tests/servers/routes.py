"""What the fixture HTTP server answers: static files of the site, plus special routes.

A route is a function from a `RouteRequest` to a `Reply`; `ROUTES` maps exact paths to routes, and
every other path is a static file under the site's pages/ folder. Add a route by adding an entry.
The reply and request types are in replies.py; the routes that break HTTP in misbehaving.py.
"""

from __future__ import annotations

import gzip
import html
import mimetypes
import time
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from types import MappingProxyType
from urllib.parse import parse_qsl, unquote

from tests.servers.misbehaving import (
    bad_status_line,
    close_delimited,
    drip,
    huge_header,
    length_lie,
    many_headers,
    no_status_line,
    reset_mid_body,
    stall,
    truncated_chunked,
)
from tests.servers.replies import (
    HTML,
    MIB,
    Reply,
    Route,
    RouteRequest,
    filler_html,
    html_page,
    moved_permanently,
    not_found,
)

CONTENT_TYPES = MappingProxyType(
    {".html": HTML, ".xml": "application/xml", ".txt": "text/plain; charset=utf-8"}
)
FEED_FILES = frozenset({"feed/index.xml"})  # served as RSS rather than generic XML
INDEX_FILES = ("index.html", "index.xml")
BASE_URL_PLACEHOLDER = b"{{BASE_URL}}"
PLACEHOLDER_SUFFIXES = frozenset({".xml", ".txt"})  # feeds, sitemaps, robots.txt need absolute URLs


def resolve_under(pages: Path, url_path: str) -> Path | None:
    """The path under `pages` that a decoded URL path names, or None if it would leave `pages`."""
    if "\x00" in url_path:
        return None
    root = pages.resolve()
    candidate = (root / url_path.lstrip("/")).resolve()
    return candidate if candidate.is_relative_to(root) else None


def content_type(file: Path, pages: Path) -> str:
    if file.relative_to(pages.resolve()).as_posix() in FEED_FILES:
        return "application/rss+xml"
    guessed = mimetypes.guess_type(file.name)[0]
    return CONTENT_TYPES.get(file.suffix) or guessed or "application/octet-stream"


def serve_static(request: RouteRequest) -> Reply:
    target = resolve_under(request.pages, unquote(request.path))
    if target is not None and target.is_dir():
        if not request.path.endswith("/"):
            query = f"?{request.query}" if request.query else ""
            return moved_permanently(f"{request.path}/{query}")
        target = next((target / name for name in INDEX_FILES if (target / name).is_file()), None)
    elif request.path.endswith("/"):
        return not_found()  # a file never answers to a folder-style URL
    if target is None or not target.is_file():
        return not_found()
    body = target.read_bytes()
    if target.suffix in PLACEHOLDER_SUFFIXES:
        body = body.replace(BASE_URL_PLACEHOLDER, request.base_url.encode())
    return Reply(200, body, content_type(target, request.pages))


def gzipped_static(request: RouteRequest) -> Reply:
    # Sent compressed whatever Accept-Encoding says, as some real servers do.
    reply = serve_static(request)
    if reply.status != 200 or not isinstance(reply.body, bytes):
        return reply
    encoding = (("Content-Encoding", "gzip"), ("Vary", "Accept-Encoding"))
    return replace(reply, body=gzip.compress(reply.body, mtime=0), headers=encoding)


def broken(request: RouteRequest) -> Reply:
    return Reply(500, html_page("Internal Server Error", "<p>Something went wrong.</p>"))


def chunked(request: RouteRequest) -> Reply:
    parts = (
        b'<!DOCTYPE html>\n<html lang="en"><head><title>Chunked</title></head><body>\n',
        b"<p>First chunk of a page sent in pieces.</p>\n",
        b"<p>Second chunk.</p>\n",
        b"<p>Third chunk.</p>\n",
        b"</body></html>\n",
    )
    return Reply(200, parts)


def cookies(request: RouteRequest) -> Reply:
    set_cookies = (
        ("Set-Cookie", "ttl_session=3f9a1c; Path=/; HttpOnly"),
        ("Set-Cookie", "ttl_consent=accepted; Path=/; Max-Age=31536000"),
    )
    return Reply(200, html_page("Cookies", "<p>Two cookies were set.</p>"), headers=set_cookies)


def reason_phrase(request: RouteRequest) -> Reply:
    body = html_page("Reason", "<p>This answer has a non-standard reason phrase.</p>")
    return Reply(200, body, reason="Everything Fine")


def query_echo(request: RouteRequest) -> Reply:
    items = "".join(
        f"<li>{html.escape(name)} = {html.escape(value)}</li>"
        for name, value in parse_qsl(request.query, keep_blank_values=True)
    )
    body = f'<p>Query: <code id="query">{html.escape(request.query)}</code></p>\n<ul>{items}</ul>'
    return Reply(200, html_page("Query", body))


def pdf_document(text: str) -> bytes:
    """A one-page PDF with a correct cross-reference table, so readers accept it."""
    stream = f"BT /F1 18 Tf 72 720 Td ({text}) Tj ET".encode("latin-1")
    objects = (
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
    )
    document = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(document))
        document += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref_offset = len(document)
    document += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    document += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    document += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref_offset,
    )
    return bytes(document)


def pdf(request: RouteRequest) -> Reply:
    return Reply(200, pdf_document("Today Times Live press release"), "application/pdf")


def slow(request: RouteRequest) -> Reply:
    delay_ms = request.int_param("ms", default=1000, low=0, high=10_000)
    time.sleep(delay_ms / 1000)  # the delay is the point of the route
    return Reply(200, html_page("Slow", f"<p>Answered after {delay_ms} ms.</p>"))


def big(request: RouteRequest) -> Reply:
    size = request.int_param("mb", default=1, low=1, high=100) * MIB
    return Reply(200, filler_html(size), length=size)


def retry_after(request: RouteRequest) -> Reply:
    """`code` (429 or 503) with Retry-After: `s` for the first `times` requests, then a page."""
    code = 503 if request.int_param("code", default=429, low=429, high=503) == 503 else 429
    if request.seen < request.int_param("times", default=1, low=0, high=100):
        seconds = str(request.int_param("s", default=1, low=0, high=3600))
        body = html_page("Slow down", "<p>Too many requests; come back later.</p>")
        return Reply(code, body, headers=(("Retry-After", seconds),))
    return Reply(200, html_page("Retry-After", "<p>Served once the wait was over.</p>"))


def redirect_to(request: RouteRequest) -> Reply:
    """302 to the URL in `to` (for redirects to another server, or to a blocked address)."""
    return Reply(302, b"", headers=(("Location", dict(parse_qsl(request.query)).get("to", "/")),))


def links_to(request: RouteRequest) -> Reply:
    """A section front linking every URL given as a `to` parameter, in order."""
    items = "".join(
        f'<li><a href="{html.escape(value)}">{html.escape(value)}</a></li>\n'
        for name, value in parse_qsl(request.query)
        if name == "to"
    )
    return Reply(200, html_page("Links", f"<ul>\n{items}</ul>"))


def redirect_loop(request: RouteRequest) -> Reply:
    """302 to the same path with n+1: a chain that never ends."""
    step = request.int_param("n", default=0, low=0, high=1_000_000)
    return Reply(302, b"", headers=(("Location", f"{request.path}?n={step + 1}"),))


ROUTES: Mapping[str, Route] = MappingProxyType(
    {
        "/old/nato-arms-production/": lambda _: moved_permanently(
            "/2022/10/12/nato-increase-arms-production-ukraine/"
        ),
        "/broken/": broken,
        "/2022/10/13/germany-iris-t-air-defense-delivered/": gzipped_static,
        "/special/chunked": chunked,
        "/special/cookies": cookies,
        "/special/reason": reason_phrase,
        "/special/query": query_echo,
        "/special/pdf": pdf,
        "/special/slow": slow,
        "/special/big": big,
        "/special/reset": reset_mid_body,
        "/special/truncated-chunked": truncated_chunked,
        "/special/length-lie": length_lie,
        "/special/close-delimited": close_delimited,
        "/special/drip": drip,
        "/special/stall": stall,
        "/special/bad-status": bad_status_line,
        "/special/no-status": no_status_line,
        "/special/huge-header": huge_header,
        "/special/many-headers": many_headers,
        "/special/retry-after": retry_after,
        "/special/redirect-loop": redirect_loop,
        "/special/redirect": redirect_to,
        "/special/links": links_to,
    }
)
