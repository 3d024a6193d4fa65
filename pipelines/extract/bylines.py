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
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cache, partial
from urllib.parse import urlsplit

from lxml import etree
from lxml.html import HtmlElement

from pipelines.extract.authors import clean_authors
from pipelines.extract.metadata import PageMetadata, as_list
from pipelines.extract.titles import SiteNames

__all__ = ["AuthorLinks", "Byline", "read_byline", "visible_byline"]

_ITEMPROP_AUTHOR = etree.XPath("//*[@itemprop='author']")
_LABELS = ("Autor", "Autorin", "Autorin/Autor", "Autoren", "Author", "Authors", "Auteur", "作者")
_LABEL_TAGS = frozenset({"strong", "b", "dt", "th", "span"})
_BY_WORDS = ("By", "Submitted by", "Posted by", "Written by")
_BY_TAGS = frozenset({"p", "div", "span", "font", "li"})
_EDITOR = r"[(\uff08]?(?:责编|责任编辑)\uff1a"  # the editor in charge, on Chinese sites
_BY_START = re.compile(r"(?:By|Submitted by|Posted by|Written by)\s|" + _EDITOR)
_BY_MAX = 120  # a byline is a short line; a paragraph opening with "By" is text
# One pass over the text finds both kinds of written byline: a label alone in its element
# ("<strong>Autor</strong>") and a line opening with "By" (or a Chinese editor's label). A regex
# on each text and tail costs a third of what an XPath testing normalize-space() per clause does.
_BYLINE_TEXT = re.compile(
    r"\s*(?:" + "|".join(map(re.escape, (*_BY_WORDS, *_LABELS))) + f"|{_EDITOR})"
)
_AUTHOR_PAGE = re.compile(
    r"/(?:autor(?:en|in|e|i|es)?|authors?|auteurs?|forfatter|journalist(?:en)?)/[^/?#\s]",
    re.IGNORECASE,
)
_BLOCKS = frozenset({"p", "div", "li", "ul", "ol", "dd", "td", "header", "section", "address"})
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
    links = cache(partial(AuthorLinks.of, page.anchors))
    authors = _with_cosigners(clean(people, entries=True), clean(links().named()))
    authors = authors or clean(organisations, entries=True)
    if not authors:
        metas = [page.meta(key) or "" for key in _META_KEYS]  # the first: later ones are credits
        authors = clean(
            value for value in metas if not urlsplit(value).scheme and not sites.mentioned(value)
        )
    if not authors:
        authors = clean(visible_byline(tree, links(), page.itemprop("author")))
    if not authors:
        authors = clean((guess() or "").split(";"))
    own = [name for name in organisations if sites.names(name)]
    publisher = next(iter([*page.publisher_names(), *own]), None)
    return Byline(authors, publisher)


def _with_cosigners(listed: tuple[str, ...], shown: tuple[str, ...]) -> tuple[str, ...]:
    """The byline's names when it shows every listed author and more: structured data often
    names only the first of several authors the page credits."""
    if not listed:
        return listed
    if len(shown) > len(listed) and {n.casefold() for n in listed} <= {n.casefold() for n in shown}:
        return shown
    return listed


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


@dataclass(frozen=True, slots=True)
class AuthorLinks:
    """The page's links that name an author, found in one pass over its links: ``rel=author``,
    and links to an author's page ("/autoren/max-muster", "/author/jane-doe/")."""

    rel: list[HtmlElement]
    pages: list[HtmlElement]

    @classmethod
    def of(cls, anchors: Iterable[HtmlElement]) -> AuthorLinks:
        """From the page's <a> elements (`PageMetadata.anchors`)."""
        rel, pages = [], []
        for link in anchors:
            if "author" in (link.get("rel") or "").lower().split():
                rel.append(link)
            elif _AUTHOR_PAGE.search(link.get("href") or ""):
                pages.append(link)
        return cls(rel, pages)

    def named(self) -> list[str]:
        """The names of the ``rel=author`` links outside furniture."""
        return [_text(link) for link in self.rel if not _elsewhere(link)]

    def byline(self) -> list[str]:
        """The names of the first byline's author-page links (the links of one block: "von
        <a>Max Muster</a> und <a>Eva Beispiel</a>"), outside furniture."""
        shown = [link for link in self.pages if _text(link) and not _elsewhere(link)]
        if not shown:
            return []
        block = next((a for a in shown[0].iterancestors() if a.tag in _BLOCKS), None)
        return [_text(link) for link in shown if block is None or block in link.iterancestors()]


def visible_byline(
    tree: HtmlElement, links: AuthorLinks | None = None, marked: list[HtmlElement] | None = None
) -> list[str]:
    """Names in the visible byline, outside related-articles blocks and other furniture:
    ``rel=author`` links, ``itemprop=author`` elements, author-page links, a labelled name,
    a line opening with "By". `links` and the `marked` ``itemprop=author`` elements are
    looked up when not given."""
    links = links or AuthorLinks.of(tree.iter("a"))
    linked = links.named()
    if any(linked):
        return linked
    names = []
    for element in _ITEMPROP_AUTHOR(tree) if marked is None else marked:
        if not _elsewhere(element):
            names += [_text(name) for name in element.xpath(".//*[@itemprop='name']") or [element]]
    if any(names):
        return names
    return links.byline() or _written_byline(tree)


def _written_byline(tree: HtmlElement) -> list[str]:
    """A labelled name ("<strong>Autor</strong> Jane Doe"), else a short line opening with "By"
    or a Chinese editor's label."""
    labels, lines = [], []
    for owner in _byline_texts(tree):
        if owner.tag in _LABEL_TAGS and _text(owner).rstrip(":\uff1a") in _LABELS:
            labels.append(owner)
        elif (line := _byline_element(owner)) is not None:
            lines.append(line)
    for label in labels:
        name = _labelled_name(label)
        if name and not _elsewhere(label):
            return [name]
    for line in lines:
        if not _elsewhere(line):
            return [_BYLINE_END.split(_text(line), maxsplit=1)[0]]
    return []


def _byline_texts(tree: HtmlElement) -> Iterator[HtmlElement]:
    """The elements that hold a text opening like a byline or a byline label, in page order."""
    for element in tree.iter():
        if not isinstance(element.tag, str):
            continue  # a comment or a processing instruction
        if element.text and _BYLINE_TEXT.match(element.text):
            yield element
        if element.tail and _BYLINE_TEXT.match(element.tail):
            parent = element.getparent()
            if parent is not None:
                yield parent


def _byline_element(element: HtmlElement) -> HtmlElement | None:
    """The outermost short p/div/span/font/li, from `element` up, whose text opens with "By"."""
    found = None
    for each in (element, *element.iterancestors()):
        text = _text(each)
        if len(text) >= _BY_MAX:
            break
        if not _BY_START.match(text):
            if found is not None:  # text before the byline: the line ends below here
                break
            continue  # "<strong>By</strong>" alone: its line is further up
        if each.tag in _BY_TAGS:
            found = each
    return found


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
