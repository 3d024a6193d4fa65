"""What the spider hands to the item pipelines: one fetched article page, not yet extracted."""

from __future__ import annotations

from dataclasses import dataclass

from pipelines.warcfile import WarcPointer


@dataclass(frozen=True, slots=True)
class ArticleItem:
    url: str  # the URL first requested (before redirects)
    final_url: str  # the URL the article was served from
    status: int
    fetched_at: str  # ISO 8601 UTC: the WARC-Date of its response record
    headers: dict[str, str]  # response headers, lowercase names, first value of each
    body: bytes  # the decoded body (transfer and content encodings undone), HTML
    warc: WarcPointer  # the response record in the WARC
    discovered_from: str | None  # the seed, feed, sitemap or page that led here
    related_urls: tuple[str, ...]  # related articles linked from this one, in scope
    depth: int  # related-link hops from the page that started this chain
