"""What the feeds and sitemaps of one crawl listed, read back from their archived responses, for
`state rebuild` (``pipelines.tools.statefold``).

The live run notes the latest date a feed or sitemap entry gave each URL
(``crawler.state.tracker``), whatever became of the entry's request. The rebuild finds the
same dates in the archive: it parses each archived 2xx response of the seed set's feeds and
sitemaps (an identical-payload revisit by the body it refers to) as the spider does, with
``crawler.listing``, and follows sitemap indexes to their sitemaps as deep as the spider
(``NEWS_MAX_SITEMAP_DEPTH``), taking as many entries as it does (``NEWS_MAX_LINKS_PER_PAGE``,
``NEWS_MAX_SITEMAP_URLS``, taken as a crawl takes them: the project's settings, the seed set's
over them, the command line's ``-s`` over both). A body that does not parse lists nothing, as the
spider then follows nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from itertools import islice
from urllib.parse import urljoin

from parsel import Selector
from scrapy.settings import BaseSettings, Settings
from scrapy.utils.gz import gunzip
from scrapy.utils.sitemap import Sitemap

from crawler.items import Listing
from crawler.listing import feed_entries, sitemap_listings
from crawler.seeds import SeedSet
from crawler.spiders.config import SpiderLimits
from crawler.spiders.news import SITEMAP_MAX_BYTES

Entries = list[tuple[str, Listing | None]]


def spider_limits(seedset: SeedSet, settings: BaseSettings | None = None) -> SpiderLimits:
    """The spider's bounds for the seed set as a crawl takes them: `settings` (the command's:
    the project's and ``-s``; without them the project's), the seed set's at the spider's
    priority, which ``-s`` (the command line's) still beats, as in ``scrapy crawl``."""
    merged: BaseSettings
    if settings is None:
        merged = Settings()
        merged.setmodule("settings.base", priority="project")
    else:
        merged = settings.copy()
    merged.setdict(dict(seedset.settings), priority="spider")
    return SpiderLimits.from_settings(merged)


def feed_listed(body: bytes, url: str, limits: SpiderLimits) -> Entries:
    """The entries the spider's ``parse_feed`` requests, with their listings."""
    try:
        feed = Selector(body=body, type="xml")
        feed.remove_namespaces()
    except Exception:  # parsel/lxml refuse some bodies outright: a broken feed
        return []
    entries = feed_entries(feed)
    listed = dict(entries)
    links = [link for link, _ in entries][: limits.max_links_per_page]
    return [(urljoin(url, link.strip()), listed[link]) for link in links]


def sitemap_listed(body: bytes, limits: SpiderLimits) -> tuple[str, Entries]:
    """The sitemap's type ("urlset", "sitemapindex", or "" when broken) and the entries the
    spider's ``parse_sitemap`` requests: sitemaps of an index, articles of a urlset."""
    try:
        if body[:2] == b"\x1f\x8b":
            body = gunzip(body, max_size=SITEMAP_MAX_BYTES)
        sitemap = Sitemap(body)
        entries = list(islice((e for e in sitemap if e.get("loc")), limits.max_sitemap_urls))
    except Exception:  # a bad gzip, lxml's syntax errors, or no root element
        return "", []
    if sitemap.type == "sitemapindex":
        return sitemap.type, [(str(entry["loc"]), None) for entry in entries]
    if sitemap.type != "urlset":
        return "", []
    listed = sitemap_listings(body, entries)
    return sitemap.type, [(str(e["loc"]), listed.get(str(e["loc"]))) for e in entries]


def crawl_listed(
    seedset: SeedSet, limits: SpiderLimits, bodies: Callable[[str], Iterator[bytes]]
) -> Iterator[tuple[str, Listing]]:
    """(URL, listing) of every dated entry of the crawl's feeds and sitemaps; `bodies` gives the
    archived 2xx bodies of a URL in the crawl."""
    for feed in seedset.feeds:
        for body in bodies(feed):
            yield from _dated(feed_listed(body, feed, limits))
    pending = [(url, 1) for url in seedset.sitemaps]  # with the sitemap hops down to it
    seen = set()
    while pending:
        url, depth = pending.pop(0)
        if url in seen:
            continue
        seen.add(url)
        for body in bodies(url):
            kind, entries = sitemap_listed(body, limits)
            if kind == "sitemapindex" and depth <= limits.max_sitemap_depth:
                pending += [(loc, depth + 1) for loc, _ in entries]
            elif kind == "urlset":
                yield from _dated(entries)


def _dated(entries: Entries) -> Iterator[tuple[str, Listing]]:
    return ((url, listing) for url, listing in entries if listing is not None)
