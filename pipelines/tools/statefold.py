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
- ``listed``: the latest date the feeds and sitemaps of the crawls gave the URL
  (``pipelines.tools.statelistings`` reads them from their archived responses), taken at the
  end of each crawl in which the URL has a state when it is later than the one kept, as the
  live run notes it whatever the order in which it read the front pages and the feeds
  (``crawler.state.tracker``);
- an article's metadata record gives the discovery path; its clean record (``records/``),
  joined by its WARC record, gives the last version (record id, text digest, title, version, text).
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from scrapy.settings import BaseSettings

from crawler.seeds import SeedSet
from crawler.state import validators
from crawler.state.base import NOT_ARTICLE, ArticleVersion, Capture, UrlState, latest_listing
from crawler.state.tracker import Head, next_state
from pipelines.tools.statelistings import crawl_listed, spider_limits
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
    crawl: str
    refers_to: str | None  # a revisit's WARC-Refers-To


@dataclass
class Observed:
    """What the archive says of a seed set, before the fold."""

    fetches: dict[str, list[Fetch]] = dataclasses.field(default_factory=lambda: defaultdict(list))
    articles: dict[str, warcmeta.ArticleMetadata] = dataclasses.field(default_factory=dict)
    records: dict[str, dict[str, Any]] = dataclasses.field(default_factory=dict)  # by WARC id
    referers: dict[str, str] = dataclasses.field(default_factory=dict)  # by response record id
    # the payloads of 2xx responses that may be feeds or sitemaps (not HTML), by record id
    payloads: dict[str, bytes] = dataclasses.field(default_factory=dict)
    seen: int = 0  # fetches added so far

    def add_payload(self, record: Any) -> None:
        """Keep a 2xx response's payload that a feed or sitemap may be (read before the fold
        knows which URLs are): XML or gzip by its type or its first bytes, as the spider
        parses a feed served as HTML all the same."""
        http = record.http_headers
        status = http.get_statuscode() if http else None
        if record.rec_type != "response" or not status or not status.startswith("2"):
            return
        stream = record.content_stream()
        head = stream.read(_SNIFF)
        kind = (http.get_header("Content-Type") or "").lower()
        if "xml" in kind or "gzip" in kind or _looks_listed(head):
            record_id = str(record.rec_headers.get_header("WARC-Record-ID"))
            self.payloads[record_id] = head + stream.read()

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
        seq, self.seen = self.seen, self.seen + 1  # archive order, across URLs
        refers_to = headers.get_header("WARC-Refers-To")
        self.fetches[url].append(
            Fetch(url, date, seq, status, etag, modified, record_id, capture, crawl_id, refers_to)
        )

    def add_request(self, record: Any) -> None:
        """A request record: its Referer names the page that linked to the URL."""
        response_id = record.rec_headers.get_header("WARC-Concurrent-To")
        referer = record.http_headers.get_header("Referer") if record.http_headers else None
        if response_id and referer:
            self.referers[str(response_id)] = str(referer)

    def add_record(self, record: dict[str, Any]) -> None:
        self.records[str(record["warc"]["record_id"])] = record


def fold(
    observed: Observed, seedset: SeedSet, settings: BaseSettings | None = None
) -> list[UrlState]:
    """Every URL's state, in URL order; `settings` give the spider's limits (`spider_limits`)."""
    hops = [hop for meta in observed.articles.values() for hop in meta.discovery.hops]
    kinds = {url: "seed" for url in seedset.start_urls}
    kinds.update({url: kind for kind, url in hops if kind in ("feed", "sitemap")})
    kinds.update({url: "feed" for url in seedset.feeds})
    kinds.update({url: "sitemap" for url in seedset.sitemaps})
    paths = _Paths(observed, kinds, seedset)
    listings = _Listings(observed, seedset, settings)
    by_url: dict[str, UrlState] = {}
    for url in sorted(observed.fetches):
        state: UrlState | None = None
        for crawl, fetches in listings.by_crawl(observed.fetches[url]):
            for fetch in fetches:
                if state is None:
                    state = UrlState(
                        url, kinds.get(url, "page"), _date(fetch), discovery=paths.hops(url)
                    )
                state = _fetched(state, fetch, kinds.get(url, "page"), seedset)
                state = _recognised(state, fetch, observed)
                record = observed.records.get(fetch.record_id)
                if record is not None and record["url"] == url:
                    state = _written(state, record)
            listed = listings.of(crawl).get(url)
            if state is not None and listed is not None:
                state = dataclasses.replace(state, listed=latest_listing(state.listed, listed))
        if state is not None:
            by_url[url] = state
    for record in observed.records.values():  # a redirected article's record: the URL requested
        url = record["url"]
        if url in by_url and url != record["final_url"] and record["final_url"] in by_url:
            by_url[url] = _written(by_url[url], record)
    return [by_url[url] for url in sorted(by_url)]


_SNIFF = 512  # bytes of a payload looked at for a feed or sitemap
_LISTING_STARTS = (b"<?xml", b"<rss", b"<feed", b"<urlset", b"<sitemapindex", b"\x1f\x8b")


def _looks_listed(head: bytes) -> bool:
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return start.startswith(_LISTING_STARTS)


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


def _fetched(base: UrlState, fetch: Fetch, kind: str, seedset: SeedSet) -> UrlState:
    """The tracker's rule (``crawler.state.tracker.next_state``), from the archived exchange."""
    now = _date(fetch)
    head = Head(
        fetch.status,
        validators.etag(fetch.etag, _uncounted),
        validators.last_modified(fetch.last_modified, now, _uncounted),
    )
    return next_state(base, kind, head, fetch.capture, now, seedset.recrawl)


class _Listings:
    """The latest date each crawl's feeds and sitemaps gave each URL
    (``pipelines.tools.statelistings``), and the crawls in the order they ran."""

    def __init__(self, observed: Observed, seedset: SeedSet, settings: BaseSettings | None) -> None:
        self.observed, self.seedset = observed, seedset
        self.limits = spider_limits(seedset, settings)
        fetches = [f for of_url in observed.fetches.values() for f in of_url]
        starts: dict[str, tuple[str, int]] = {}
        for fetch in fetches:
            starts[fetch.crawl] = min(
                starts.get(fetch.crawl, (fetch.date, fetch.seq)), (fetch.date, fetch.seq)
            )
        self.crawls = sorted(starts, key=lambda crawl: starts[crawl])
        self._found: dict[str, dict[str, str]] = {}

    def by_crawl(self, fetches: list[Fetch]) -> Iterator[tuple[str, list[Fetch]]]:
        """A URL's fetches crawl by crawl, from its first crawl on (a crawl that did not fetch
        it may still list it)."""
        ordered = sorted(fetches, key=lambda f: (f.date, f.seq))
        first = min(self.crawls.index(f.crawl) for f in ordered)
        for crawl in self.crawls[first:]:
            yield crawl, [f for f in ordered if f.crawl == crawl]

    def of(self, crawl: str) -> dict[str, str]:
        if crawl not in self._found:
            found: dict[str, str] = {}
            for url, listing in crawl_listed(self.seedset, self.limits, self._bodies(crawl)):
                stamp = listing.stamp
                if stamp is not None:
                    found[url] = latest_listing(found.get(url), stamp)
            self._found[crawl] = found
        return self._found[crawl]

    def _bodies(self, crawl: str) -> Callable[[str], Iterator[bytes]]:
        def bodies(url: str) -> Iterator[bytes]:
            for fetch in sorted(self.observed.fetches.get(url, []), key=lambda f: (f.date, f.seq)):
                if fetch.crawl != crawl or not 200 <= fetch.status < 300:
                    continue
                own = fetch.record_id if fetch.capture is not None else fetch.refers_to
                body = self.observed.payloads.get(own or "")
                if body is not None:
                    yield body

        return bodies


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
