"""What a run does with the crawl state: which URL to fetch, and what each fetch taught.

``StateTracker`` stands between the state (``crawler.state.base.CrawlState``) and the Scrapy
components that use it (``crawler.state.middleware``): it decides whether a request is wanted
this run and turns each archived exchange into the URL's new state. Each decision is counted
in the crawl's stats under ``state/``:

- seeds, feeds and sitemaps are always wanted; a URL the state does not know is new
  (``state/new``); a known article or page is wanted when it is due (``state/due``) or when the
  feed or sitemap that lists it gives a later date than the state keeps (``state/listing_changed``;
  a URL in a feed and a news sitemap with two dates is no change run after run),
  and skipped otherwise (``state/not_due``);
- after an archived exchange the URL's state keeps its first sight, takes the new validators
  (a 304 keeps the old ones unless it sent new), the new capture unless the exchange was a
  revisit, and its next due time from the seed set's ``[recrawl]`` schedule. A 404 or 410 marks
  it gone (``state/gone``): not re-checked on schedule, nothing deleted (``next_state``, the
  one rule, which ``state rebuild`` applies to the archived exchanges too);
- ``listed`` is the latest date feeds and sitemaps have given the URL, in this run or before
  (``latest_listing``),
  noted as soon as an entry is seen, whatever becomes of its request (fetched, not due, or
  dropped as a duplicate of a request from a front page), or, for a URL not known yet, when
  it is fetched. So it does not depend on whether the front page or the feed was read first,
  and ``state rebuild`` finds it again from the archived feeds and sitemaps of the run. (A
  fetch that fails after a changed date is not tried again early: the schedule re-checks it.)
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from scrapy import Request
from scrapy.http import Response

from crawler.items import Discovery, WarcPointer
from crawler.meta import ARCHIVED_IN, DISCOVERY, REVISIT, WARC_POINTER
from crawler.state import validators
from crawler.state.base import (
    ALWAYS_FETCHED,
    GONE,
    NOT_ARTICLE,
    Capture,
    CrawlState,
    UrlState,
    latest_listing,
    utc_now,
)
from crawler.state.schedule import Schedule

if TYPE_CHECKING:
    from scrapy.statscollectors import StatsCollector

logger = logging.getLogger(__name__)

_KIND_OF_CALLBACK = {"parse_feed": "feed", "parse_sitemap": "sitemap"}


def kind_of(request: Request) -> str | None:
    """What the spider asked for: seed, feed, sitemap or page; None for what it did not ask
    for (robots.txt), which the state leaves out."""
    discovery = request.meta.get(DISCOVERY)
    if not isinstance(discovery, Discovery):
        return None
    kind = _KIND_OF_CALLBACK.get(getattr(request.callback, "__name__", ""))
    return kind or ("seed" if discovery.via is None else "page")


class StateTracker:
    def __init__(
        self,
        state: CrawlState,
        schedule: Schedule,
        stats: StatsCollector,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self.state = state
        self.schedule = schedule
        self.stats = stats
        self.clock = clock
        self.started = clock()  # what is due is decided against the start of the run
        # the latest listing date in this run of each URL not in the state yet, until fetched
        self.listings: dict[str, str] = {}
        self.ahead: dict[str, UrlState | None] = {}  # read_ahead's states, until used

    def _count(self, key: str) -> None:
        self.stats.inc_value(key)

    def known(self, url: str) -> UrlState | None:
        return self.state.get(url)

    def due(self) -> Iterator[UrlState]:
        """The known articles due at the start of this run."""
        return self.state.due(self.started)

    def read_ahead(self, output: Iterable[Any]) -> None:
        """Read at once the states of the requests in a callback's `output` that ``wanted``
        will judge next, with nothing in between (a front page's links: one round trip to a
        shared state, not one each); each is used once, by the next ``wanted`` of its URL."""
        urls = {r.url for r in output if isinstance(r, Request) and _judged(kind_of(r))}
        self.ahead = self.state.get_many(urls) if urls else {}

    def wanted(self, request: Request) -> bool:
        """Whether the spider's request is fetched in this run."""
        kind = kind_of(request)
        if not _judged(kind):
            return True
        url = request.url
        known = self.ahead.pop(url) if url in self.ahead else self.state.get(url)
        listing = request.meta[DISCOVERY].listing
        stamp = listing.stamp if listing is not None else None
        if stamp is not None:
            self._listed(request.url, stamp, known)
        if known is None:
            self._count("state/new")
            return True
        if known.kind in ALWAYS_FETCHED:
            return True
        if stamp is not None and known.listed is not None and _later(stamp, known.listed):
            self._count("state/listing_changed")
            return True
        if known.is_due(self.started):
            self._count("state/due")
            return True
        self._count("state/not_due")
        return False

    def _listed(self, url: str, stamp: str, known: UrlState | None) -> None:
        """Note the date a feed or sitemap entry gave `url` in this run (see the module
        docstring); a URL not in the state yet takes it when it is fetched (kept in memory
        until then, no longer), a known URL now."""
        if known is None:
            self.listings[url] = latest_listing(self.listings.get(url), stamp)
        elif _later(stamp, known.listed):
            self.state.put(dataclasses.replace(known, listed=stamp))

    def fetched(self, request: Request, response: Response) -> None:
        """Keep what an archived exchange of a spider's request says of its URL."""
        kind = kind_of(request)
        pointer = request.meta.get(WARC_POINTER)
        if kind is None or not isinstance(pointer, WarcPointer) or ARCHIVED_IN not in request.meta:
            return  # not the spider's, not archived, or replayed from the archive (JOBDIR)
        now = datetime.fromisoformat(pointer.date)  # the WARC-Date: the archive's own time
        known = self.state.get(request.url)
        capture = None
        if not request.meta.get(REVISIT):
            crawl_id = str(request.meta.get(ARCHIVED_IN, ""))
            capture = Capture(
                crawl_id,
                pointer.filename,
                pointer.offset,
                pointer.length,
                pointer.record_id,
                pointer.date,
                pointer.payload_digest,
                response.status,
            )
        discovery: Discovery = request.meta[DISCOVERY]
        base = known or UrlState(request.url, kind, now, discovery=discovery.hops)
        head = Head(
            response.status,
            validators.etag(_header(response, b"ETag"), self._count),
            validators.last_modified(_header(response, b"Last-Modified"), now, self._count),
        )
        state = next_state(base, kind, head, capture, now, self.schedule)
        if head.status in (404, 410):
            self._count("state/gone")
            logger.info("%s is gone (%d): noted in the state", request.url, response.status)
        noted = self.listings.pop(request.url, None)  # the kept date never moves back (`_later`)
        listed = latest_listing(state.listed, noted) if noted else None
        self.state.put(dataclasses.replace(state, listed=listed) if listed else state)

    def article(self, url: str, is_article: bool) -> None:
        """What the spider made of the page fetched at ``url``: an article or not."""
        known = self.state.get(url)
        if known is None:
            return
        if is_article and (known.kind != "article" or known.note == NOT_ARTICLE):
            self.state.put(dataclasses.replace(known, kind="article", note=None))
        elif not is_article and known.kind == "article":
            self._count("state/not_article")
            logger.warning("%s was an article and is no longer one: noted in the state", url)
            self.state.put(dataclasses.replace(known, kind="page", note=NOT_ARTICLE))


@dataclass(frozen=True, slots=True)
class Head:
    """What the state takes from an exchange's HTTP head: its status and its validators,
    already checked (``crawler.state.validators``)."""

    status: int  # 304 for a server-not-modified revisit
    etag: str | None
    last_modified: str | None


def next_state(
    base: UrlState,
    kind: str,
    head: Head,
    capture: Capture | None,
    now: datetime,
    schedule: Schedule,
) -> UrlState:
    """The URL's state after one archived exchange, dated `now` (its WARC-Date): the rule of
    the live run (``StateTracker.fetched``) and of ``state rebuild`` (``statefold``). `capture`
    is None for a revisit; ``listed`` is left to the caller (``latest_listing``)."""
    if base.kind in ("article", "page") and kind in ("page", "seed"):
        kind = base.kind  # what the spider made of the page is kept until it changes
    etag, modified = head.etag, head.last_modified
    if head.status == 304:  # not modified: the validators stand unless renewed
        etag, modified = etag or base.etag, modified or base.last_modified
    note = base.note if base.note != GONE else None
    next_due = None
    if head.status in (404, 410):
        note = GONE
    elif kind not in ALWAYS_FETCHED:
        next_due = schedule.next_due(base.first_seen, now)
    return dataclasses.replace(
        base,
        kind=kind,
        last_fetched=now,
        last_status=head.status,
        etag=etag,
        last_modified=modified,
        capture=capture or base.capture,
        next_due=next_due,
        note=note,
    )


def _judged(kind: str | None) -> bool:
    """Whether ``wanted`` asks the state about a request of this kind."""
    return kind is not None and kind not in ALWAYS_FETCHED


def _later(stamp: str, listed: str | None) -> bool:
    """Whether a listing date moves the kept one forward: a URL listed in a feed and a news
    sitemap with two dates keeps the later, and the earlier is no change, run after run."""
    return listed is None or latest_listing(listed, stamp) != listed


def _header(response: Response, name: bytes) -> str | None:
    value = response.headers.get(name)
    return None if value is None else value.decode("latin-1")
