"""What a fetched page is, and which of its links to follow: pure functions of parsed HTML.

An article is a page that says so, in the order publishers are most reliable about it:
``og:type`` = ``article``; a schema.org JSON-LD object whose ``@type`` is an Article kind
(NewsArticle, ReportageNewsArticle, BlogPosting ...), at the top level, in a list or an
``@graph``; or article markup: an element with an Article ``itemtype``, or exactly one
``<article>`` holding an ``<h1>`` (section fronts hold many ``<article>`` teasers). Which types
are Article kinds is decided here alone (`is_article_type`): extraction asks the same question
of the JSON-LD objects it reads metadata from.

Related links are the links of an article's related / "read more" blocks and the links inside
its body. Tag, author and category links (``rel=tag`` and kin) are not articles and are skipped,
and so are links to images, media and documents (an image's lightbox link, a PDF).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from typing import Any
from urllib.parse import urljoin, urlsplit

from parsel import Selector, SelectorList
from scrapy.linkextractors import IGNORED_EXTENSIONS
from w3lib.url import canonicalize_url

# schema.org's Article and the kinds below it that a news page may be, lowercase: publishers'
# case is not to be trusted. og:type's own "article" is the first.
ARTICLE_TYPES = frozenset(
    {
        "article",
        "advertisercontentarticle",
        "newsarticle",
        "analysisnewsarticle",
        "askpublicnewsarticle",
        "backgroundnewsarticle",
        "opinionnewsarticle",
        "reportagenewsarticle",
        "reviewnewsarticle",
        "report",
        "satiricalarticle",
        "scholarlyarticle",
        "medicalscholarlyarticle",
        "socialmediaposting",
        "blogposting",
        "liveblogposting",
        "techarticle",
    }
)
# A type may be named by its full schema.org URL, as itemtype always does.
_SCHEMA_ORG_URL = re.compile(r"https?://(?:www\.)?schema\.org/(\w+)/?", re.IGNORECASE)
# Containers of an article's own text, most specific first.
BODY_SELECTORS = (
    "[itemprop=articleBody]",
    ".entry-content",
    ".td-post-content",
    ".post-content",
    ".article-body",
    ".article__body",
    ".story-body",
    "article",
)
# Blocks that publishers use for related coverage.
RELATED_XPATH = (
    "//*[self::section or self::div or self::aside or self::ul or self::nav]"
    "[re:test(concat(' ', @class, ' ', @id, ' '), "
    "'related|read-?more|more-?news|also-?read|recommended|more-?stories', 'i')]"
)
_URL_IGNORED = re.compile(r"[\t\n\r]")
SKIPPED_REL = frozenset({"tag", "author", "category", "nofollow", "ugc", "sponsored"})
# Images, media, archives and office files are not pages (Scrapy's own list).
SKIPPED_EXTENSIONS = tuple(f".{extension}" for extension in IGNORED_EXTENSIONS)


def is_article_type(value: object) -> bool:
    """Whether a type (og:type, JSON-LD ``@type``, ``itemtype``) is an Article kind: a bare
    name ("NewsArticle") or a schema.org URL ("https://schema.org/NewsArticle"), in any case."""
    if not isinstance(value, str):
        return False
    name = value.strip()
    url = _SCHEMA_ORG_URL.fullmatch(name)
    return (url[1] if url else name).lower() in ARTICLE_TYPES


def is_article(page: Selector) -> bool:
    if is_article_type(page.css('meta[property="og:type"]::attr(content)').get()):
        return True
    if any(_has_article_type(data) for data in json_ld(page)):
        return True
    # itemtype is a space-separated list of type URLs.
    itemtypes = page.xpath("//@itemtype").getall()
    if any(is_article_type(kind) for value in itemtypes for kind in value.split()):
        return True
    articles = page.xpath("//article")
    return len(articles) == 1 and bool(articles.xpath(".//h1"))


def json_ld(page: Selector) -> Iterator[Any]:
    """Every JSON-LD object of the page; a script that does not parse is skipped."""
    for script in page.xpath('//script[@type="application/ld+json"]/text()').getall():
        try:
            yield json.loads(script)
        except (ValueError, RecursionError):  # RecursionError: arrays nested thousands deep
            continue


def _has_article_type(data: Any, depth: int = 0) -> bool:
    if depth > 4:
        return False
    if isinstance(data, list):
        return any(_has_article_type(item, depth + 1) for item in data)
    if not isinstance(data, dict):
        return False
    kinds = data.get("@type", [])
    for kind in kinds if isinstance(kinds, list) else [kinds]:
        if is_article_type(kind):
            return True
    return _has_article_type(data.get("@graph", []), depth + 1)


def article_body(page: Selector) -> SelectorList[Selector]:
    for selector in BODY_SELECTORS:
        found = page.css(selector)
        if found:
            return found[:1]
    return SelectorList()


def related_links(page: Selector, base_url: str, limit: int | None = None) -> list[str]:
    """Links of the related blocks and the body, absolute, canonical, in page order, once each;
    the first `limit` of them when a limit is given (a page of 100,000 links is not read on)."""
    anchors = [
        *page.xpath(RELATED_XPATH).xpath(".//a[@href]"),
        *article_body(page).xpath(".//a[@href]"),
    ]
    return _urls(anchors, base_url, limit)


def all_links(page: Selector, base_url: str, limit: int | None = None) -> list[str]:
    return _urls(page.xpath("//a[@href]"), base_url, limit)


def _urls(anchors: Iterable[Selector], base_url: str, limit: int | None = None) -> list[str]:
    own = canonicalize_url(base_url)
    seen: dict[str, None] = {}
    for anchor in anchors:
        if limit is not None and len(seen) >= limit:
            break
        rel = set(anchor.attrib.get("rel", "").lower().split())
        if rel & SKIPPED_REL:
            continue
        # As browsers do (WHATWG URL parsing): tabs and newlines inside an href are dropped.
        href = _URL_IGNORED.sub("", anchor.attrib["href"]).strip()
        try:
            url = urljoin(base_url, href).partition("#")[0]
            path = urlsplit(url).path.lower()
            if (
                url.startswith(("http://", "https://"))
                and not path.endswith(SKIPPED_EXTENSIONS)
                and canonicalize_url(url) != own
            ):
                seen.setdefault(url)
        except ValueError:  # an invalid URL (bad port, bad IPv6 literal): not followed
            continue
    return list(seen)
