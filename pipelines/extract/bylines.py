"""Who wrote the article, and who published it: the page's own byline, cleaned.

The first of these sources that yields a name after `pipelines.extract.authors.clean_authors`:

1. the article's JSON-LD ``author`` people, then its JSON-LD organisations (an agency: "dpa");
2. the author meta tags (``author``, ``article:author``, ``parsely-author``, ``dc.creator``,
   ``citation_author``);
3. the visible byline: ``rel=author`` links, ``itemprop=author`` elements, a labelled line
   ("<strong>Autor</strong> ...", "<dt>Author</dt><dd>...</dd>"), or a short line that opens
   with "By"; names in a related-articles block, a teaser rail or the navigation are other
   articles' bylines and are skipped;
4. trafilatura's guess.

The site's own name (`pipelines.extract.titles.SiteNames`: og:site_name, the JSON-LD publisher,
the host, their initials) is never an author: it becomes the ``publisher``, with the JSON-LD
publisher's name first. Category labels of the page are never authors either.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from urllib.parse import urlsplit

from lxml import etree
from lxml.html import HtmlElement

from pipelines.extract.authors import clean_authors
from pipelines.extract.metadata import PageMetadata, as_list
from pipelines.extract.titles import SiteNames

__all__ = ["Byline", "read_byline"]

_REL_AUTHOR = etree.XPath("//a[contains(concat(' ', normalize-space(@rel), ' '), ' author ')]")
_ITEMPROP_AUTHOR = etree.XPath("//*[@itemprop='author']")
_LABELS = ("Autor", "Autorin", "Autorin/Autor", "Autoren", "Author", "Authors", "Auteur")
_LABEL_TESTS = [f"normalize-space(.)='{label}{colon}'" for label in _LABELS for colon in ("", ":")]
_LABELLED = etree.XPath(
    "//*[self::strong or self::b or self::dt or self::th or self::span]"
    f"[{' or '.join(_LABEL_TESTS)}]"
)
_BY_LINE = etree.XPath(
    "//*[self::p or self::div or self::span or self::font or self::li]"
    "[string-length(normalize-space(.)) < 120][starts-with(normalize-space(.), 'By ')"
    " or starts-with(normalize-space(.), 'Submitted by ') or starts-with(normalize-space(.), "
    "'Posted by ') or starts-with(normalize-space(.), 'Written by ')]"
)
_BYLINE_END = re.compile(r"\s{2,}|[|\u00b7\u2022\u2014\u2013\d]|\s-\s|\bon\b|\bupdated\b", re.I)
_META_KEYS = ("author", "article:author", "parsely-author", "dc.creator", "citation_author")
_ELSEWHERE = re.compile(
    r"related|recirc|recommend|teaser|trending|popular|outbrain|taboola|more-?stories"
    r"|most-?read|read-?more|further|weitere|empfehlung|lesetipp|^nav|-nav\b",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class Byline:
    authors: tuple[str, ...]
    publisher: str | None


def read_byline(
    page: PageMetadata, tree: HtmlElement, sites: SiteNames, guess: Callable[[], str | None]
) -> Byline:
    """The article's authors and publisher (see the module's docstring)."""
    people, organisations = _json_ld_authors(page)
    clean = partial(clean_authors, is_site=sites.names, labels=page.categories())
    authors = clean(people) or clean(organisations)
    if not authors:
        metas = [page.meta(key) or "" for key in _META_KEYS]  # the first: later ones are credits
        authors = clean(
            value for value in metas if not urlsplit(value).scheme and not sites.mentioned(value)
        )
    if not authors:
        authors = clean(visible_byline(tree))
    if not authors:
        authors = clean((guess() or "").split(";"))
    own = [name for name in organisations if sites.names(name)]
    publisher = next(iter([*page.publisher_names(), *own]), None)
    return Byline(authors, publisher)


def _json_ld_authors(page: PageMetadata) -> tuple[list[str], list[str]]:
    people: list[str] = []
    organisations: list[str] = []
    for entry in as_list(page.json_ld("author")):
        node = page.node(entry)
        if isinstance(node, str):
            people.append(node)
        elif isinstance(node, dict) and isinstance(node.get("name"), str):
            kind = as_list(node.get("@type"))
            (organisations if "Organization" in kind else people).append(node["name"])
    return people, organisations


def visible_byline(tree: HtmlElement) -> list[str]:
    """Names in the visible byline, outside related-articles blocks and other furniture."""
    linked = [_text(link) for link in _REL_AUTHOR(tree) if not _elsewhere(link)]
    if any(linked):
        return linked
    marked = []
    for element in _ITEMPROP_AUTHOR(tree):
        if not _elsewhere(element):
            names = element.xpath(".//*[@itemprop='name']") or [element]
            marked += [_text(name) for name in names]
    if any(marked):
        return marked
    for label in _LABELLED(tree):
        name = _labelled_name(label)
        if name and not _elsewhere(label):
            return [name]
    for element in _BY_LINE(tree):
        if not _elsewhere(element):
            return [_BYLINE_END.split(_text(element), maxsplit=1)[0]]
    return []


def _labelled_name(label: HtmlElement) -> str | None:
    """ "<strong>Autor</strong> Jane Doe" or "<dt>Author</dt><dd>Jane Doe</dd>"."""
    following = label.getnext()
    if label.tag == "dt" and following is not None:
        return _text(following) or None
    parent = label.getparent()
    if parent is None:
        return None
    rest = _text(parent)[len(_text(label)) :].strip(" :")
    return rest if 0 < len(rest) < 80 and _text(parent).startswith(_text(label)) else None


def _elsewhere(element: HtmlElement) -> bool:
    """Inside a related-articles block, a teaser rail or the navigation."""
    for ancestor in element.iterancestors():
        names = f"{ancestor.get('class') or ''} {ancestor.get('id') or ''}"
        if ancestor.tag == "nav" or any(map(_ELSEWHERE.search, names.split())):
            return True
    return False


def _text(element: HtmlElement) -> str:
    return " ".join(element.text_content().split())
