"""What the spider hands to the item pipelines: one fetched article page, not yet extracted."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from scrapy.http.headers import Headers


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


@dataclass(frozen=True, slots=True)
class TlsFacts:
    """What an https page's TLS session proved, as the clean record carries it (``tls``)."""

    protocol: str | None  # "tls/1.3", in the form of the WARC-Protocol field
    cipher_suite: str | None  # the IANA name, e.g. "TLS_AES_256_GCM_SHA384"
    verified: bool  # chain and host name verified, with verification enforced
    certificate_sha256: str | None  # hex SHA-256 of the server's (leaf) certificate, DER

    def to_dict(self) -> dict[str, object]:
        return {
            "protocol": self.protocol,
            "cipher_suite": self.cipher_suite,
            "verified": self.verified,
            "certificate_sha256": self.certificate_sha256,
        }


# One step of a discovery path: (what the page was, its URL), or ("seedset", the set's name).
Hop = tuple[str, str]
# "seedset" opens every path; "front" is a start URL that is not an article; "article" is an
# article whose related link led on.
HOP_KINDS = frozenset({"seedset", "front", "feed", "sitemap", "article"})


@dataclass(frozen=True, slots=True)
class Listing:
    """What a feed or sitemap said of one entry when it listed it: a changed date makes a known
    article worth fetching before it is due (``crawler.state``); the Google News sitemap fields
    go into the article's metadata record."""

    updated: str | None = None  # the feed entry's updated/pubDate, the sitemap's lastmod
    news_publication_date: str | None = None  # Google News sitemap: news:publication_date
    news_title: str | None = None  # news:title
    news_keywords: str | None = None  # news:keywords
    news_language: str | None = None  # news:publication/news:language

    @property
    def stamp(self) -> str | None:
        """The entry's latest date as ISO 8601 UTC (a feed's RFC 822 date and a sitemap's ISO
        date of one article agree), compared run to run; an unreadable date as given; None
        when the entry gave none."""
        dates = [_utc(d) for d in (self.updated, self.news_publication_date) if d]
        return max(dates) if dates else None

    def fields(self) -> list[tuple[str, str]]:
        """The non-empty fields as (name, value), named as in the metadata record."""
        names = ("listed-updated", "news-publication-date", "news-title", "news-keywords")
        values = (self.updated, self.news_publication_date, self.news_title, self.news_keywords)
        pairs = [(name, value) for name, value in zip(names, values, strict=True) if value]
        return pairs + ([("news-language", self.news_language)] if self.news_language else [])


@dataclass(frozen=True, slots=True)
class Discovery:
    """How the crawler came to a request: the hops from the seed set to the page that linked here.

    The hops are the one record; everything else is read from them, so the parts cannot
    disagree: the page that led here is the last hop, the related-link depth counts the article
    hops and the sitemap depth the sitemap hops.
    """

    hops: tuple[Hop, ...]  # the request's own page is not in it
    listing: Listing | None = None  # what the feed or sitemap that listed it said of it

    def listed(self, listing: Listing | None) -> Discovery:
        """This discovery, with what the feed or sitemap said of the entry."""
        return replace(self, listing=listing)

    @classmethod
    def from_seedset(cls, name: str) -> Discovery:
        """A start URL's, feed's or sitemap's: named in the seed set itself."""
        return cls((("seedset", name),))

    def then(self, kind: str, url: str) -> Discovery:
        """The discovery of the links found on the page at `url`, which was one of this kind."""
        if kind not in HOP_KINDS - {"seedset"}:
            raise ValueError(f"unknown kind of page {kind!r}")
        return Discovery((*self.hops, (kind, url)))

    @property
    def via(self) -> Hop | None:
        """The page that linked here, or None for what the seed set names."""
        return self.hops[-1] if self.hops and self.hops[-1][0] != "seedset" else None

    @property
    def discovered_from(self) -> str | None:
        """The URL of the front, feed, sitemap or article that linked here."""
        via = self.via
        return via[1] if via is not None else None

    @property
    def depth(self) -> int:
        """Related-link hops: each article on the way linked to the next page."""
        return self._count("article")

    @property
    def sitemap_depth(self) -> int:
        """Sitemaps on the way; for a sitemap, the sitemap indexes above it."""
        return self._count("sitemap")

    def _count(self, kind: str) -> int:
        return sum(1 for hop_kind, _ in self.hops if hop_kind == kind)


@dataclass(frozen=True, slots=True)
class ArticleItem:
    url: str  # the URL first requested (before redirects)
    final_url: str  # the URL the article was served from
    status: int
    fetched_at: str  # ISO 8601 UTC: the WARC-Date of its response record
    headers: dict[str, str]  # response headers, lowercase names, first value of each
    body: bytes  # the decoded body (transfer and content encodings undone), HTML
    warc: WarcPointer  # the response record in the WARC
    discovery: Discovery  # how the crawler came to it
    # The page's links are set by the extraction pipeline, from its worker (crawler.itemlinks):
    # the spider leaves them empty, so the reactor does not walk every article's links.
    related_urls: tuple[str, ...]  # related articles linked from this one, in scope
    outlinks: tuple[str, ...] = ()  # every link of the page to another page, in page order
    tls: TlsFacts | None = None  # what the TLS session proved (https); None for http
    # why the page was taken for an article (crawler.pages.recognise), e.g. ("og:type", "h1")
    article_signals: tuple[str, ...] = ()


def _utc(date: str) -> str:
    """A feed's or sitemap's date as ISO 8601 UTC; the text itself if it is not one."""
    try:
        moment = parsedate_to_datetime(date)
    except (TypeError, ValueError, IndexError):
        try:
            moment = datetime.fromisoformat(date)
        except ValueError:
            return date
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC).isoformat()


def header_dict(headers: Headers) -> dict[str, str]:
    """``ArticleItem.headers`` from Scrapy's headers: lowercase names, the first value of each."""
    return {
        name.decode("latin-1").lower(): values[0].decode("latin-1")
        for name, values in headers.items()
        if values
    }
