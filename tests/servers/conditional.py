"""Conditional requests on the fixture server: validators on its pages, and routes that send
odd ones, for the incremental-crawl tests (tests/e2e/test_incremental.py).

With ``--validators``, every 200 reply with a body in one piece gets a strong ``ETag`` (a hash of
the body) and, for a file of the site, a ``Last-Modified`` (its mtime), unless the route set its
own; a request whose ``If-None-Match`` matches (weak comparison, as RFC 9110 asks for GET), or
without one whose ``If-Modified-Since`` is not before the Last-Modified, gets a 304 with the
validators and no body. ``--ignore-conditional`` keeps the validators but never answers 304.

The ``/state/...`` routes send what a hostile or broken server sends, whatever the flags.
"""

from __future__ import annotations

import hashlib
from dataclasses import replace
from email.utils import formatdate, parsedate_to_datetime
from urllib.parse import unquote

from tests.servers.replies import Reply, Route, RouteRequest, html_page

GARBAGE_ETAG = ('"' + "x9!" * 2730 + '"')[:8192]  # 8 KB, printable: within the RFC's grammar


def validated(reply: Reply, request: RouteRequest, honour: bool) -> Reply:
    """The reply with validators, or a 304 when the request's validators match."""
    if reply.status != 200 or not isinstance(reply.body, bytes):
        return reply
    if any(name.lower() in ("etag", "last-modified") for name, _ in reply.headers):
        return reply  # the route's own
    etag = '"' + hashlib.sha256(reply.body).hexdigest()[:20] + '"'
    validators = [("ETag", etag)]
    modified = _modified(request)
    if modified is not None:
        validators.append(("Last-Modified", formatdate(modified, usegmt=True)))
    if honour and not_modified(request, etag, modified):
        return Reply(304, b"", reply.content_type, tuple(validators))
    return replace(reply, headers=(*reply.headers, *validators))


def not_modified(request: RouteRequest, etag: str, modified: float | None) -> bool:
    match = request.header("If-None-Match")
    if match is not None:
        tags = {tag.strip().removeprefix("W/") for tag in match.split(",")}
        return "*" in tags or etag.removeprefix("W/") in tags
    since = request.header("If-Modified-Since")
    if since is None or modified is None:
        return False
    try:
        return int(modified) <= parsedate_to_datetime(since).timestamp()
    except (TypeError, ValueError):
        return False


def _modified(request: RouteRequest) -> float | None:
    root = request.pages.resolve()
    target = (root / unquote(request.path).lstrip("/")).resolve()
    if not target.is_relative_to(root):
        return None
    if target.is_dir():
        indexes = (target / "index.html", target / "index.xml")
        target = next((index for index in indexes if index.is_file()), target)
    return target.stat().st_mtime if target.is_file() else None


def _page(name: str) -> bytes:
    return html_page(f"State {name}", f"<p>The {name} route of the incremental tests.</p>")


def weak_etag(request: RouteRequest) -> Reply:
    validators = (("ETag", 'W/"v1"'),)
    if request.header("If-None-Match") == 'W/"v1"':
        return Reply(304, b"", headers=validators)
    return Reply(200, _page("weak ETag"), headers=validators)


def garbage_etag(request: RouteRequest) -> Reply:
    return Reply(200, _page("garbage ETag"), headers=(("ETag", GARBAGE_ETAG),))


def future_modified(request: RouteRequest) -> Reply:
    headers = (("Last-Modified", "Fri, 01 Jan 2100 00:00:00 GMT"),)
    return Reply(200, _page("future Last-Modified"), headers=headers)


def bad_modified(request: RouteRequest) -> Reply:
    headers = (("Last-Modified", "sometime last week, probably"),)
    return Reply(200, _page("unparsable Last-Modified"), headers=headers)


def always_304(request: RouteRequest) -> Reply:
    return Reply(304, b"")


STATE_ROUTES: dict[str, Route] = {
    "/state/weak-etag": weak_etag,
    "/state/garbage-etag": garbage_etag,
    "/state/future-modified": future_modified,
    "/state/bad-modified": bad_modified,
    "/state/always-304": always_304,
}


def state_route(path: str) -> Route | None:
    return STATE_ROUTES.get(path)
