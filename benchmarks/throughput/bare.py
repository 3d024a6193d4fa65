"""The baseline: a bare Scrapy spider that parses every page and follows the index links.

Run with ``scrapy runspider`` outside the project (no project settings, no pipelines); the start
URLs come from ``-a starts=<file>``, one URL a line.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from scrapy import Request, Spider
from scrapy.http import Response


class BareSpider(Spider):
    name = "bare"

    def __init__(self, starts: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.start_urls = Path(starts).read_text("utf-8").split()

    def parse(self, response: Response, **kwargs: Any) -> Iterator[Any]:
        if "/i/" in response.url:
            for href in response.css("a::attr(href)").getall():
                yield Request(response.urljoin(href), callback=self.parse_page)

    def parse_page(self, response: Response) -> Iterator[dict[str, Any]]:
        yield {"url": response.url, "title": response.css("title::text").get()}
