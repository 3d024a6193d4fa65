"""Which links of a page to follow: pure functions of its parsed HTML.

Related links are the links of an article's related / "read more" blocks and the links inside
its body. Tag, author and category links (``rel=tag`` and kin) are not articles and are skipped,
and so are links to images, media and documents (an image's lightbox link, a PDF) and links back
to the page itself.

The spider walks these on the reactor for every front and every article whose related links it
follows, and the extraction worker for every article's record (``crawler.itemlinks``), so the
walk is written to cost little: one walk over the elements finds the related blocks and the body
container, and each href resolved once (``_resolved`` keeps the last pages'
answers: the related links are a subset of all links, resolved just before).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from urllib.parse import unquote_to_bytes, urljoin, urlsplit

from lxml import etree
from lxml.html import HtmlElement
from parsel import Selector
from scrapy.linkextractors import IGNORED_EXTENSIONS
from w3lib.url import canonicalize_url

# Containers of an article's own text, most specific first: (attribute, value), class names
# alone, and the <article> element last.
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
_BODY_CLASSES = tuple(selector[1:] for selector in BODY_SELECTORS if selector.startswith("."))
_BODY_RANKS = {name: 1 + rank for rank, name in enumerate(_BODY_CLASSES)}
_BODY_HINT = re.compile("|".join(re.escape(name) for name in _BODY_CLASSES))  # in a class
_ARTICLE_RANK = len(BODY_SELECTORS) - 1
# Blocks that publishers use for related coverage: a section, div, aside, ul or nav whose class
# or id says so, in any case.
RELATED = re.compile(r"related|read-?more|more-?news|also-?read|recommended|more-?stories", re.I)
_BLOCK_TAGS = frozenset({"section", "div", "aside", "ul", "nav"})
_URL_IGNORED = re.compile(r"[\t\n\r]")
_SPACE = re.compile(r"[ \t\n\r]+")  # XML's whitespace, as normalize-space() takes it
SKIPPED_REL = frozenset({"tag", "author", "category", "nofollow", "ugc", "sponsored"})
# Images, media, archives and office files are not pages (Scrapy's own list).
SKIPPED_EXTENSIONS = tuple(f".{extension}" for extension in IGNORED_EXTENSIONS)


def article_body(page: Selector) -> list[HtmlElement]:
    """The article's text container: the first element of the first of `BODY_SELECTORS` that
    the page has; none when it has none."""
    return _blocks(page.root)[1]


def related_blocks(page: Selector) -> list[HtmlElement]:
    """The page's related blocks (`RELATED`), in page order."""
    return _blocks(page.root)[0]


def _blocks(root: HtmlElement) -> tuple[list[HtmlElement], list[HtmlElement]]:
    """The related blocks and the article body, found in one walk over the page's elements in
    Python: libxml2's ``contains(@class, ...)`` for the body's seven names cost more than the
    walk (2.4 ms a news-dev page against 2 ms for both), and the walk searches each class
    name and id once (`_names_related`, `_hints_body`: 1.7 ms)."""
    related: list[HtmlElement] = []
    body: HtmlElement | None = None
    rank = len(BODY_SELECTORS)  # the body's rank so far; nothing ranks below 0
    # the whole document, as an XPath from the root would: lxml.html may hand out a subtree
    # (the body's only child, for a page without <html> and <head>)
    for element in root.getroottree().getroot().iter(etree.Element):
        klass, ident = element.get("class"), element.get("id")
        named = klass or ident
        if named and element.tag in _BLOCK_TAGS and _is_related(klass, ident):
            related.append(element)
        hinted = klass is not None and _hints_body(klass)
        if rank and (hinted or element.tag == "article" or element.get("itemprop")):
            found = _body_rank(element, klass if hinted else None)
            if found is not None and found < rank:
                body, rank = element, found
    return related, [body] if body is not None else []


# Templates repeat a few hundred class names and ids over a page's thousand elements, and every
# page of a site shares them: each name is searched once. (`RELATED` has no space in it, so a
# class and an id are searched apart as they were together.)
def _is_related(klass: str | None, ident: str | None) -> bool:
    return bool(klass and _names_related(klass)) or bool(ident and _names_related(ident))


@functools.lru_cache(maxsize=4096)
def _names_related(name: str) -> bool:
    return RELATED.search(name) is not None


@functools.lru_cache(maxsize=4096)
def _hints_body(klass: str) -> bool:
    return _BODY_HINT.search(klass) is not None


def _body_rank(element: HtmlElement, klass: str | None) -> int | None:
    """The element's place in `BODY_SELECTORS`; None when it is none of them (a class name that
    only contains one of theirs, "entry-content-wrap")."""
    if element.get("itemprop") == "articleBody":
        return 0
    if klass:
        ranks = [_BODY_RANKS[name] for name in _SPACE.split(klass) if name in _BODY_RANKS]
        if ranks:
            return min(ranks)
    return _ARTICLE_RANK if element.tag == "article" else None


def related_links(page: Selector, base_url: str, limit: int | None = None) -> list[str]:
    """Links of the related blocks and the body, absolute, canonical, in page order, once each;
    the first `limit` of them when a limit is given (a page of 100,000 links is not read on)."""
    related, body = _blocks(page.root)
    blocks = [*related, *body]
    anchors = [anchor for block in blocks for anchor in block.xpath(".//a[@href]")]
    return _urls(anchors, base_url, limit)


def all_links(page: Selector, base_url: str, limit: int | None = None) -> list[str]:
    return _urls(page.root.xpath("//a[@href]"), base_url, limit)


def _urls(anchors: Iterable[HtmlElement], base_url: str, limit: int | None = None) -> list[str]:
    """The links of `anchors` (lxml elements: a parsel Selector for each costs more than the
    walk), each href resolved and checked once however often the page repeats it."""
    seen: dict[str, None] = {}
    checked: set[str] = set()
    for anchor in anchors:
        if limit is not None and len(seen) >= limit:
            break
        rel = anchor.get("rel")
        if rel and not SKIPPED_REL.isdisjoint(rel.lower().split()):
            continue
        href = anchor.get("href", "")
        if href in checked:  # the same href gives the same URL, taken or not
            continue
        checked.add(href)
        url = _resolved(base_url, href)
        if url is not None:
            seen.setdefault(url)
    return list(seen)


# The answers of the last page or two: its related links are resolved just after all its links
# (news-dev's pages have at most 477 distinct hrefs); 8,192 held 3.2 MB in every process.
@functools.lru_cache(maxsize=2048)
def _resolved(base_url: str, href: str) -> str | None:
    """The page `href` leads to from `base_url`, or None when it is not one to follow: not
    http(s), a media file, the page itself, or an invalid URL (bad port, bad IPv6 literal)."""
    # As browsers do (WHATWG URL parsing): tabs and newlines inside an href are dropped.
    href = _URL_IGNORED.sub("", href).strip()
    try:
        url = _joined(base_url, href)
        parts = urlsplit(url)
        if not url.startswith(("http://", "https://")):
            return None
        if parts.path.lower().endswith(SKIPPED_EXTENSIONS):
            return None
        _check_host(parts.scheme, parts.netloc)
        # canonical URLs can be equal only if their unescaped paths are: the cheap test first
        own = (unquote_to_bytes(parts.path) or b"/") == _page(base_url)[1]
        if own and canonicalize_url(url) == canonicalize_url(base_url):
            return None
    except ValueError:
        return None
    return url


def _joined(base_url: str, href: str) -> str:
    """``urljoin(base_url, href)`` without its fragment. Absolute http(s) and root-relative
    hrefs, nine in ten of a news page's links, come back from urljoin as they are (after the
    page's origin): they are taken so when nothing in them asks for its parse and rebuild (dot
    segments, ``;`` parameters, an empty ``?``, a backslash, an empty host)."""
    head = href.partition("#")[0]
    plain = not head.endswith("?") and not any(mark in head for mark in _REBUILT)
    if plain and head.startswith(("http://", "https://")):
        host = head.partition("://")[2][:1]
        if host and host not in "/?":  # a host of its own, not the page's
            return head
    if plain and head.startswith("/") and not head.startswith("//"):
        return _page(base_url)[0] + head
    return urljoin(base_url, href).partition("#")[0]


_REBUILT = ("/.", ";", "\\")


@functools.lru_cache(maxsize=64)
def _page(base_url: str) -> tuple[str, bytes]:
    """The page's origin ("https://host:port") and its unescaped path, split once per page."""
    parts = urlsplit(base_url)
    return f"{parts.scheme}://{parts.netloc}", unquote_to_bytes(parts.path) or b"/"


@functools.lru_cache(maxsize=1024)
def _check_host(scheme: str, netloc: str) -> None:
    """ValueError for a host and port Scrapy would refuse to request (w3lib's checks: a port out
    of range or not a number, a bad IPv6 literal, a host that NFKC turns into delimiters). They
    are checks of the netloc alone, so they are made once per host, not per link."""
    canonicalize_url(f"{scheme}://{netloc}/")
