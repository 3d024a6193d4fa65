"""What the fixture HTTP server answers: static files of the site, plus special routes.

A route is a function from a `RouteRequest` to a `Reply`; `ROUTES` maps exact paths to routes, and
every other path is a static file under the site's pages/ folder. Add a route by adding an entry.
"""

from __future__ import annotations

import gzip
import html
import mimetypes
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from types import MappingProxyType
from typing import Protocol
from urllib.parse import parse_qsl, unquote

HTML = "text/html; charset=utf-8"
CONTENT_TYPES = MappingProxyType(
    {".html": HTML, ".xml": "application/xml", ".txt": "text/plain; charset=utf-8"}
)
FEED_FILES = frozenset({"feed/index.xml"})  # served as RSS rather than generic XML
INDEX_FILES = ("index.html", "index.xml")
BASE_URL_PLACEHOLDER = b"{{BASE_URL}}"
PLACEHOLDER_SUFFIXES = frozenset({".xml", ".txt"})  # feeds, sitemaps, robots.txt need absolute URLs
MIB = 1024 * 1024


class RawSocket(Protocol):
    """The connection, for routes that misbehave below HTTP (see `Reply.raw`)."""

    def send(self, data: bytes) -> None: ...

    def reset(self) -> None: ...


@dataclass(frozen=True)
class Reply:
    """A response. A bytes body is sent with Content-Length; an iterable body is streamed, with
    Content-Length when `length` is given and with chunked transfer encoding otherwise. A `raw`
    reply writes the bytes itself (status line included) and the connection ends after it."""

    status: int
    body: bytes | Iterable[bytes] = b""
    content_type: str = HTML
    headers: tuple[tuple[str, str], ...] = ()
    reason: str | None = None
    length: int | None = None
    raw: Callable[[RawSocket], None] | None = None


@dataclass(frozen=True)
class RouteRequest:
    """What a route sees of a request: the raw (still percent-encoded) path and query."""

    path: str
    query: str
    pages: Path
    base_url: str
    seen: int = 0  # how many requests for the same target (path and query) came before this one

    def int_param(self, name: str, default: int, low: int, high: int) -> int:
        value = dict(parse_qsl(self.query)).get(name, "")
        number = int(value) if value.strip().isdigit() else default
        return max(low, min(high, number))


Route = Callable[[RouteRequest], Reply]


def html_page(title: str, body: str) -> bytes:
    escaped = html.escape(title)
    return (
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{escaped}</title>'
        f"</head>\n<body><h1>{escaped}</h1>\n{body}\n</body></html>\n"
    ).encode()


def not_found() -> Reply:
    return Reply(404, html_page("Page not found", "<p>There is no such page on this site.</p>"))


def moved_permanently(location: str) -> Reply:
    link = f'<a href="{html.escape(location)}">{html.escape(location)}</a>'
    body = html_page("Moved Permanently", f"<p>This page has moved to {link}.</p>")
    return Reply(301, body, headers=(("Location", location),))


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


def filler_html(size: int) -> Iterator[bytes]:
    """Exactly `size` bytes of HTML, in 64 KiB pieces."""
    head = b'<!DOCTYPE html>\n<html lang="en"><head><title>Big</title></head><body>\n'
    tail = b"</body></html>\n"
    line = b"<p>Filler paragraph for the large response test of Today Times Live.</p>\n"
    block = line * (64 * 1024 // len(line))
    remaining = size - len(head) - len(tail)
    yield head
    while remaining >= len(block):
        yield block
        remaining -= len(block)
    yield b" " * remaining
    yield tail


def big(request: RouteRequest) -> Reply:
    size = request.int_param("mb", default=1, low=1, high=100) * MIB
    return Reply(200, filler_html(size), length=size)


# --- Routes that misbehave below HTTP: they write the bytes themselves ----------------------


def raw_head(status_line: str, headers: Iterable[tuple[str, str]] = ()) -> bytes:
    lines = [status_line, *(f"{name}: {value}" for name, value in headers)]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def reset_mid_body(request: RouteRequest) -> Reply:
    """Content-Length promises 64 KiB; 16 KiB arrive, then the connection is reset (RST)."""
    body = b"".join(filler_html(64 * 1024))

    def write(sock: RawSocket) -> None:
        head = [("Content-Type", HTML), ("Content-Length", "65536")]
        sock.send(raw_head("HTTP/1.1 200 OK", head))
        sock.send(body[: 16 * 1024])
        sock.reset()

    return Reply(200, raw=write)


def truncated_chunked(request: RouteRequest) -> Reply:
    """Two chunks of a chunked body, then the connection closes without the last chunk."""

    def write(sock: RawSocket) -> None:
        sock.send(
            raw_head("HTTP/1.1 200 OK", [("Content-Type", HTML), ("Transfer-Encoding", "chunked")])
        )
        for piece in (b"<!DOCTYPE html>\n<html><body>\n", b"<p>The first part only.</p>\n"):
            sock.send(b"%X\r\n%s\r\n" % (len(piece), piece))

    return Reply(200, raw=write)


def length_lie(request: RouteRequest) -> Reply:
    """Content-Length says 10,000 bytes; 2,000 are sent, then the connection closes."""
    body = b"".join(filler_html(10_000))

    def write(sock: RawSocket) -> None:
        head = [("Content-Type", HTML), ("Content-Length", "10000")]
        sock.send(raw_head("HTTP/1.1 200 OK", head))
        sock.send(body[:2000])

    return Reply(200, raw=write)


def close_delimited(request: RouteRequest) -> Reply:
    """No Content-Length and no chunks: the body ends when the connection closes (legal)."""
    body = html_page("Close-delimited", "<p>This body ends where the connection does.</p>")

    def write(sock: RawSocket) -> None:
        sock.send(raw_head("HTTP/1.1 200 OK", [("Content-Type", HTML), ("Connection", "close")]))
        sock.send(body)

    return Reply(200, raw=write)


def drip(request: RouteRequest) -> Reply:
    """Headers at once, then the body one byte every `ms` milliseconds, for at most 30 s."""
    interval = request.int_param("ms", default=200, low=10, high=5000) / 1000

    def write(sock: RawSocket) -> None:
        sock.send(
            raw_head("HTTP/1.1 200 OK", [("Content-Type", HTML), ("Content-Length", str(MIB))])
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:  # a write to a client that left raises: the end
            sock.send(b"x")
            time.sleep(interval)

    return Reply(200, raw=write)


def stall(request: RouteRequest) -> Reply:
    """The request is read and never answered (for at most `ms` milliseconds)."""
    wait = request.int_param("ms", default=30_000, low=0, high=60_000) / 1000
    return Reply(200, raw=lambda sock: time.sleep(wait))


def bad_status_line(request: RouteRequest) -> Reply:
    def write(sock: RawSocket) -> None:
        sock.send(b"HTTP/1.1 2OO Okay-ish\r\nContent-Length: 5\r\n\r\nhello")

    return Reply(200, raw=write)


def no_status_line(request: RouteRequest) -> Reply:
    """An HTTP/0.9-style answer: the body alone, no status line and no headers."""
    return Reply(200, raw=lambda sock: sock.send(html_page("No status", "<p>Just a body.</p>")))


def huge_header(request: RouteRequest) -> Reply:
    """One header line of `kb` KiB."""
    size = request.int_param("kb", default=1024, low=1, high=64 * 1024)
    body = html_page("Huge header", "<p>One header of this answer is very long.</p>")
    return Reply(200, body, headers=(("X-Filler", "a" * size * 1024),))


def many_headers(request: RouteRequest) -> Reply:
    count = request.int_param("n", default=20_000, low=1, high=200_000)
    headers = tuple((f"X-Filler-{number}", "b" * 40) for number in range(count))
    body = html_page("Many headers", "<p>This answer has many headers.</p>")
    return Reply(200, body, headers=headers)


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
