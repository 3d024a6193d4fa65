"""The standfirst: the summary a news page shows under its headline, as the article's first line.

Extractors read the article's body container, and most sites set the standfirst (dek, lead,
strapline, teaser text) outside it, in the header under the ``<h1>``; the record then lost its
first paragraph (45 of news-dev's 124 pages). `with_standfirst` puts it before the extracted
lines when they do not hold it yet. An element is the standfirst when

- it comes after the page's first ``<h1>`` and before the element that sets the article's first
  extracted line (a paragraph that begins with it; a label line, "Kort fortalt", is skipped),
  and is not one that holds that line;
- the reader sees it: not inside a link, code, a heading's span, ``nav``, ``aside``,
  ``footer``, ``figure``, ``form`` or a hidden element (`pagecontext.is_hidden`), not mostly
  link text, not the text of a furniture element (`PageContext.boilerplate_texts`); and it is a
  sentence or more (`_MIN_CHARS`), not a whole article (`_MAX_CHARS`);
- and either its text is the page's own description (``og:description``, ``description``,
  ``twitter:description`` or the JSON-LD article's ``description``: the publisher's word that
  this is the summary), or its class or id names a standfirst (`_NAMED_WORDS`: "standfirst",
  "dek", "lead", "intro", "excerpt", "strapline", "subtitle", "summary"; `_NAMED_RUNS`:
  "teaser-text", "sub-title", "article-lead", ...).

The first element that qualifies, in page order, wins; none, no change. A description that the
page does not show under its headline is not added (the record's ``description`` holds it).
The walk reads only the elements between the ``<h1>`` and that first paragraph, found among
the page's paragraphs (`PageContext.paragraphs`): about half a millisecond per page.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from lxml.etree import XPath
from lxml.html import HtmlElement

from pipelines.extract.pagecontext import PageContext, is_hidden
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
_HEADINGS = frozenset({"h2", "h3", "h4", "h5", "h6"})
_NAME_SPLIT = re.compile(r"[^a-z0-9]+")
# Class names of a standfirst, as whole words of a class or id split on anything but letters
# and digits ("c-article-teaser-text" -> ... "teaser", "text"; "hero__excerpt")
_NAMED_WORDS = frozenset(
    {"standfirst", "dek", "lead", "intro", "excerpt", "strapline", "subtitle", "summary"}
)
_NAMED_RUNS = ("teaser text", "sub title", "article lead", "lead text", "post dek")


def with_standfirst(
    lines: Sequence[str], tree: HtmlElement, descriptions: Iterable[str | None], page: PageContext
) -> list[str]:
    """`lines` with the page's standfirst (`standfirst`) first, when they lack it."""
    found = standfirst(tree, lines, descriptions, page)
    return [*lines] if found is None else [found, *lines]


def standfirst(
    tree: HtmlElement, lines: Sequence[str], descriptions: Iterable[str | None], page: PageContext
) -> str | None:
    """The text of the page's standfirst (see the module's docstring), or None when the page
    shows none between its headline and the article's first line, or `lines` hold it already.

    Written to cost little on a page of thousands of elements: the first line is looked up
    among the page's paragraphs (`PageContext.paragraphs`), and only the elements between the
    ``<h1>`` and that paragraph are read."""
    anchor = _first_paragraph(tree, lines, page)
    headline = tree.find(".//h1")
    if anchor is None or headline is None:
        return None  # no order to go by
    summaries = {fold(squash(text)) for text in descriptions if text and len(text) >= _MIN_CHARS}
    holders = set(anchor.iterancestors())
    started = False
    for element in _common(headline, anchor).iter():
        if element is headline:
            started = True
            continue
        if element is anchor:
            return None
        if not started or element in holders or not isinstance(element.tag, str):
            continue
        if element.tag in _SKIPPED or len(raw := element.text_content()) < _MIN_CHARS:
            continue
        text = squash(raw)
        if len(text) > _MAX_CHARS or not (fold(text) in summaries or _named(element)):
            continue
        if _unseen(element) or _linked(element, text) or text in page.boilerplate_texts:
            continue
        return None if _held(fold(text), lines) else text
    return None


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
        for part in (" ".join(words)[:_PREFIX_CHARS], " ".join(words[3:])[:_PREFIX_CHARS]):
            for node in _TEXT_HOLDING(tree, part=part) if len(part) >= _MIN_CHARS else ():
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


def _common(first: HtmlElement, second: HtmlElement) -> HtmlElement:
    """The lowest element that holds both."""
    ancestors = {first, *first.iterancestors()}
    for node in (second, *second.iterancestors()):
        if node in ancestors:
            return node
    return first.getroottree().getroot()


def _unseen(element: HtmlElement) -> bool:
    """The reader does not see the element as text: it is inside a link, code, a hidden or a
    furniture tag (`_SKIPPED`), or hidden itself."""
    return any(
        node.tag in _SKIPPED or is_hidden(node) for node in (element, *element.iterancestors())
    )


def _linked(element: HtmlElement, text: str) -> bool:
    """Half the element's text or more is link text: a teaser, not a summary."""
    linked = sum(len(squash(link.text_content())) for link in element.iter("a"))
    return 2 * linked >= len(text)


def _named(element: HtmlElement) -> bool:
    """The element's class or id names a standfirst, and it is no part of a heading (a title's
    second half in a span: "Eisheiligen 2024" + "Wann sie sind - und wie das Wetter wird")."""
    if any(node.tag in _HEADINGS for node in element.iterancestors()):
        return False
    words = _NAME_SPLIT.split(f"{element.get('class', '')} {element.get('id', '')}".lower())
    if _NAMED_WORDS.intersection(words):
        return True
    joined = " ".join(word for word in words if word)
    return any(run in joined for run in _NAMED_RUNS)


def _held(key: str, lines: Sequence[str]) -> bool:
    """The extracted lines hold the standfirst already, as a line or the start of one."""
    for line in lines[:8]:
        folded = fold(line)
        if folded.startswith(key) or (len(folded) >= _MIN_CHARS and key.startswith(folded)):
            return True
    return False
