"""The crawl state in the request flow: conditional requests, and the schedule of re-checks.

``ConditionalRequests`` (a downloader middleware) asks the server for a URL the state knows
only if it changed: ``If-None-Match`` with the ETag and ``If-Modified-Since`` with the
Last-Modified it last sent, as sent. It marks the request with the URL's last full capture
(``crawler.meta.PREVIOUS_CAPTURE``) so that the WARC capture can archive a 304, or a 200 with
the same payload, as a revisit of it; and once the exchange is archived it updates the state.
A 304 that cannot be a revisit (to a request that sent no validators, or of a URL with no
capture to refer to) is archived as it came, and the URL is fetched again unconditionally
(``state/refetched_unconditionally``); a server that answers even that with a 304 is counted
(``state/not_modified_unasked``) and left at that.

``RecrawlFilter`` (a spider middleware) decides what the spider's requests fetch: at the start
of a run it adds the known articles that are due (so they are re-checked even when their front
page answers 304), and it drops requests for known articles that are not due
(``crawler.state.tracker``). An article archived as a revisit is not extracted again
(``state/revisit_not_extracted``): its text is the last capture's.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterable, Iterator
from typing import TYPE_CHECKING, Any, Self

from scrapy import Request, Spider
from scrapy.http import Response
from scrapy.spidermiddlewares.base import BaseSpiderMiddleware

from crawler.items import ArticleItem, Discovery
from crawler.meta import CONDITIONAL, DISCOVERY, PREVIOUS_CAPTURE, REVISIT, UNCONDITIONAL
from crawler.state.base import Capture
from crawler.state.extension import tracker_of
from crawler.state.tracker import StateTracker, kind_of

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

VALIDATOR_HEADERS = (b"If-None-Match", b"If-Modified-Since")


class ConditionalRequests:
    def __init__(self, tracker: StateTracker) -> None:
        self.tracker = tracker

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(tracker_of(crawler))

    def process_request(self, request: Request) -> None:
        for key in (PREVIOUS_CAPTURE, CONDITIONAL):  # a redirect's or retry's copy
            request.meta.pop(key, None)
        for header in VALIDATOR_HEADERS:
            request.headers.pop(header, None)
        known = self.tracker.known(request.url) if kind_of(request) else None
        if known is None or known.capture is None:
            return
        request.meta[PREVIOUS_CAPTURE] = known.capture
        if request.meta.get(UNCONDITIONAL):
            return
        if known.etag:
            request.headers[b"If-None-Match"] = known.etag.encode("latin-1")
        if known.last_modified:
            request.headers[b"If-Modified-Since"] = known.last_modified.encode("latin-1")
        if known.etag or known.last_modified:
            request.meta[CONDITIONAL] = True
            self.tracker.stats.inc_value("state/conditional_requests")

    def process_response(self, request: Request, response: Response) -> Request | Response:
        unanswerable = not request.meta.get(CONDITIONAL) or not isinstance(
            request.meta.get(PREVIOUS_CAPTURE), Capture
        )
        if response.status == 304 and unanswerable and kind_of(request):
            if request.meta.get(UNCONDITIONAL):
                self.tracker.stats.inc_value("state/not_modified_unasked")
                logger.warning("%s answered 304 to a request without validators", request.url)
                return response
            self.tracker.stats.inc_value("state/refetched_unconditionally")
            logger.info("%s answered 304 with nothing to refer to: fetched again", request.url)
            meta = {**request.meta, UNCONDITIONAL: True}
            return request.replace(meta=meta, dont_filter=True)
        if response.status == 304 and kind_of(request):
            self.tracker.stats.inc_value("state/not_modified")
        self.tracker.fetched(request, response)
        return response


class RecrawlFilter(BaseSpiderMiddleware):
    def __init__(self, crawler: Crawler, tracker: StateTracker) -> None:
        super().__init__(crawler)
        self.tracker = tracker
        self._seedset = str(crawler.settings.get("SEEDSET_NAME") or "")

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler, tracker_of(crawler))

    async def process_start(self, start: AsyncIterator[Any]) -> AsyncIterator[Any]:
        async for request in super().process_start(start):
            yield request
        spider = self.crawler.spider
        for known in self.tracker.due():
            self.tracker.stats.inc_value("state/due_at_start")
            discovery = Discovery(known.discovery) if known.discovery else None
            yield Request(
                known.url,
                meta={DISCOVERY: discovery or Discovery.from_seedset(self._seedset)},
                errback=getattr(spider, "failed", None),
            )

    def get_processed_request(self, request: Request, response: Response | None) -> Any:
        return request if self.tracker.wanted(request) else None

    def process_spider_output(
        self, response: Response | None, result: Iterable[Any], spider: Spider | None = None
    ) -> Iterator[Any]:
        output: list[Any] = []
        try:
            output.extend(result)
        except Exception:  # what the callback gave before it still goes on, then the error
            yield from self._filtered(response, output)
            raise
        yield from self._filtered(response, output)
        self._judged(response, output)

    async def process_spider_output_async(
        self,
        response: Response | None,
        result: AsyncIterator[Any],
        spider: Spider | None = None,
    ) -> AsyncIterator[Any]:
        output: list[Any] = []
        try:
            async for element in result:
                output.append(element)
        except Exception:
            for element in self._filtered(response, output):
                yield element
            raise
        for element in self._filtered(response, output):
            yield element
        self._judged(response, output)

    def _filtered(self, response: Response | None, output: list[Any]) -> Iterator[Any]:
        """A callback's whole output, its requests judged at once on their states read at once
        (``StateTracker.read_ahead``): nothing else runs between the read and the verdicts. An
        article archived as a revisit is not extracted."""
        self.tracker.read_ahead(output)
        try:
            kept = list(super().process_spider_output(response, output))
        finally:
            self.tracker.read_ahead(())
        revisit = response is not None and bool(response.meta.get(REVISIT))
        for item in kept:
            if revisit and isinstance(item, ArticleItem):
                self.tracker.stats.inc_value("state/revisit_not_extracted")
                continue
            yield item

    def _judged(self, response: Response | None, output: list[Any]) -> None:
        """Note what the spider made of a page: an article, or no longer one."""
        if response is None or response.request is None or response.meta.get(REVISIT):
            return
        if response.status == 200 and kind_of(response.request) == "page":
            requested = response.meta.get("redirect_urls", [response.url])[0]
            self.tracker.article(requested, any(isinstance(e, ArticleItem) for e in output))
