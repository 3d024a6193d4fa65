"""What feeds and sitemaps say of each entry they list, besides its URL.

A scheduled crawl compares an entry's date run to run (``crawler.state``): a known article
whose entry shows another ``updated`` (Atom), ``pubDate`` (RSS), ``lastmod`` or
``news:publication_date`` (sitemaps) is fetched before it is due. The Google News sitemap
fields (``news:publication_date``, ``news:title``, ``news:keywords``, ``news:language``) go
into the article's discovery (``crawler.items.Listing``) and so into its metadata record.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from io import BytesIO
from typing import Any

import lxml.etree
from parsel import Selector

from crawler.items import Listing

NEWS_NAMESPACE = "http://www.google.com/schemas/sitemap-news/0.9"
_MAX_FIELD = 2048  # characters kept of one field; a longer one is cut


def feed_entries(feed: Selector) -> list[tuple[str, Listing | None]]:
    """(link, listing) of each RSS item and Atom entry, in feed order; the feed's namespaces
    removed (so ``dc:date`` is ``date``)."""
    entries: list[tuple[str, Listing | None]] = []
    for entry in feed.xpath("//item | //entry"):
        if entry.root.tag == "item":
            links = entry.xpath("link/text()").getall()
            date = entry.xpath("pubDate/text() | date/text() | updated/text()").get()
        else:
            links = entry.xpath("link[not(@rel) or @rel='alternate']/@href").getall()
            date = entry.xpath("updated/text()").get() or entry.xpath("published/text()").get()
        listing = Listing(updated=_field(date)) if date and date.strip() else None
        entries.extend((link, listing) for link in links)
    return entries


def sitemap_listings(body: bytes, entries: Iterable[Mapping[str, Any]]) -> dict[str, Listing]:
    """Each sitemap entry's listing, by ``loc``: its ``lastmod``, and for a Google News sitemap
    the news fields, read in a second pass only when the news namespace is in the file."""
    news = _news_fields(body) if NEWS_NAMESPACE.encode() in body else {}
    listings: dict[str, Listing] = {}
    for entry in entries:
        loc = str(entry["loc"])
        fields = news.get(loc, {})
        lastmod = _field(entry.get("lastmod"))
        if lastmod or fields:
            listings[loc] = Listing(updated=lastmod, **fields)
    return listings


def _news_fields(body: bytes) -> dict[str, dict[str, str | None]]:
    found: dict[str, dict[str, str | None]] = {}
    parser = lxml.etree.iterparse(
        BytesIO(body), events=("end",), recover=True, resolve_entities=False, no_network=True
    )
    news = f"{{{NEWS_NAMESPACE}}}"
    try:
        for _, element in parser:
            if not isinstance(element.tag, str) or _local(element.tag) != "url":
                continue
            loc = next((c.text for c in element if _local(c.tag) == "loc" and c.text), None)
            block = element.find(f"{news}news")
            if loc is not None and block is not None:
                found[loc.strip()] = {
                    "news_publication_date": _field(block.findtext(f"{news}publication_date")),
                    "news_title": _field(block.findtext(f"{news}title")),
                    "news_keywords": _field(block.findtext(f"{news}keywords")),
                    "news_language": _field(block.findtext(f"{news}publication/{news}language")),
                }
            element.clear()
    except lxml.etree.LxmlError:
        pass  # what was read stands; the sitemap's own parse reports a broken file
    return found


def _local(tag: object) -> str:
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def _field(value: str | None) -> str | None:
    if value is None:
        return None
    value = " ".join(value.split())
    return value[:_MAX_FIELD] or None
