"""The fixture HTTP server's reply and request types, and the pages every kind of route sends.

tests/servers/routes.py (the site and its special routes), tests/servers/misbehaving.py (routes
that break HTTP) and tests/hostile/routes.py all build on these.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol
from urllib.parse import parse_qsl

HTML = "text/html; charset=utf-8"
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
    headers: tuple[tuple[str, str], ...] = ()  # the request's headers, as received

    def header(self, name: str) -> str | None:
        """The first value of the request header ``name`` (any case), or None."""
        return next((v for k, v in self.headers if k.lower() == name.lower()), None)

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
