"""The crawl state of a seed set: what the last runs learnt of each URL, behind one small interface.

A scheduled crawl runs the same seed set again and again. The state lets each run ask the
server only for what changed (conditional requests with the validators the server last sent),
archive an unchanged page as a ``revisit`` record pointing at its last full capture, re-check
known articles on a schedule (``crawler.state.schedule``), and write a new article version only
when the text or the title changed. The archive stays the truth: ``scrapy state rebuild`` makes
the same state again from the archive alone (CDXJ indexes, metadata records, clean records).

The interface, for every backend (the embedded SQLite one, ``crawler.state.sqlite``; a shared
one such as Redis for several crawler processes) and every consumer (the spider's middlewares,
the WARC capture, the records pipeline, ``state rebuild``):

- :class:`UrlState` is everything known of one URL, a frozen value; a change is
  ``dataclasses.replace(old, ...)`` then ``put``. Its parts: :class:`Capture` (the last full
  capture, never a revisit) and :class:`ArticleVersion` (the last clean record written).
- :class:`CrawlState` has per-URL operations only (no query language): ``get(url)``,
  ``get_many(urls)`` (the links of one page, in one round trip to a server), ``put(state)``
  (insert or replace, durable when it returns), ``due(now)`` (the known articles and pages
  whose ``next_due`` has come, for the start of a run), ``states()`` (every URL, for ``state
  rebuild`` and its comparison), and ``close()``. A backend keeps the values as given: ``put``
  then ``get`` gives an equal ``UrlState``.

Times are aware UTC datetimes. ``to_json``/``from_json`` give one JSON object per URL, so a
key-value backend stores a URL as one value, and the SQLite backend as one row.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from typing import Any, Protocol

from crawler.config import ConfigError
from crawler.timestamps import rfc3339

# What a URL was to the seed set: a start URL, a feed, a sitemap (all fetched every run), an
# article, or another page reached through links (a front that was no start URL, a page that
# was not an article); articles and pages are re-fetched on the schedule.
KINDS = ("seed", "feed", "sitemap", "article", "page")
ALWAYS_FETCHED = frozenset({"seed", "feed", "sitemap"})
GONE = "gone"  # note: the URL answered 404 or 410
NOT_ARTICLE = "not-article"  # note: an article that stopped being one

SCHEMA_VERSION = 1  # of the JSON form below; a backend refuses a state it does not know


class StateError(ConfigError):
    """The state cannot be used (in use by another run, corrupt, of an unknown version): the
    crawl stops before its first request, with a message naming the file and the remedy."""


@dataclass(frozen=True, slots=True)
class Capture:
    """Where the last full capture (a ``response`` record, never a revisit) of a URL lives."""

    crawl_id: str  # the WARC file is at warc/{crawl_id}/{filename} in the archive
    filename: str
    offset: int
    length: int
    record_id: str  # "<urn:uuid:...>", as in WARC-Record-ID
    date: str  # its WARC-Date (WARC-Refers-To-Date of a revisit of it)
    payload_digest: str | None  # its WARC-Payload-Digest, "sha256:BASE32"
    status: int  # its HTTP status

    @property
    def key(self) -> str:
        return f"warc/{self.crawl_id}/{self.filename}"


@dataclass(frozen=True, slots=True)
class ArticleVersion:
    """The last clean record written for an article: what the next one is compared with."""

    record_id: str  # the clean record's record_id
    text_sha256: str
    title: str | None
    version: int  # 1 for the first record of the URL, then 2, 3 ...
    text: str  # its text, for the next version's diff


@dataclass(frozen=True, slots=True)
class UrlState:
    url: str
    kind: str  # one of KINDS
    first_seen: datetime  # the first archived fetch; the schedule counts from here
    last_fetched: datetime | None = None  # the last archived fetch
    last_status: int | None = None  # its HTTP status (304 for a not-modified revisit)
    etag: str | None = None  # the ETag the server last sent, exactly (quotes, W/ kept)
    last_modified: str | None = None  # the Last-Modified the server last sent, exactly
    capture: Capture | None = None
    article: ArticleVersion | None = None
    listed: str | None = None  # the feed/sitemap entry's updated/lastmod/publication date
    next_due: datetime | None = None  # None: not re-fetched on schedule any more
    note: str | None = None  # GONE, NOT_ARTICLE, or None
    # how the URL was first discovered (crawler.items.Discovery.hops), for re-checks
    discovery: tuple[tuple[str, str], ...] = field(default=())

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown kind {self.kind!r} of {self.url}")

    def is_due(self, now: datetime) -> bool:
        return self.next_due is not None and self.next_due <= now

    def to_json(self) -> str:
        # One level of fields by hand: asdict deep-copies every value (about a fifth of the
        # crawler's state writing, three writes per article).
        data = _fields_of(self)
        data["capture"] = _fields_of(self.capture) if self.capture else None
        data["article"] = _fields_of(self.article) if self.article else None
        data["schema"] = SCHEMA_VERSION
        for name in ("first_seen", "last_fetched", "next_due"):
            data[name] = _iso(getattr(self, name))
        return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> UrlState:
        """The state ``to_json`` wrote; ValueError for anything else."""
        data: dict[str, Any] = json.loads(text)
        if data.pop("schema", None) != SCHEMA_VERSION:
            raise ValueError(f"not a URL state of schema version {SCHEMA_VERSION}")
        try:
            capture, article = data.pop("capture"), data.pop("article")
            return cls(
                **{
                    **data,
                    "first_seen": _parse(data["first_seen"]),
                    "last_fetched": _parse(data["last_fetched"]),
                    "next_due": _parse(data["next_due"]),
                    "discovery": tuple(tuple(hop) for hop in data["discovery"]),
                    "capture": Capture(**capture) if capture else None,
                    "article": ArticleVersion(**article) if article else None,
                }
            )
        except (KeyError, TypeError) as exc:
            raise ValueError(f"not a URL state: {exc}") from exc


class CrawlState(Protocol):
    """The state of one seed set; see the module docstring. A backend is opened for one run
    (holding whatever it needs so that no other run of the seed set writes at the same time)
    and closed at its end."""

    @property
    def location(self) -> str:
        """Where the state lives (a file path, a Redis URL and key), for messages."""
        ...

    def get(self, url: str) -> UrlState | None: ...

    def get_many(self, urls: Collection[str]) -> dict[str, UrlState | None]:
        """The states of `urls` (None: not known), read at once where the backend can."""
        ...

    def put(self, state: UrlState) -> None: ...

    def due(self, now: datetime) -> Iterator[UrlState]:
        """The articles and pages whose ``next_due`` is at or before ``now``, oldest first."""
        ...

    def states(self) -> Iterator[UrlState]:
        """Every URL's state, in URL order."""
        ...

    def close(self) -> None: ...


def latest_listing(noted: str | None, stamp: str) -> str:
    """Of two listing dates of one URL in one run (a feed's and a sitemap's), the later, so
    that the order in which they were read does not matter. ``Listing.stamp`` gives ISO 8601
    UTC, which sorts as time does; an unreadable date, kept as given, sorts after a readable
    one, and among unreadable dates the greater text wins: arbitrary, but the same each time."""
    if noted is None:
        return stamp
    return max(noted, stamp, key=lambda date: (not date[:1].isdigit(), date))


def utc_now() -> datetime:
    return datetime.now(UTC)


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else rfc3339(moment)


def _parse(text: str | None) -> datetime | None:
    if text is None:
        return None
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise ValueError(f"time {text!r} has no timezone")
    return moment.astimezone(UTC)


def _fields_of(value: UrlState | Capture | ArticleVersion) -> dict[str, Any]:
    return {name: getattr(value, name) for name in _NAMES[type(value)]}


_NAMES = {
    kind: tuple(item.name for item in fields(kind)) for kind in (UrlState, Capture, ArticleVersion)
}
