"""What a fetched page is: pure functions of parsed HTML (which links to follow: crawler.links).

An article is a page that says so, in the order publishers are most reliable about it:
``og:type`` = ``article``; a schema.org JSON-LD object whose ``@type`` is an Article kind
(NewsArticle, ReportageNewsArticle, BlogPosting ...), at the top level, in a list or an
``@graph``; or article markup: an element with an Article ``itemtype``, or exactly one
``<article>`` holding an ``<h1>`` (section fronts hold many ``<article>`` teasers). Which types
are Article kinds is decided here alone (`is_article_type`): extraction asks the same question
of the JSON-LD objects it reads metadata from.

A page without such markup is an article when its content is one (`content_signals`): a main
run of prose of article length and shape (`crawler.recognition`) under a headline, the more so
with a date or a byline; unless its markup says it is a listing, a profile or a video page
(`listing_signals`). `recognise` gives the decision and the signals that made it, which the
item and the WARC metadata record carry as ``article_signals``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from parsel import Selector

from crawler import recognition

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
# Page kinds that are not articles: a page that says it is one is never an article by content.
LISTING_TYPES = frozenset(
    {"collectionpage", "searchresultspage", "profilepage", "imagegallery", "videogallery"}
)
LISTING_OG_TYPES = ("video", "profile")
# A type may be named by its full schema.org URL, as itemtype always does.
_SCHEMA_ORG_URL = re.compile(r"https?://(?:www\.)?schema\.org/(\w+)/?", re.IGNORECASE)
# Content recognition: the main run of prose an article without article markup needs.
MIN_ARTICLE_WORDS = 150  # with a date or a byline
MIN_UNDATED_WORDS = 250  # with neither
MIN_ARTICLE_PARAGRAPHS = 3
MAX_TEXT_AFTER = 2.5  # news-dev's most is 1.7 (a table of contents and a teaser box)


def is_article_type(value: object) -> bool:
    """Whether a type (og:type, JSON-LD ``@type``, ``itemtype``) is an Article kind: a bare
    name ("NewsArticle") or a schema.org URL ("https://schema.org/NewsArticle"), in any case."""
    if not isinstance(value, str):
        return False
    name = value.strip()
    url = _SCHEMA_ORG_URL.fullmatch(name)
    return (url[1] if url else name).lower() in ARTICLE_TYPES


def is_article(page: Selector) -> bool:
    return recognise(page).is_article


@dataclass(frozen=True, slots=True)
class Recognition:
    """Whether a page is an article, and the signals that decided (``article_signals``)."""

    is_article: bool
    signals: tuple[str, ...]


def recognise(page: Selector) -> Recognition:
    """Markup that says article is enough (`markup_signals`), and then the content is not read:
    this runs on the reactor for every page parsed. Markup that says listing, profile or video is
    not an article (`listing_signals`); else the content decides (`content_signals`). The signals
    found are given, in that order."""
    data = list(json_ld(page))
    markup = markup_signals(page, data)
    if markup:
        return Recognition(True, tuple(markup))
    listing = listing_signals(page, data)
    content, is_article = content_signals(page, data)
    signals = (*markup, *listing, *content)
    return Recognition(bool(markup) or (is_article and not listing), signals)


def content_signals(page: Selector, data: list[Any] | None = None) -> tuple[list[str], bool]:
    """The content's signals, and whether they make an article: a main run of prose
    (`crawler.recognition`) of `MIN_ARTICLE_WORDS` words in `MIN_ARTICLE_PARAGRAPHS` paragraphs
    or more, under a headline (an ``<h1>``, else ``og:title``); a page with neither a date nor a
    byline needs `MIN_UNDATED_WORDS`, and one block of twice the words needs no paragraphs. Prose
    in an author bio or a section's description box is not an article's, nor is prose that
    comes after a listing: more than `MAX_TEXT_AFTER` times its words of teasers and other text
    between the headline and it (a section front's closing "about this section" text)."""
    prose = recognition.main_prose(page.root)
    headline = [name for name in ("h1", "og:title") if _has_headline(page, name)][:1]
    data = list(json_ld(page)) if data is None else data
    checks = (("date", recognition.has_date), ("byline", recognition.has_byline))
    usual = [name for name, found in checks if found(page.root, data)]
    least = MIN_ARTICLE_WORDS if usual else MIN_UNDATED_WORDS
    # One long block of text (paragraphs split by <br> only) is an article's shape too.
    shaped = prose.paragraphs >= MIN_ARTICLE_PARAGRAPHS or prose.words >= 2 * least
    placed = not prose.furniture and prose.after <= MAX_TEXT_AFTER * prose.words
    is_article = bool(headline) and prose.words >= least and shaped and placed
    return [*([prose.signal()] if prose.words else []), *headline, *usual], is_article


def markup_signals(page: Selector, data: list[Any] | None = None) -> list[str]:
    """What the markup says: og:type, JSON-LD types, itemtypes, one <article> with an <h1>."""
    out = []
    if is_article_type(page.css('meta[property="og:type"]::attr(content)').get()):
        out.append("og:type")
    data = list(json_ld(page)) if data is None else data
    kinds = _unique(_types(value, ARTICLE_TYPES) for value in data)
    out += [f"json-ld:{kind}" for kind in kinds]
    itemtypes = (kind for value in page.xpath("//@itemtype").getall() for kind in value.split())
    out += [
        f"itemtype:{_type_name(kind)}" for kind in _unique([itemtypes]) if is_article_type(kind)
    ]
    articles = page.xpath("//article")
    if len(articles) == 1 and articles.xpath(".//h1"):
        out.append("article-element")
    return out


def listing_signals(page: Selector, data: list[Any] | None = None) -> list[str]:
    """Markup that says the page is a listing, a profile or a video (`LISTING_TYPES`)."""
    og_type = (page.css('meta[property="og:type"]::attr(content)').get() or "").strip().lower()
    out = [f"listing:og:type:{og_type}"] if og_type.startswith(LISTING_OG_TYPES) else []
    data = list(json_ld(page)) if data is None else data
    kinds = _unique(_types(value, LISTING_TYPES) for value in data)
    return out + [f"listing:json-ld:{kind}" for kind in kinds]


def _unique(groups: Iterable[Iterable[str]]) -> list[str]:
    return list(dict.fromkeys(name for group in groups for name in group))


def _type_name(value: str) -> str:
    url = _SCHEMA_ORG_URL.fullmatch(value.strip())
    return url[1] if url else value.strip()


def _has_headline(page: Selector, name: str) -> bool:
    if name == "h1":
        return any(text.strip() for text in page.xpath("//h1//text()").getall())
    return bool((page.css('meta[property="og:title"]::attr(content)').get() or "").strip())


def json_ld(page: Selector) -> Iterator[Any]:
    """Every JSON-LD object of the page; a script that does not parse is skipped."""
    for script in page.xpath('//script[@type="application/ld+json"]/text()').getall():
        try:
            yield json.loads(script)
        except (ValueError, RecursionError):  # RecursionError: arrays nested thousands deep
            continue


def _types(data: Any, wanted: frozenset[str], depth: int = 0) -> list[str]:
    """The `wanted` types of a JSON-LD object (bare names, as given), at the top level, in a
    list or an @graph."""
    if depth > 4:
        return []
    if isinstance(data, list):
        return [kind for item in data for kind in _types(item, wanted, depth + 1)]
    if not isinstance(data, dict):
        return []
    kinds = data.get("@type", [])
    listed = kinds if isinstance(kinds, list) else [kinds]
    found = [_type_name(kind) for kind in listed if isinstance(kind, str)]
    own = [kind for kind in found if kind.lower() in wanted]
    return own + _types(data.get("@graph", []), wanted, depth + 1)


def tree_size(page: Selector) -> int:
    """The nodes of the parsed tree that are not text: elements, comments and processing
    instructions, as many as ``page.root.iter()`` gives, counted by libxml2 rather than by a
    Python loop over every element (it ran on the reactor for every article)."""
    return int(page.root.xpath("count(descendant-or-self::node()) - count(descendant::text())"))
