"""The spider's config: the bounds on hostile input (links, sitemaps, page and tree size)."""

from __future__ import annotations

from dataclasses import dataclass

from scrapy.settings import BaseSettings

from crawler.config import integer


@dataclass(frozen=True, slots=True)
class SpiderLimits:
    max_links_per_page: int  # links (and feed items) taken from one page
    max_sitemap_urls: int  # URLs taken from one sitemap
    max_sitemap_depth: int  # nested sitemap indexes followed
    max_page_bytes: int  # larger pages are archived, not parsed
    max_html_elements: int  # larger article trees are archived, not extracted

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> SpiderLimits:
        return cls(
            max_links_per_page=integer(settings, "NEWS_MAX_LINKS_PER_PAGE", 1),
            max_sitemap_urls=integer(settings, "NEWS_MAX_SITEMAP_URLS", 1),
            max_sitemap_depth=integer(settings, "NEWS_MAX_SITEMAP_DEPTH", 0),
            max_page_bytes=integer(settings, "NEWS_MAX_PAGE_BYTES", 1024),
            max_html_elements=integer(settings, "NEWS_MAX_HTML_ELEMENTS", 100),
        )
