"""The standfirst: the summary a news page shows under its headline, as the article's first line.

Extractors read the article's body container, and most sites set the standfirst (dek, lead,
strapline, teaser text) outside it, in the header under the ``<h1>``; the record then lost its
first paragraph (45 of news-dev's 124 pages). `with_standfirst` puts it before the extracted
lines when they do not hold it yet. An element is the standfirst when

- it comes after the headline (the ``<h1>`` that shows the title, not a logo's ``<h1>``) and
  before the element that sets the article's first extracted line (a paragraph that begins with
  it; a label line, "Kort fortalt", is skipped), and does not hold that line;
- it is one block of text that the reader sees: no paragraphs, lists, headings, dates, code or
  buttons inside (a box of several things is not one; a plain block that only wraps another is
  read as that one), not inside a link, code, ``nav``, ``aside``, ``footer``, ``figure``,
  ``form`` or a hidden element (`markup.is_hidden`), not mostly link text, not the text of
  a furniture element (`PageContext.boilerplate_texts`), a line the news cleanup keeps
  (`cleanup.rules.clean_lines`: no "Watch: ..." promo), a sentence or more (`_MIN_CHARS`) and no
  whole article (`_MAX_CHARS`); a ``<br>`` in it is a space;
- and either its text is the page's own description (``og:description``, ``description``,
  ``twitter:description`` or the JSON-LD article's ``description``: the publisher's word that
  this is the summary), or its class or id names a standfirst (`_NAMED_WORDS`: "standfirst",
  "dek", "lead", "intro", "excerpt", "strapline", "subtitle", "summary"; `_NAMED_RUNS`:
  "teaser-text", "sub-title", "article-lead", ...) and it is not in a list item (a teaser
  list's summary) or a heading (a title's second half).

The first element that qualifies, in page order, wins; none, no change. A description that the
page does not show under its headline is not added (the record's ``description`` holds it).
One walk from the lowest element holding the headline and the first paragraph leaves out whole
subtrees that cannot hold a standfirst and reads the text only of elements whose class or first
words qualify: about half a millisecond per news-dev page.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from lxml.etree import XPath
from lxml.html import HtmlElement

from pipelines.extract.cleanup.rules import clean_lines
from pipelines.extract.markup import common_ancestor, is_hidden, linked_chars, name_words
from pipelines.extract.pagecontext import PageContext
from pipelines.extract.textnorm import fold, squash

__all__ = ["standfirst", "with_standfirst"]

_MIN_CHARS = 25  # "Blues show season is still alive": a sentence, not a label
_MAX_CHARS = 700  # a standfirst is a paragraph or two, never the article
_PREFIX_CHARS = 40  # how much of a line's start finds the paragraph that sets it
# Never a standfirst, nor anything inside them: links, code, hidden templates, furniture tags
_SKIPPED = frozenset(
    str.split(
        """script style noscript template svg a button figcaption figure nav aside footer form
        label h1"""
    )
)
_LISTS = frozenset({"li", "dd", "dt"})  # inside them, only the description is a standfirst
# Inside a standfirst, none of these: it is one block of text, not a box of several things
_BLOCKS = frozenset(
    str.split(
        """p div ul ol li dl table section article header footer nav aside figure figcaption
        form h1 h2 h3 h4 h5 h6 time script style noscript template button svg video audio
        iframe img picture"""
    )
)
_OPENING_CHARS = 20  # a description's first characters: the cheap test before reading a text
_HEADINGS = frozenset({"h2", "h3", "h4", "h5", "h6"})
# Class names of a standfirst, as whole words of a class or id split on anything but letters
# and digits ("c-article-teaser-text" -> ... "teaser", "text"; "hero__excerpt")
_NAMED_WORDS = frozenset(
    {"standfirst", "dek", "lead", "intro", "excerpt", "strapline", "subtitle", "summary"}
)
_NAMED_RUNS = ("teaser text", "sub title", "article lead", "lead text", "post dek")


def with_standfirst(
    lines: Sequence[str], tree: HtmlElement, descriptions: Iterable[str], page: PageContext
) -> list[str]:
    """`lines` with the page's standfirst (`standfirst`) first, when they lack it."""
    found = standfirst(tree, lines, descriptions, page)
    return list(lines) if found is None else [found, *lines]


def standfirst(
    tree: HtmlElement, lines: Sequence[str], descriptions: Iterable[str], page: PageContext
) -> str | None:
    """The text of the page's standfirst (see the module's docstring), or None when the page
    shows none between its headline and the article's first line, or `lines` hold it already.

    Written to cost little on any page: the first line is looked up among the page's paragraphs
    (`PageContext.paragraphs`); one walk from the lowest element that holds the headline and
    that paragraph leaves out whole subtrees that cannot hold a standfirst, stops at the
    paragraph, and reads the text only of elements whose class or first words qualify."""
    headline = _headline(tree, page.title)
    anchor = _first_paragraph(tree, lines, page) if headline is not None else None
    if anchor is None or headline is None:
        return None  # no order to go by
    summaries = {fold(text) for text in descriptions if len(text) >= _MIN_CHARS}
    openings = {summary[:_OPENING_CHARS] for summary in summaries}
    holders = set(anchor.iterancestors())
    above = set(headline.iterancestors())
    started = False
    stack: list[tuple[HtmlElement, bool]] = [(common_ancestor([headline, anchor]), False)]
    while stack:
        element, listed = stack.pop()
        if element is anchor:
            return None
        if element is headline or (element in above and element.tag in _SKIPPED):
            started = True  # a headline inside a breadcrumb's list item: what follows is after it
            continue
        if not isinstance(element.tag, str) or element.tag in _SKIPPED or is_hidden(element):
            continue  # nor anything inside it
        if started and element not in holders:
            text = _candidate(element, summaries, openings, page, listed)
            if text is not None:
                return None if _held(fold(text), lines) else text
        listed = listed or element.tag in _LISTS
        stack.extend((child, listed) for child in reversed(element))  # children next, in order
    return None


def _candidate(
    element: HtmlElement, summaries: set[str], openings: set[str], page: PageContext, listed: bool
) -> str | None:
    """The element's text when it is a standfirst: named so (not in a list item: a teaser
    list's summary) or opening like a description (the cheap tests first), one block of text
    (no paragraphs, lists, headings, dates, code or buttons inside), a sentence or more but no
    article, not mostly links, no furniture text, and a line the news cleanup keeps; else
    None."""
    named = not listed and _named(element)
    if not named and (not openings or fold(_opening(element))[:_OPENING_CHARS] not in openings):
        return None
    element = _innermost(element)  # <div class="excerpt"><div>...</div></div>
    if any(isinstance(node.tag, str) and node.tag in _BLOCKS for node in element.iterdescendants()):
        return None  # a box of several things: its blocks come next in the walk
    text = _text(element)
    if not _MIN_CHARS <= len(text) <= _MAX_CHARS or not (named or fold(text) in summaries):
        return None
    if 2 * linked_chars(element) >= len(text) or text in page.boilerplate_texts:
        return None
    return text if clean_lines(text, title=page.title, page=page) == [text] else None


def _innermost(element: HtmlElement) -> HtmlElement:
    """The element, or the one block it only wraps (no text of its own around it)."""
    while (
        len(element) == 1
        and not (element.text or "").strip()
        and not (element[0].tail or "").strip()
        and element[0].tag in ("div", "p", "span")
    ):
        element = element[0]
    return element


def _headline(tree: HtmlElement, title: str | None) -> HtmlElement | None:
    """The page's headline element: the <h1> that shows the title (not a logo's <h1>), else
    the first <h1>."""
    headings = list(tree.iter("h1"))
    key = fold(title or "")
    if key:
        for heading in headings:
            if key in fold(heading.text_content()):
                return heading
    return headings[0] if headings else None


def _opening(element: HtmlElement) -> str:
    """The first words of the element's text (its first non-blank text node)."""
    return next((text for text in element.itertext() if text.strip()), "").strip()


def _text(element: HtmlElement) -> str:
    """The element's text, single-spaced, a <br> a space ("A.<br>B." is "A. B.")."""
    parts: list[str] = []

    def walk(node: HtmlElement) -> None:
        parts.append(" " if node.tag == "br" else node.text or "")
        for child in node:
            if isinstance(child.tag, str):
                walk(child)
            parts.append(child.tail or "")

    walk(element)
    return squash("".join(parts))


def _first_paragraph(
    tree: HtmlElement, lines: Sequence[str], page: PageContext
) -> HtmlElement | None:
    """The element that sets the first of `lines` that is long enough to find (a label line,
    "Kort fortalt", is not): a paragraph of the page's prose that begins with it, its links and
    bold lead-ins included ("Mehr als <a>13 Milliarden</a> ..."); else (a list item, a heading)
    the first element whose own text holds its start, or the same from its fourth word (a
    dateline in a node of its own: "<b>DUBLIN</b> — She's ...")."""
    starts = [squash(line) for line in lines[:3]]
    for start in starts:
        part = start[:_PREFIX_CHARS]
        for paragraph, content in page.paragraphs if len(part) >= _MIN_CHARS else ():
            if content.startswith(part):
                return paragraph
    for start in starts:
        words = start.split(" ")
        parts = {start[:_PREFIX_CHARS], " ".join(words[3:])[:_PREFIX_CHARS]}
        for part in sorted((part for part in parts if len(part) >= _MIN_CHARS), key=start.find):
            for node in _TEXT_HOLDING(tree, part=part):
                holder = node.getparent()
                if holder is not None and node.is_tail:
                    holder = holder.getparent()
                if holder is not None:
                    return holder
    return None


# Text nodes of the page (not code) that hold a piece of text
_TEXT_HOLDING = XPath(
    ".//body//text()[contains(., $part)]"
    "[not(parent::script or parent::style or parent::noscript or parent::template)]"
)


def _named(element: HtmlElement) -> bool:
    """The element's class or id names a standfirst, and it is no part of a heading (a title's
    second half in a span: "Eisheiligen 2024" + "Wann sie sind - und wie das Wetter wird")."""
    words = name_words(f"{element.get('class', '')} {element.get('id', '')}")
    if not words:
        return False
    joined = " ".join(words)
    if not (_NAMED_WORDS.intersection(words) or any(run in joined for run in _NAMED_RUNS)):
        return False
    return not any(node.tag in _HEADINGS for node in element.iterancestors())


def _held(key: str, lines: Sequence[str]) -> bool:
    """The extracted lines hold the standfirst already, as a line or the start of one."""
    for line in lines[:8]:
        folded = fold(line)
        if folded.startswith(key) or (len(folded) >= _MIN_CHARS and key.startswith(folded)):
            return True
    return False
