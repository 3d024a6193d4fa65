"""Metadata read straight from the page: JSON-LD, <meta>, <link> and <time> tags.

Structured data comes first because the publisher states it for machines; trafilatura's and
htmldate's guesses from the visible page are the fallback (`pipelines.extract.core` combines them).

- Dates: JSON-LD ``datePublished``/``dateModified`` of the article object, then meta tags
  (``article:published_time`` and the usual aliases), then ``itemprop`` elements. Values are
  returned as ISO 8601, with the page's offset when it gives one. A value later than the
  response (see `TimeBound`) is not a publication date and is skipped.
- Title, site name, description, section and tags: JSON-LD, then Open Graph and other meta
  tags, then the visible headline.
- Canonical URL: ``<link rel=canonical>``, then ``og:url``, made absolute.
"""

from __future__ import annotations

import html
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

from lxml import etree
from lxml.html import HtmlElement

from crawler.pages import is_article_type
from pipelines.extract.language import primary_language
from pipelines.extract.titles import SiteNames, choose_title, title_date

__all__ = ["PageMetadata", "TimeBound", "as_list", "iso_time", "parse_time", "text_or_none"]

PUBLISHED_META = (
    "article:published_time",
    "og:published_time",
    "datepublished",
    "pubdate",
    "publishdate",
    "publish-date",
    "parsely-pub-date",
    "sailthru.date",
    "dc.date.issued",
    "dcterms.issued",
    "dcterms.created",
    "dc.date",
    "date",
)
MODIFIED_META = (
    "article:modified_time",
    "og:updated_time",
    "datemodified",
    "dcterms.modified",
    "last-modified",
)
_ITEMPROP = etree.XPath("//*[@itemprop]")
# The elements the metadata is read from, collected in one walk over the tree: a walk filtered
# by tag in C costs about a fifth of one XPath query per kind.
_SOURCES = ("meta", "link", "script", "title", "h1", "a")


@dataclass(frozen=True, slots=True)
class TimeBound:
    """The latest plausible time for a page: it was not published after it was served.

    `served` is the response's Date header (else the clock, which only a page without a Date
    header depends on). A date-time with an offset may not be later than `served`; a local one
    may be up to 14 hours later (the largest UTC offset) and a bare date one day later."""

    served: datetime

    @classmethod
    def from_headers(cls, headers: Mapping[str, str]) -> TimeBound:
        try:
            served = parsedate_to_datetime(headers.get("date", ""))
        except (TypeError, ValueError):
            served = datetime.now(UTC)
        if served.tzinfo is None:
            served = served.replace(tzinfo=UTC)
        return cls(served)

    def allows(self, value: date) -> bool:
        if isinstance(value, datetime):
            if value.tzinfo is None:
                return value <= self.served.replace(tzinfo=None) + timedelta(hours=14)
            return value <= self.served
        return value <= self.served.date() + timedelta(days=1)

    def max_date(self) -> str:
        """The bound in htmldate's form, for trafilatura's date guess."""
        return (self.served + timedelta(days=1)).date().isoformat()


def parse_time(value: object) -> date | None:
    """A date or date-time in ISO 8601 or RFC 2822 form, else None. A bare date stays a date:
    inventing midnight would claim a precision the page does not give."""
    text = text_or_none(value)
    if text is None or not any(char.isdigit() for char in text):
        return None
    try:
        if len(text) == 10:
            return date.fromisoformat(text)
        return datetime.fromisoformat(text)
    except ValueError:
        pass
    try:
        return parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None


def iso_time(value: object, bound: TimeBound) -> str | None:
    parsed = parse_time(value)
    return parsed.isoformat() if parsed is not None and bound.allows(parsed) else None


class PageMetadata:
    """JSON-LD article objects, <meta>, <link> and itemprop values of one page."""

    def __init__(self, tree: HtmlElement) -> None:
        self._tree = tree
        found: dict[str, list[HtmlElement]] = {tag: [] for tag in _SOURCES}
        for element in tree.iter(*_SOURCES):
            found[element.tag].append(element)
        self.anchors = found["a"]  # for the byline's author links
        self._links = [link for link in found["link"] if link.get("href") is not None]
        self._headings = [" ".join(h1.text_content().split()) for h1 in found["h1"]]
        titles = found["title"]
        self._title = " ".join(titles[0].text_content().split()) if titles else None
        nodes = list(_json_ld_nodes(found["script"]))
        self._ids = {node["@id"]: node for node in nodes if isinstance(node.get("@id"), str)}
        self._articles = [node for node in nodes if _is_article(node)]
        self._itemprops: dict[str, list[HtmlElement]] | None = None
        self._meta: dict[str, list[str]] = {}
        for element in found["meta"]:
            content = text_or_none(element.get("content"))
            for attribute in ("property", "name", "itemprop", "http-equiv"):
                key = (element.get(attribute) or "").strip().lower()
                if key and content:
                    self._meta.setdefault(key, []).append(content)

    def meta(self, key: str) -> str | None:
        values = self._meta.get(key.lower())
        return values[0] if values else None

    def meta_all(self, key: str) -> list[str]:
        return self._meta.get(key.lower(), [])

    def title(self, url: str) -> str | None:
        """The headline (`pipelines.extract.titles.choose_title`)."""
        headline = self.json_ld("headline")
        sources = [headline if isinstance(headline, str) else None, self.meta("og:title")]
        sources.append(self.meta("twitter:title"))
        return choose_title(sources, self._headings, self._title, self.site_names(url))

    def site_names(self, url: str) -> SiteNames:
        """How the page names its own site: og:site_name, publisher, application-name, host."""
        names = [self.sitename(), self.meta("og:site_name"), self.meta("application-name")]
        return SiteNames.of([*names, *self.publisher_names()], url)

    def title_date(self) -> str | None:
        """The date a title carries in its suffix ("... | DW | 28.04.2023"), ISO 8601."""
        found = title_date(self.meta("og:title")) or title_date(self._title)
        return found.isoformat() if found else None

    def publisher_names(self) -> list[str]:
        """Names of the article's JSON-LD publisher objects."""
        names = []
        for entry in as_list(self.json_ld("publisher")):
            node = self.node(entry)
            name = node.get("name") if isinstance(node, dict) else node
            if isinstance(name, str) and name.strip():
                names.append(name.strip())
        return names

    def sitename(self) -> str | None:
        publishers = self.publisher_names()
        candidates = [self.meta("og:site_name"), *publishers[:1], self.meta("application-name")]
        return next(filter(None, map(text_or_none, candidates)), None)

    def descriptions(self) -> list[str]:
        """og:description, description, twitter:description, the JSON-LD article's."""
        described = self.json_ld("description")
        candidates = [self.meta("og:description"), self.meta("description")]
        candidates += [self.meta("twitter:description"), described]
        return [text for text in map(text_or_none, candidates) if text]

    def categories(self) -> list[str]:
        return self.listing("articleSection") or self.meta_all("article:section")

    def tags(self) -> list[str]:
        tags = self.listing("keywords") or self.meta_all("article:tag")
        return tags or [tag for value in self.meta_all("news_keywords") for tag in value.split(",")]

    def json_ld(self, key: str) -> Any:
        return next((node[key] for node in self._articles if node.get(key)), None)

    def time(self, json_ld_key: str, meta_keys: tuple[str, ...], bound: TimeBound) -> str | None:
        """The first valid, not-future value of the JSON-LD key, the meta keys, then elements
        carrying the JSON-LD key as itemprop (``<time itemprop=datePublished datetime=...>``)."""
        for value in (self.json_ld(json_ld_key), *(self.meta(key) for key in meta_keys)):
            found = iso_time(value, bound)
            if found:
                return found
        for element in self.itemprop(json_ld_key):
            found = iso_time(element.get("datetime") or element.get("content"), bound)
            if found:
                return found
        return None

    def itemprop(self, name: str) -> list[HtmlElement]:
        """The elements with ``itemprop=name``, from one search of the tree for all of them
        (dates and bylines both ask, and most pages have no microdata to find)."""
        if self._itemprops is None:
            self._itemprops = {}
            for element in _ITEMPROP(self._tree):
                for each in (element.get("itemprop") or "").split():
                    self._itemprops.setdefault(each, []).append(element)
        return self._itemprops.get(name, [])

    def node(self, entry: Any) -> Any:
        """A JSON-LD reference ({"@id": ...}) resolved to the object it names, if present."""
        if isinstance(entry, dict) and isinstance(entry.get("@id"), str):
            return self._ids.get(entry["@id"], entry)
        return entry

    def listing(self, json_ld_key: str) -> list[str]:
        value = self.json_ld(json_ld_key)
        items = value.split(",") if isinstance(value, str) else as_list(value)
        return [item for item in items if isinstance(item, str)]

    def declared_language(self, headers: Mapping[str, str]) -> str | None:
        candidates = [
            self._tree.getroottree().getroot().get("lang"),
            headers.get("content-language"),
            self.meta("content-language"),
            self.meta("og:locale"),
            self.json_ld("inLanguage"),
        ]
        return next(filter(None, map(primary_language, candidates)), None)

    def canonical_url(self, url: str) -> str | None:
        hrefs = [
            text_or_none(link.get("href"))
            for link in self._links
            if "canonical" in (link.get("rel") or "").lower().split()
        ]
        for href in [*hrefs, self.meta("og:url")]:
            absolute = urljoin(url, href) if href else None
            if absolute and urlsplit(absolute).scheme in ("http", "https"):
                return absolute
        return None


def _json_ld_nodes(scripts: list[HtmlElement]) -> Iterator[dict[str, Any]]:
    """Every object in the page's JSON-LD scripts, including @graph members; bad JSON is skipped."""
    for script in scripts:
        if (script.get("type") or "").strip().lower() != "application/ld+json":
            continue
        text = script.text or ""
        try:
            data = json.loads(text)
        except (ValueError, RecursionError):  # RecursionError: arrays nested thousands deep
            continue
        escaped = "&" in text or "\\u0026" in text.lower()  # "&" or its JSON escape
        pending = as_list(_unescaped(data) if escaped else data)
        while pending:
            node = pending.pop(0)
            if isinstance(node, dict):
                yield node
                pending.extend(as_list(node.get("@graph")))  # and an article in a WebPage:
                pending.extend(x for x in as_list(node.get("mainEntity")) if isinstance(x, dict))


def _unescaped(value: Any) -> Any:
    """JSON-LD with HTML entities decoded in its strings: pages escape text twice (JSON inside
    HTML), and "zerst&ouml;ren" is no headline."""
    if isinstance(value, str):
        return html.unescape(value) if "&" in value else value
    if isinstance(value, list):
        return [_unescaped(item) for item in value]
    if isinstance(value, dict):
        return {key: _unescaped(item) for key, item in value.items()}
    return value


def _is_article(node: Mapping[str, Any]) -> bool:
    # The crawler's own test, so what it took for an article is read as one here too.
    return any(is_article_type(kind) for kind in as_list(node.get("@type")))


def as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


def text_or_none(value: object) -> str | None:
    return value.strip() or None if isinstance(value, str) else None
