"""Spider ``news``: from a seed set to article items, following related links within scope.

``scrapy crawl news -a seeds=seeds/<set>.toml``. Where each request comes from decides what
is done with its page:

- a **seed** page (``start_urls``) is archived; an article yields an item, any other page (a
  section front) has every in-scope link followed once, as a **front** link. An article is
  what ``crawler.pages.recognise`` says, by markup or by content; its signals go on the item;
- **feed** and **sitemap** entries (``feeds``, ``sitemaps``, nested sitemap indexes) are
  fetched as candidate articles;
- a **front**, feed or sitemap page that is an article yields an item; one that is not is
  archived and goes no further;
- an article's **related** links (related blocks and in-body links) are followed while the
  related-link hops stay within the seed set's ``related_depth``.

Everything fetched is archived by the WARC writer, whatever the page turns out to be. The
spider holds no archive or storage logic: items carry the WARC pointer that the writer left.

Hostile input is bounded (``crawler.spiders.config.SpiderLimits``): a page above
``NEWS_MAX_PAGE_BYTES`` is not parsed, an article tree above ``NEWS_MAX_HTML_ELEMENTS`` is not
extracted, at most ``NEWS_MAX_LINKS_PER_PAGE`` links are taken from a page or feed, at most
``NEWS_MAX_SITEMAP_URLS`` from a sitemap, and sitemap indexes nest ``NEWS_MAX_SITEMAP_DEPTH``
deep. Each cut is counted and logged; what was fetched is archived all the same.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable, Iterator
from itertools import islice
from typing import Any, Self

from parsel import Selector
from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.gz import gunzip
from scrapy.utils.sitemap import Sitemap
from twisted.python.failure import Failure

from crawler import pages
from crawler.downloader.guard import BlockedAddress
from crawler.itemlinks import in_scope_related
from crawler.items import ArticleItem, Discovery, header_dict
from crawler.links import all_links
from crawler.listing import feed_entries, sitemap_listings
from crawler.meta import DISCOVERY, discovery_of, pointer_of, tls_of
from crawler.pagetree import page_selector
from crawler.seeds import SeedSet, load_seedset
from crawler.signals import request_done
from crawler.spiders.config import SpiderLimits

logger = logging.getLogger(__name__)
# What Scrapy's RobotsTxtMiddleware raises for an excluded URL (checked by the e2e crawl test).
ROBOTS_FORBIDDEN = "Forbidden by robots.txt"

SITEMAP_MAX_BYTES = 50 * 1024 * 1024  # the sitemap protocol's own limit, uncompressed


class NewsSpider(Spider):
    name = "news"

    def __init__(self, seedset: SeedSet, limits: SpiderLimits, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.seedset = seedset
        self.limits = limits
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
        spider = cls(seedset, SpiderLimits.from_settings(settings), *args, **kwargs)
        spider._set_crawler(crawler)
        return spider

    async def start(self) -> AsyncIterator[Request]:
        seed = Discovery.from_seedset(self.seedset.name)
        for url in self.seedset.start_urls:
            yield self._request(url, seed)
        for url in self.seedset.feeds:
            yield self._request(url, seed, self.parse_feed)
        for url in self.seedset.sitemaps:
            yield self._request(url, seed, self.parse_sitemap)

    def _request(
        self, url: str, discovery: Discovery, callback: Callable[..., Any] | None = None
    ) -> Request:
        """A request for `url`; a page, unless another callback says what it is."""
        meta = {DISCOVERY: discovery}
        return Request(url, callback=callback or self.parse, errback=self.failed, meta=meta)

    def failed(self, failure: Failure) -> None:
        """A request that gave no response to parse: counted as news/failed/{exception}."""
        request = getattr(failure, "request", None)
        if isinstance(request, Request):  # it yields nothing: done with (crawler.signals)
            self.crawler.signals.send_catch_log(request_done, request=request)
        if isinstance(failure.value, HttpError):  # a 3xx/4xx/5xx page, archived: with an
            # errback set, Scrapy's HttpErrorMiddleware never sees it, so count it as it would
            status = failure.value.response.status
            if status == 304:  # not modified: archived as a revisit (crawler.state)
                return
            self.crawler.stats.inc_value("httperror/response_ignored_count")
            self.crawler.stats.inc_value(f"httperror/response_ignored_status_count/{status}")
            return
        url = request.url if isinstance(request, Request) else "a request"
        if isinstance(failure.value, IgnoreRequest) and str(failure.value) == ROBOTS_FORBIDDEN:
            # the site asked not to: an exclusion, counted as robotstxt/forbidden, not a failure
            logger.info("%s is excluded by robots.txt: not fetched", url)
            return
        name = type(failure.value).__name__
        self.crawler.stats.inc_value(f"news/failed/{name}")
        if not isinstance(failure.value, BlockedAddress):  # the guard logged it, with the reason
            logger.warning("%s failed: %s: %s", url, name, failure.getErrorMessage())

    def _discovery(self, response: Response) -> Discovery:
        """How this response was come to; one without a mark is taken for a start URL."""
        return discovery_of(response) or Discovery.from_seedset(self.seedset.name)

    def parse(self, response: Response, **kwargs: Any) -> Iterator[Any]:
        discovery = self._discovery(response)
        if not isinstance(response, TextResponse):
            self.crawler.stats.inc_value("news/pages/not_text")
            return
        if "download_stopped" in response.flags or "dataloss" in response.flags:
            # Archived as cut; a record of a cut article would be a silent error.
            self.crawler.stats.inc_value("news/pages/truncated")
            logger.warning("page %s was cut short: archived, not parsed", response.url)
            return
        if len(response.body) > self.limits.max_page_bytes:
            self.crawler.stats.inc_value("news/pages/too_large")
            logger.warning(
                "page %s has %d bytes, more than NEWS_MAX_PAGE_BYTES (%d): archived, not parsed",
                response.url,
                len(response.body),
                self.limits.max_page_bytes,
            )
            return
        # A selector of its own, not response.selector: Scrapy keeps that one on the response and
        # it points back, a cycle that holds each page and its tree until a full collection.
        page = page_selector(response)
        recognition = pages.recognise(page)
        if recognition.is_article:
            yield from self._article(response, page, discovery, recognition.signals)
        elif discovery.via is None:  # a start URL: a section front
            self.crawler.stats.inc_value("news/pages/front")
            onward = discovery.then("front", response.url)
            limit = self.limits.max_links_per_page
            links = all_links(page, response.url, limit + 1)
            if len(links) <= limit:
                skipped = int(page.root.xpath("count(//a[@href])")) - len(links)
                if skipped > 0:  # not http(s), invalid, media files, the page itself, repeats
                    self.crawler.stats.inc_value("news/links_skipped", skipped)
            for url in self._bounded(links, response.url):
                yield self._request(url, onward)
        else:
            self.crawler.stats.inc_value("news/pages/not_article")

    def _article(
        self, response: TextResponse, page: Selector, discovery: Discovery, signals: tuple[str, ...]
    ) -> Iterator[Any]:
        pointer = pointer_of(response)
        following = discovery.depth < self.seedset.related_depth
        related = []
        if following:  # else the item's related_urls are the extraction worker's alone
            found = in_scope_related(
                page,
                response.url,
                self.limits.max_links_per_page,
                self.seedset.allowed_domains,
            )
            related = self._bounded(found, response.url)
        if pointer is None:
            # Not archived: a write failed and the crawl is stopping. No WARC record, no item:
            # the page is fetched again, and extracted then, when the crawl resumes.
            self.crawler.stats.inc_value("news/articles/not_archived")
        elif self._tree_too_large(page):
            self.crawler.stats.inc_value("news/articles/too_large")
            logger.warning(
                "article %s has more than NEWS_MAX_HTML_ELEMENTS (%d) elements: archived, "
                "not extracted",
                response.url,
                self.limits.max_html_elements,
            )
        else:
            self.crawler.stats.inc_value("news/articles")
            yield ArticleItem(
                url=response.meta.get("redirect_urls", [response.url])[0],
                final_url=response.url,
                status=response.status,
                fetched_at=pointer.date,
                headers=header_dict(response.headers),
                body=response.body,
                warc=pointer,
                discovery=discovery,
                # both set by the extraction worker (crawler.itemlinks), off the reactor
                related_urls=(),
                outlinks=(),
                tls=tls_of(response),
                article_signals=signals,
            )
        if following:
            onward = discovery.then("article", response.url)
            for url in related:
                yield self._request(url, onward)

    def parse_feed(self, response: Response) -> Iterator[Request]:
        """RSS 2.0 and Atom: each item's link is a candidate article."""
        try:
            feed = Selector(body=response.body, type="xml")
            feed.remove_namespaces()
        except Exception as exc:  # parsel/lxml refuse some bodies outright
            return self._broken(response, "feed", f"not XML ({type(exc).__name__})")
        entries = feed_entries(feed)  # with each entry's date (crawler.state)
        links, listed = [link for link, _ in entries], dict(entries)
        if not links and not feed.xpath("//item | //entry"):
            return self._broken(response, "feed", "no RSS items or Atom entries")
        self.crawler.stats.inc_value("news/feeds")
        onward = self._discovery(response).then("feed", response.url)
        return (
            self._request(response.urljoin(u.strip()), onward.listed(listed[u]))
            for u in self._bounded(links, response.url)
        )

    def parse_sitemap(self, response: Response) -> Iterator[Request]:
        """Sitemaps, sitemap indexes and Google News sitemaps, gzipped or not."""
        body = response.body
        if body[:2] == b"\x1f\x8b":
            try:
                body = gunzip(body, max_size=SITEMAP_MAX_BYTES)
            except Exception as exc:
                return self._broken(response, "sitemap", f"bad gzip ({exc})")
        limit = self.limits.max_sitemap_urls
        try:
            sitemap = Sitemap(body)
            entries = list(islice((e for e in sitemap if e.get("loc")), limit + 1))
            locs = [entry["loc"] for entry in entries]  # the rest is never parsed
        except Exception as exc:  # lxml's syntax errors, or no root element at all
            return self._broken(response, "sitemap", f"not XML ({type(exc).__name__})")
        if sitemap.type not in ("urlset", "sitemapindex"):
            return self._broken(response, "sitemap", f"root element is {sitemap.type!r}")
        self.crawler.stats.inc_value("news/sitemaps")
        if len(locs) > limit:
            locs = locs[:limit]
            self.crawler.stats.inc_value("news/sitemaps_cut")
            logger.warning(
                "sitemap %s lists more than NEWS_MAX_SITEMAP_URLS (%d) URLs: the first %d are "
                "taken",
                response.url,
                limit,
                limit,
            )
        onward = self._discovery(response).then("sitemap", response.url)
        if sitemap.type == "sitemapindex":
            if onward.sitemap_depth > self.limits.max_sitemap_depth:
                self.crawler.stats.inc_value("news/sitemaps_too_deep")
                logger.warning(
                    "sitemap index %s nests deeper than NEWS_MAX_SITEMAP_DEPTH (%d): not followed",
                    response.url,
                    self.limits.max_sitemap_depth,
                )
                return iter(())
            return (self._request(loc, onward, self.parse_sitemap) for loc in locs)
        listed = sitemap_listings(body, entries[:limit])
        return (self._request(loc, onward.listed(listed.get(loc))) for loc in locs)

    def _bounded(self, urls: list[str], source: str) -> list[str]:
        """The first NEWS_MAX_LINKS_PER_PAGE of `urls`; a page with more is counted and logged."""
        limit = self.limits.max_links_per_page
        if len(urls) > limit:
            self.crawler.stats.inc_value("news/links_cut")
            logger.warning(
                "%s has more than NEWS_MAX_LINKS_PER_PAGE (%d) links: the first %d are taken",
                source,
                limit,
                limit,
            )
        return urls[:limit]

    def _tree_too_large(self, page: Selector) -> bool:
        """Whether the parsed page has more elements than extraction is given."""
        return pages.tree_size(page) > self.limits.max_html_elements

    def _broken(self, response: Response, kind: str, problem: str) -> Iterator[Request]:
        self.crawler.stats.inc_value(f"news/{kind}s_broken")
        logger.error("broken %s %s: %s (archived, not followed)", kind, response.url, problem)
        return iter(())
