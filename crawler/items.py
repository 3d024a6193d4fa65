"""What the spider hands to the item pipelines: one fetched article page, not yet extracted."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class WarcPointer:
    """Where one record lives: enough to read it back with a single ranged read."""

    filename: str
    offset: int
    length: int
    record_id: str
    payload_digest: str | None
    date: str  # the record's WARC-Date, when the exchange was archived

    def to_dict(self) -> dict[str, object]:
        return {
            "filename": self.filename,
            "offset": self.offset,
            "length": self.length,
            "record_id": self.record_id,
            "payload_digest": self.payload_digest,
        }


# One step of a discovery path: (what the page was, its URL), or ("seedset", the set's name).
# Kinds: "seedset", "front" (a start URL that is not an article), "feed", "sitemap", "article"
# (an article whose related link led here).
Hop = tuple[str, str]


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
    # From the seed set to the page that linked here, in order; the article itself is not in it.
    discovery_path: tuple[Hop, ...] = ()
    outlinks: tuple[str, ...] = ()  # every link of the page to another page, in page order
