"""Routes of the fixture HTTP server that misbehave: most write the bytes themselves, below
HTTP (a reset mid-body, a length that lies, a stalled answer, a broken status line); the last
two send headers no client should accept. `ROUTES` in tests/servers/routes.py maps paths to them.
"""

from __future__ import annotations

import time
from collections.abc import Iterable

from tests.servers.replies import HTML, MIB, RawSocket, Reply, RouteRequest, filler_html, html_page


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
