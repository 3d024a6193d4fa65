"""Returning a request's lease once the request is done (``queue.LeasedPriorityQueue``).

Done means: its page archived (the WARC writer writes at ``response_downloaded``, before any
callback), everything its callback or errback returned handed to the engine, so new requests are
in the queue, and every item it gave through the item pipelines, so its record is written. Then
``crawler.signals.request_done`` says so, and the scheduler returns the lease. It is sent:

- by this spider middleware (the closest to the engine, so each element of a callback's output
  has been handed on when the next is asked for) after a callback's last output element, or
  when the callback raised, once the items it gave are through (``item_scraped``,
  ``item_dropped``, ``item_error``);
- by the spider's errback, once it has handled a failed request.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator, Iterable, Iterator
from typing import Any, Self

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.http import Response

from crawler.frontier.queue import LEASE
from crawler.signals import request_done


class ReleaseLeases:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.items: Counter[str] = Counter()  # lease -> items of its request still in pipelines
        self.ended: set[str] = set()  # leases whose callback has given all it will

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        middleware = cls(crawler)
        for signal in (signals.item_scraped, signals.item_dropped, signals.item_error):
            crawler.signals.connect(middleware._item_through, signal=signal)
        return middleware

    def _given(self, response: Response, element: Any) -> None:
        lease = response.request.meta.get(LEASE) if response.request else None
        if lease is not None and not isinstance(element, Request):
            self.items[lease] += 1

    def _end(self, response: Response) -> None:
        request = response.request
        lease = request.meta.get(LEASE) if request is not None else None
        if lease is None or not self.items[lease]:
            if lease is not None:
                self.items.pop(lease, None)
            self._done(request)
        else:
            self.ended.add(lease)

    def _item_through(self, response: Response | None = None, **kwargs: Any) -> None:
        request = response.request if response is not None else None
        lease = request.meta.get(LEASE) if request is not None else None
        if lease is None or lease not in self.items:
            return
        self.items[lease] -= 1
        if self.items[lease] <= 0 and lease in self.ended:
            del self.items[lease]
            self.ended.discard(lease)
            self._done(request)

    def _done(self, request: Request | None) -> None:
        if request is not None:
            self.crawler.signals.send_catch_log(request_done, request=request)

    def process_spider_output(self, response: Response, result: Iterable[Any]) -> Iterator[Any]:
        for element in result:
            self._given(response, element)
            yield element
        self._end(response)

    async def process_spider_output_async(
        self, response: Response, result: AsyncIterator[Any]
    ) -> AsyncIterator[Any]:
        async for element in result:
            self._given(response, element)
            yield element
        self._end(response)

    def process_spider_exception(self, response: Response, exception: Exception) -> None:
        self._end(response)
