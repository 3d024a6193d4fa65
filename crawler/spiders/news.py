"""Spider ``news``: from a seed set to article items, following related links within scope.

``scrapy crawl news -a seeds=seeds/<set>.toml``. Where each request comes from decides what
is done with its page:

- a **seed** page (``start_urls``) is archived; an article yields an item, any other page (a
  section front) has every in-scope link followed once, as a **front** link;
- **feed** and **sitemap** entries (``feeds``, ``sitemaps``, nested sitemap indexes) are
  fetched as candidate articles;
- a **front**, feed or sitemap page that is an article yields an item; one that is not is
  archived and goes no further;
- an article's **related** links (related blocks and in-body links) are followed while the
  related-link hops stay within the seed set's ``related_depth``.

Everything fetched is archived by the WARC writer, whatever the page turns out to be. The
spider holds no archive or storage logic: items carry the WARC pointer that the writer left.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from typing import Any, Self

from parsel import Selector
from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.http import Response, TextResponse
from scrapy.utils.gz import gunzip
from scrapy.utils.sitemap import Sitemap

from crawler import pages
from crawler.items import ArticleItem
from crawler.seeds import SeedSet, load_seedset
from pipelines.warc import pointer_of

logger = logging.getLogger(__name__)

VIA = "newsarchive_via"  # (role, the URL that led here)
DEPTH = "newsarchive_depth"  # related-link hops so far
SITEMAP_MAX_BYTES = 50 * 1024 * 1024  # the sitemap protocol's own limit, uncompressed


class NewsSpider(Spider):
    name = "news"

    def __init__(self, seedset: SeedSet, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.seedset = seedset
        self.allowed_domains = list(seedset.allowed_domains)

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> Self:
        path = kwargs.pop("seeds", None)
        if not path:
            raise ValueError("spider news needs a seed set: -a seeds=seeds/<set>.toml")
        seedset = load_seedset(path)
        settings = crawler.settings
        # The seed set's own settings apply below the command line's -s (priority "cmdline").
        settings.setdict(dict(seedset.settings), priority="spider")
        settings.set("SEEDSET_NAME", seedset.name, priority="spider")
        product = settings.get("USER_AGENT_PRODUCT")
        settings.set("USER_AGENT", seedset.user_agent(str(product)), priority="spider")
        spider = cls(seedset, *args, **kwargs)
        spider._set_crawler(crawler)
        return spider

    async def start(self) -> AsyncIterator[Request]:
        for url in self.seedset.start_urls:
            yield self._request(url, "seed", None, 0)
        for url in self.seedset.feeds:
            yield Request(url, callback=self.parse_feed, meta={VIA: ("seed", None)})
        for url in self.seedset.sitemaps:
            yield Request(url, callback=self.parse_sitemap, meta={VIA: ("seed", None)})

    def _request(self, url: str, role: str, via: str | None, depth: int) -> Request:
        return Request(url, callback=self.parse, meta={VIA: (role, via), DEPTH: depth})

    def parse(self, response: Response, **kwargs: Any) -> Iterator[Any]:
        role, via = response.meta.get(VIA, ("seed", None))
        if not isinstance(response, TextResponse):
            self.crawler.stats.inc_value("news/pages/not_text")
            return
        if "download_stopped" in response.flags or "dataloss" in response.flags:
            # Archived as cut; a record of a cut article would be a silent error.
            self.crawler.stats.inc_value("news/pages/truncated")
            logger.warning("page %s was cut short: archived, not parsed", response.url)
            return
        if pages.is_article(response.selector):
            yield from self._article(response, via)
        elif role == "seed":
            self.crawler.stats.inc_value("news/pages/front")
            for url in pages.all_links(response.selector, response.url):
                yield self._request(url, "front", response.url, 0)
        else:
            self.crawler.stats.inc_value("news/pages/not_article")

    def _article(self, response: TextResponse, via: str | None) -> Iterator[Any]:
        pointer = pointer_of(response)
        depth = int(response.meta.get(DEPTH, 0))
        related = [
            url for url in pages.related_links(response.selector, response.url)
            if self.seedset.in_scope(url)
        ]
        if pointer is None:
            # The writer failed and counted it; without a WARC record there is no record either.
            self.crawler.stats.inc_value("news/articles/not_archived")
        else:
            self.crawler.stats.inc_value("news/articles")
            yield ArticleItem(
                url=response.meta.get("redirect_urls", [response.url])[0],
                final_url=response.url,
                status=response.status,
                fetched_at=pointer.date,
                headers={
                    name.decode("latin-1").lower(): values[0].decode("latin-1")
                    for name, values in response.headers.items() if values
                },
                body=response.body,
                warc=pointer,
                discovered_from=via,
                related_urls=tuple(related),
                depth=depth,
            )
        if depth < self.seedset.related_depth:
            for url in related:
                yield self._request(url, "related", response.url, depth + 1)

    def parse_feed(self, response: Response) -> Iterator[Request]:
        """RSS 2.0 and Atom: each item's link is a candidate article."""
        try:
            feed = Selector(body=response.body, type="xml")
            feed.remove_namespaces()
        except Exception as exc:  # parsel/lxml refuse some bodies outright
            return self._broken(response, "feed", f"not XML ({type(exc).__name__})")
        links = feed.xpath("//item/link/text()").getall() + feed.xpath(
            "//entry/link[not(@rel) or @rel='alternate']/@href"
        ).getall()
        if not links and not feed.xpath("//item | //entry"):
            return self._broken(response, "feed", "no RSS items or Atom entries")
        self.crawler.stats.inc_value("news/feeds")
        return (self._request(response.urljoin(u.strip()), "feed", response.url, 0) for u in links)

    def parse_sitemap(self, response: Response) -> Iterator[Request]:
        """Sitemaps, sitemap indexes and Google News sitemaps, gzipped or not."""
        body = response.body
        if body[:2] == b"\x1f\x8b":
            try:
                body = gunzip(body, max_size=SITEMAP_MAX_BYTES)
            except Exception as exc:
                return self._broken(response, "sitemap", f"bad gzip ({exc})")
        try:
            sitemap = Sitemap(body)
            locs = [entry["loc"] for entry in sitemap if entry.get("loc")]
        except Exception as exc:  # lxml's syntax errors, or no root element at all
            return self._broken(response, "sitemap", f"not XML ({type(exc).__name__})")
        if sitemap.type not in ("urlset", "sitemapindex"):
            return self._broken(response, "sitemap", f"root element is {sitemap.type!r}")
        self.crawler.stats.inc_value("news/sitemaps")
        if sitemap.type == "sitemapindex":
            return (
                Request(loc, callback=self.parse_sitemap, meta={VIA: ("sitemap", response.url)})
                for loc in locs
            )
        return (self._request(loc, "sitemap", response.url, 0) for loc in locs)

    def _broken(self, response: Response, kind: str, problem: str) -> Iterator[Request]:
        self.crawler.stats.inc_value(f"news/{kind}s_broken")
        logger.error("broken %s %s: %s (archived, not followed)", kind, response.url, problem)
        return iter(())
