"""Whether a page's content is an article, whatever its markup: pure functions of the lxml tree.

The page is read once, in document order, as a sequence of events: a *prose* paragraph (a
``<p>``, or a leaf block of text, of at least `MIN_PARAGRAPH_WORDS` words with less than half of
them in links), a *link* (an anchor of two words or more outside prose: a teaser headline, a
menu entry, a card), or an *image*. The page's main text is the run of events with the best
score: the words of its prose paragraphs, less `LINK_COST` for each link and `IMAGE_COST` for
each image inside the run (Kadane's maximum subarray). An article's paragraphs follow one
another with at most a figure or an inline "read also" between them; a front's, section's,
tag's, author's or search page's short teasers each sit between two headline links, and a
gallery's captions between two images, so their best run stays short. A list item or card
that starts with a linked headline of three words or more is a teaser: one link, its blurb not
prose (unless it runs to `TEASER_WORDS`).

Two facts about the run come with it: the furniture box it sits in, if any (an author bio, a
section's or tag's description, SEO text: `_FURNITURE`), and the words of teasers and other
prose between the last ``<h1>`` before it and it (`Prose.after`: an article's text follows its
headline; a section front's closing text follows a listing).

Navigation, headers, footers, asides, forms and code are not read for prose. Words are ``\\w+``
tokens; a run of Chinese or Japanese script counts one word per two characters.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any

from lxml import etree

MIN_PARAGRAPH_WORDS = 10
LINK_COST = 40
IMAGE_COST = 40
# A block that starts with a linked headline is a teaser unless the rest is this long.
TEASER_WORDS = 60
# Not read for prose: what is never an article's text.
SKIPPED = frozenset(
    {
        "script",
        "style",
        "noscript",
        "template",
        "svg",
        "iframe",
        "nav",
        "header",
        "footer",
        "aside",
        "form",
        "select",
        "button",
        "textarea",
        "head",
        "title",
        "figcaption",
    }
)
# Elements that make a block: one holding any of them is read through, not as one paragraph.
BLOCKS = frozenset(
    {
        "p",
        "div",
        "section",
        "article",
        "main",
        "ul",
        "ol",
        "li",
        "table",
        "tr",
        "td",
        "dl",
        "dd",
        "dt",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "blockquote",
        "figure",
        "header",
        "footer",
        "nav",
        "aside",
        "form",
    }
)
HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_LOWER = "translate({}, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')"
_NAME = _LOWER.format("concat(' ', @property, ' ', @name, ' ', @itemprop)")
_CLASS = "concat(@class, ' ', @id)"
# A publication date, cheapest test first: the meta tags, itemprop, <time datetime> outside a
# teaser link.
DATE_XPATHS = (
    f"boolean(//meta[@content][contains({_NAME}, 'publish') or contains({_NAME}, 'pubdate')"
    f" or contains({_NAME}, ' date') or contains({_NAME}, 'dc.date')"
    f" or contains({_NAME}, 'dcterms.created')])",
    "boolean(//*[@itemprop='datePublished'])",
    "boolean(//time[@datetime][not(ancestor::a)])",
)
# A byline: author meta tags, rel=author, itemprop=author, a byline or author element (class or
# id, in lower, capitalised or upper case).
BYLINE_XPATHS = (
    f"boolean(//meta[normalize-space(@content)][contains({_NAME}, ' author')"
    f" or contains({_NAME}, 'article:author') or contains({_NAME}, 'dc.creator')])",
    "boolean(//a[contains(concat(' ', @rel, ' '), ' author ')] | //*[@itemprop='author'])",
    f"boolean(//*[@class or @id][contains({_CLASS}, 'yline') or contains({_CLASS}, 'YLINE')"
    f" or contains({_CLASS}, 'uthor') or contains({_CLASS}, 'UTHOR')]"
    "[not(ancestor::nav)][normalize-space()])",
)
# Boxes of text that are not an article's: author bios and profiles, the description of a
# section, tag or category (WordPress's archive-description, term-description ...), SEO text.
_FURNITURE = re.compile(
    r"author[-_]?(?:bio|box|info|profile|description|details)|(?:^|[\s_-])(?:bio|profile)"
    r"(?:$|[\s_-])|(?:archive|term|taxonomy|category|section|tag)[-_]?(?:description|intro)"
    r"|seo(?:$|[\s_-])",
    re.IGNORECASE,
)
_WORD = re.compile(r"\w+")
# Scripts written without spaces between words: Han, Hiragana, Katakana, Thai.
_UNSPACED = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\u0e00-\u0e7f]")


Event = tuple[str, int, etree._Element]  # kind ("prose", "link", "image"), words, element


@dataclass(frozen=True, slots=True)
class Prose:
    """The page's main run of prose."""

    words: int  # the words of its paragraphs
    paragraphs: int
    links: int  # links and images inside the run
    furniture: str | None = None  # the class of the box it sits in, if it is a furniture box
    after: int = 0  # words of teasers and other prose between the headline and the run

    def signal(self) -> str:
        where = f" in box {self.furniture}" if self.furniture else ""
        return f"prose:{self.words} words in {self.paragraphs} paragraphs{where}"


def words(text: str) -> int:
    """``\\w+`` tokens; Han, Kana and Thai characters count one word per two."""
    count = 0
    for token in _WORD.findall(text):
        unspaced = len(_UNSPACED.findall(token))
        count += 1 if not unspaced else max(1, (unspaced + 1) // 2) + (len(token) > unspaced)
    return count


def _text(element: etree._Element) -> str:
    return " ".join(element.itertext())


def _tag(element: etree._Element) -> str:
    tag = element.tag
    return tag.lower() if isinstance(tag, str) else ""


def _is_leaf_block(element: etree._Element) -> bool:
    return not any(_tag(child) in BLOCKS for child in element.iterdescendants())


def _paragraph(element: etree._Element, in_link: bool) -> list[tuple[str, int]]:
    """A leaf block's events: ("prose", words), ("link", words), both (a teaser) or none."""
    total = words(_text(element))
    linked = total if in_link else sum(words(_text(a)) for a in element.iter("a"))
    if total >= MIN_PARAGRAPH_WORDS and linked * 2 < total and _tag(element) not in HEADINGS:
        lead = _leading_link(element) if _tag(element) != "p" else None
        if lead is not None and words(_text(lead)) >= 3:  # a teaser: a headline, then a blurb
            rest = total - linked
            return (
                [("link", linked), ("prose", rest)] if rest >= TEASER_WORDS else [("link", total)]
            )
        return [("prose", total)]
    return [("link", total)] if linked >= 2 else []


def _leading_link(element: etree._Element) -> etree._Element | None:
    """The link the block's text starts with, if it starts with one."""
    while not (element.text or "").strip():
        children = [child for child in element if _tag(child)]
        if not children:
            return None
        element = children[0]
        if _tag(element) == "a":
            return element
    return None


def events(root: etree._Element) -> list[Event]:
    """The page's prose, link and image events, in document order."""
    out: list[Event] = []
    stack: list[tuple[etree._Element, bool]] = [(root, False)]
    while stack:
        element, in_link = stack.pop()
        tag = _tag(element)
        if tag == "h1" or (tag == "header" and element.find(".//h1") is not None):
            out.append(("headline", 0, element))
        if tag in SKIPPED or not tag:
            continue
        if tag == "img":
            out.append(("image", 0, element))
            continue
        in_link = in_link or tag == "a"
        if tag in BLOCKS or tag == "a":
            if _is_leaf_block(element):
                out.extend((kind, count, element) for kind, count in _paragraph(element, in_link))
                out.extend(("image", 0, image) for image in element.iter("img"))
                continue
            if _own_words(element) >= MIN_PARAGRAPH_WORDS and not in_link:
                # text between <br>s, not in a <p>
                out.append(("prose", _own_words(element), element))
        stack.extend((child, in_link) for child in reversed(element))
    return out


def _own_words(element: etree._Element) -> int:
    """Words of the element's own text and its inline children's, not its blocks'."""
    parts = [element.text or ""]
    for child in element:
        tag = _tag(child)
        if tag and tag not in BLOCKS and tag not in SKIPPED and tag != "a":
            parts.append(_text(child))
        parts.append(child.tail or "")
    return words(" ".join(parts))


def main_prose(root: etree._Element) -> Prose:
    """The best-scoring run of events (see the module's docstring); empty when there is none."""
    found = events(root)
    best, best_score, best_start = Prose(0, 0, 0), 0, 0
    score, start, run_words, paragraphs, links = 0, 0, 0, 0, 0
    for index, (kind, count, _) in enumerate(found):
        if kind == "prose":
            score, run_words, paragraphs = score + count, run_words + count, paragraphs + 1
        elif kind != "headline":
            score -= LINK_COST if kind == "link" else IMAGE_COST
            links += 1
        if score <= 0:
            score, start, run_words, paragraphs, links = 0, index + 1, 0, 0, 0
        elif score > best_score:
            best_score, best_start = score, start
            best = Prose(run_words, paragraphs, links)
    if not best.words:
        return best
    return replace(
        best, furniture=_furniture(found[best_start][2]), after=_after(found[:best_start])
    )


def _after(before: list[Event]) -> int:
    """Words of teasers and prose from the last headline before the run to the run."""
    heads = [index for index, (kind, _, _) in enumerate(before) if kind == "headline"]
    return sum(count for _, count, _ in before[heads[-1] :]) if heads else 0


def _furniture(element: etree._Element | None) -> str | None:
    """The class or id of the furniture box (author bio, section description) that holds
    `element`, if one does."""
    while element is not None:
        names = f"{element.get('class') or ''} {element.get('id') or ''}".split()
        for name in names:
            if _FURNITURE.search(name):
                return name
        element = element.getparent()
    return None


def has_date(root: etree._Element, data: list[Any]) -> bool:
    """Whether the page states a publication date (JSON-LD `data`, then `DATE_XPATHS`)."""
    if any(_json_ld_has(value, "datePublished") for value in data):
        return True
    return any(root.xpath(xpath) for xpath in DATE_XPATHS)


def has_byline(root: etree._Element, data: list[Any]) -> bool:
    """Whether the page names an author (JSON-LD `data`, then `BYLINE_XPATHS`)."""
    if any(_json_ld_has(value, "author") for value in data):
        return True
    return any(root.xpath(xpath) for xpath in BYLINE_XPATHS)


def _json_ld_has(data: Any, key: str, depth: int = 0) -> bool:
    if depth > 4:
        return False
    if isinstance(data, list):
        return any(_json_ld_has(item, key, depth + 1) for item in data)
    if not isinstance(data, dict):
        return False
    return bool(data.get(key)) or _json_ld_has(data.get("@graph", []), key, depth + 1)
