"""A seed set's crawl state, read back from the archive: what `scrapy state rebuild` computes.

The archive holds every exchange a run learnt from, so the state is a fold over them, in the
order of their ``WARC-Date``, with the rules the live run applies (``crawler.state.tracker``):

- each ``response`` or ``revisit`` record of a URL (robots.txt aside: the state leaves it out) is
  one fetch: its date and HTTP status (304 for a server-not-modified revisit), the validators
  its HTTP head carries (a 304 keeps the old ones unless it sent new), and, for a response, the
  URL's new last full capture (file, offset, length, record id, date, payload digest, status);
  a 404 or 410 marks the URL gone; the next due time follows the seed set's ``[recrawl]``;
- the kind: the seed set's start URLs, feeds and sitemaps, and the feeds and sitemaps the
  articles' discovery paths went through; else a page, which becomes an article when an
  article metadata record describes one of its responses, and stops being one (noted
  ``not-article``) when a later full response of it has none;
- an article's metadata record gives the discovery path and what the feed or sitemap listing
  it said (``listed``); its clean record (``records/``), joined by the WARC record it was
  extracted from, gives the last version: record id, text digest, title, version, text.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from crawler.seeds import SeedSet
from crawler.state import validators
from crawler.state.base import (
    ALWAYS_FETCHED,
    GONE,
    NOT_ARTICLE,
    ArticleVersion,
    Capture,
    UrlState,
)
from pipelines.warc import metadata as warcmeta


@dataclass(frozen=True, slots=True)
class Fetch:
    """One archived exchange of a URL: a response or a revisit record."""

    url: str
    date: str  # WARC-Date
    seq: int  # reading order, for fetches of the same second
    status: int
    etag: str | None
    last_modified: str | None
    record_id: str
    capture: Capture | None  # None for a revisit


@dataclass
class Observed:
    """What the archive says of a seed set, before the fold."""

    fetches: dict[str, list[Fetch]] = dataclasses.field(default_factory=lambda: defaultdict(list))
    articles: dict[str, warcmeta.ArticleMetadata] = dataclasses.field(default_factory=dict)
    records: dict[str, dict[str, Any]] = dataclasses.field(default_factory=dict)  # by WARC id
    referers: dict[str, str] = dataclasses.field(default_factory=dict)  # by response record id

    def add_fetch(self, record: Any, crawl_id: str, filename: str, where: tuple[int, int]) -> None:
        headers, http = record.rec_headers, record.http_headers
        url = str(headers.get_header("WARC-Target-URI"))
        if urlsplit(url).path == "/robots.txt":
            return
        status = int(http.get_statuscode()) if http and http.get_statuscode() else 304
        record_id, date = (
            str(headers.get_header("WARC-Record-ID")),
            str(headers.get_header("WARC-Date")),
        )
        capture = None
        if record.rec_type == "response":
            digest = headers.get_header("WARC-Payload-Digest")
            capture = Capture(
                crawl_id, filename, where[0], where[1], record_id, date, digest, status
            )
        etag = http.get_header("ETag") if http else None
        modified = http.get_header("Last-Modified") if http else None
        seq = sum(len(f) for f in self.fetches.values())
        self.fetches[url].append(Fetch(url, date, seq, status, etag, modified, record_id, capture))

    def add_request(self, record: Any) -> None:
        """A request record: its Referer names the page that linked to the URL."""
        response_id = record.rec_headers.get_header("WARC-Concurrent-To")
        referer = record.http_headers.get_header("Referer") if record.http_headers else None
        if response_id and referer:
            self.referers[str(response_id)] = str(referer)

    def add_record(self, record: dict[str, Any]) -> None:
        self.records[str(record["warc"]["record_id"])] = record


def fold(observed: Observed, seedset: SeedSet) -> list[UrlState]:
    """Every URL's state, in URL order."""
    hops = [hop for meta in observed.articles.values() for hop in meta.discovery.hops]
    kinds = {url: "seed" for url in seedset.start_urls}
    kinds.update({url: kind for kind, url in hops if kind in ("feed", "sitemap")})
    kinds.update({url: "feed" for url in seedset.feeds})
    kinds.update({url: "sitemap" for url in seedset.sitemaps})
    paths = _Paths(observed, kinds, seedset)
    by_url: dict[str, UrlState] = {}
    for url in sorted(observed.fetches):
        fetches = sorted(observed.fetches[url], key=lambda f: (f.date, f.seq))
        state: UrlState | None = None
        for fetch in fetches:
            if state is None:
                state = UrlState(
                    url, kinds.get(url, "page"), _date(fetch), discovery=paths.hops(url)
                )
            state = _fetched(state, fetch, kinds.get(url, "page"), observed, seedset)
            state = _recognised(state, fetch, observed)
            record = observed.records.get(fetch.record_id)
            if record is not None and record["url"] == url:
                state = _written(state, record)
        if state is not None:
            by_url[url] = state
    for record in observed.records.values():  # a redirected article's record: the URL requested
        url = record["url"]
        if url in by_url and url != record["final_url"] and record["final_url"] in by_url:
            by_url[url] = _written(by_url[url], record)
    return [by_url[url] for url in sorted(by_url)]


def _date(fetch: Fetch) -> datetime:
    return datetime.fromisoformat(fetch.date)


class _Paths:
    """How each URL was first discovered: an article's metadata record says; a URL the seed set
    names was named there; any other page was linked from the page its first request's
    Referer names, whose own path leads there (the spider's ``Discovery.then``)."""

    def __init__(self, observed: Observed, kinds: dict[str, str], seedset: SeedSet) -> None:
        self.observed = observed
        self.kinds = kinds
        self.named = {*seedset.start_urls, *seedset.feeds, *seedset.sitemaps}
        self.seedset = seedset.name
        self.first = {
            url: min(fetches, key=lambda f: (f.date, f.seq))
            for url, fetches in observed.fetches.items()
        }

    def hops(self, url: str, seen: frozenset[str] = frozenset()) -> tuple[tuple[str, str], ...]:
        fetch = self.first.get(url)
        meta = self.observed.articles.get(fetch.record_id) if fetch is not None else None
        if meta is not None:
            return meta.discovery.hops
        if url in self.named:
            return (("seedset", self.seedset),)
        via = self.observed.referers.get(fetch.record_id) if fetch is not None else None
        if via is None or via in seen or via == url:
            return ()
        first = self.first.get(via)
        kind = self.kinds.get(via, "front")
        if kind == "seed":
            kind = "front"
        if first is not None and first.record_id in self.observed.articles:
            kind = "article"
        return (*self.hops(via, seen | {url}), (kind, via))


def _fetched(
    base: UrlState, fetch: Fetch, kind: str, observed: Observed, seedset: SeedSet
) -> UrlState:
    """The tracker's rule (``StateTracker._next``), from the archived exchange."""
    now = _date(fetch)
    meta = observed.articles.get(fetch.record_id)
    listing = meta.discovery.listing if meta is not None else None
    if base.kind == "article" and kind == "page":
        kind = "article"
    etag = validators.etag(fetch.etag, _uncounted)
    modified = validators.last_modified(fetch.last_modified, now, _uncounted)
    if fetch.status == 304:
        etag, modified = etag or base.etag, modified or base.last_modified
    note = base.note if base.note != GONE else None
    next_due = None
    if fetch.status in (404, 410):
        note = GONE
    elif kind not in ALWAYS_FETCHED:
        next_due = seedset.recrawl.next_due(base.first_seen, now)
    return dataclasses.replace(
        base,
        kind=kind,
        last_fetched=now,
        last_status=fetch.status,
        etag=etag,
        last_modified=modified,
        capture=fetch.capture or base.capture,
        listed=(listing.stamp if listing is not None else None) or base.listed,
        next_due=next_due,
        note=note,
    )


def _recognised(state: UrlState, fetch: Fetch, observed: Observed) -> UrlState:
    """The spider's verdict on a full 200 response (``StateTracker.article``): an article when a
    metadata record describes it."""
    if fetch.capture is None or fetch.status != 200:
        return state
    if fetch.record_id in observed.articles:
        if state.kind != "article" or state.note == NOT_ARTICLE:
            return dataclasses.replace(state, kind="article", note=None)
    elif state.kind == "article":
        return dataclasses.replace(state, kind="page", note=NOT_ARTICLE)
    return state


def _written(state: UrlState, record: dict[str, Any]) -> UrlState:
    """A clean record written for the URL (``Versions.written``)."""
    article = ArticleVersion(
        record_id=record["record_id"],
        text_sha256=record["text_sha256"],
        title=record["title"],
        version=int(record.get("version", 1)),
        text=record["text"],
    )
    return dataclasses.replace(state, kind="article", article=article)


def _uncounted(_key: str) -> None:
    """The live run counts refused validators; a rebuild drops them the same way, uncounted."""


def metadata_of(records: Iterable[tuple[str, bytes]]) -> dict[str, warcmeta.ArticleMetadata]:
    """Article metadata records (concurrent-to id, block) by the response they describe."""
    found = {}
    for response_id, block in records:
        meta = warcmeta.read(block)
        if meta is not None:
            found[response_id] = meta
    return found
