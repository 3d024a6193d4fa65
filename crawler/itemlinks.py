"""An article item's links, ``outlinks`` and ``related_urls``, computed where the page is parsed
anyway: in the extraction worker, off the reactor.

The spider walks an article's related links only when it follows them (its related-link depth
is not yet the seed set's ``related_depth``), with `in_scope_related`; the worker computes the
item's values with the same functions (`page_links`) on the tree the extractor parses, so each
page is parsed once there. That tree is decoded by the extractor's charset rules, which agree
with Scrapy's on every page that declares its charset (tests/pipelines/extract/test_outlinks.py
compares them on the fixture crawl). When a worker fails, the pipeline reads the links the same
way on the reactor (``pipelines.extract.pool.page_links_of``).
"""

from __future__ import annotations

from dataclasses import dataclass

from parsel import Selector

from crawler.links import all_links, related_links
from crawler.seedcheck import http_host, in_domains


@dataclass(frozen=True, slots=True)
class ItemLinks:
    outlinks: tuple[str, ...]  # every link to another page, the first `limit`
    related_urls: tuple[str, ...]  # the in-scope related links, the first `limit`


def in_scope_related(
    page: Selector, base_url: str, limit: int, domains: tuple[str, ...] | None
) -> list[str]:
    """The in-scope links among the first ``limit + 1`` related links (``crawler.pages``): one
    more than is taken, so the spider can tell, count and log a page that has too many. With no
    `domains`, every http(s) link is in scope."""
    found = related_links(page, base_url, limit + 1)
    if domains is None:
        return found
    return [url for url in found if (host := http_host(url)) and in_domains(host, domains)]


def page_links(page: Selector, url: str, limit: int, domains: tuple[str, ...] | None) -> ItemLinks:
    """The item's links from its parsed page, as the item holds them."""
    related = in_scope_related(page, url, limit, domains)[:limit]
    return ItemLinks(tuple(all_links(page, url, limit)), tuple(related))
