"""What the page's markup says about its text, for the cleanup rules and the candidate checks.

Text alone cannot tell an image caption or a teaser headline from a sentence; the markup can.
`page_context` reads the parsed page once and collects, single-spaced (`textnorm.squash`):

- ``boilerplate_texts``: the text of every element inside a *furniture container*: an element
  whose class or id names a furniture role (related, newsletter, share, author-bio, caption,
  credit, copyright, comments, cookie, advert, breadcrumb, pagination, ...), or a ``figcaption``,
  ``aside``, ``nav``, ``footer``, ``form``, ``button`` or ``label``; and the text inside *teaser
  cards*: two or more sibling elements of one kind whose text is mostly a link to another page
  (a related rail, a "latest news" list). A container that holds the headline (``h1``), is the
  ``article``/``main``/``body`` itself, or holds 40% or more of the page's paragraph text is
  never furniture, so a site that puts "share-enabled" on its article body loses nothing.
- ``link_texts``: anchor texts of three or more words that lead to another page. A line that is
  nothing but such a link is a teaser; a sentence with a link in it is longer than the link.
- ``paragraph_chars``: the length of the paragraph text outside furniture, hidden elements
  (``hidden``, ``display:none``, ``visibility:hidden``, ``noscript``, ``template``: a login
  dialog's templates), links and list items (a ``<p>`` inside an ``<a>``, ``<li>`` or ``<dd>``
  is a teaser card's summary or a ranking entry, not running prose): what an extraction of the
  whole article should come close to (`pipelines.extract.candidates` uses it to spot a cut).
  ``paragraphs`` holds those paragraphs.

A line is dropped for these only when it equals one of the texts as a whole, never for sharing
words with one; and never when the page also shows it as content (`_shown_as_content`: a
paragraph or heading of four words or more outside furniture, mostly not a link), so a lead
that a teaser rail or a caption repeats, or live-blog headings a side rail links, stay.
Collapsible boxes (``expandable-box``, people boxes) are furniture; "promoted" alone (a slide's
id) is not, "promoted stories" is.
"""

from __future__ import annotations

import functools
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urldefrag

from lxml.html import HtmlElement

from pipelines.extract.markup import is_hidden, linked_chars, name_words
from pipelines.extract.pagelinks import links_elsewhere
from pipelines.extract.textnorm import squash

__all__ = ["PageContext", "page_context"]

# Class and id names split into lower-case words on anything but letters and digits; a name is
# furniture when a word, a run of words or a word's start is listed here.
_FURNITURE_WORDS = frozenset(
    str.split(
        """related relatedposts trending popular outbrain taboola newsletter newsletters subscribe
    subscription signup social bio caption credit credits copyright comment comments commentlist
    respond cookie cookies consent gdpr ad ads adslot breadcrumb breadcrumbs tags taglist
    pagination pager readmore morestories mostread mostpopular mostviewed authorbio authorbox
    aboutauthor"""
    )
)
# ... or when a run of words, or the start of a word, is one of these
_FURNITURE_PATTERN = re.compile(
    r"(?:^| )(?:related|recirc|recommend|promo(?!ted(?: |$))|share|disqus|advert|sponsor"
    r"|promoted (?:stories|links|content|posts|articles)"
    r"|(?:read more|more stories|most read|most popular|most viewed|sign up|author bio"
    r"|author box|author info|author card|about author|about the author|app banner"
    r"|app download|app promo|ad slot|tag list|screen reader text|sr only|visually hidden"
    r"|expandable box|collapsible box|people box|person box)"
    r"(?: |$))"
)
_FURNITURE_TAGS = frozenset({"figcaption", "aside", "footer"})
_NEVER_FURNITURE = frozenset({"html", "body", "main", "article"})
_NOT_CARDS = frozenset(
    {"p", "span", "a", "em", "strong", "b", "i", "br", "img", "td", "th", "tr", "option"}
)
_CONTENT_BLOCKS = ("p", "h2", "h3", "h4", "h5", "h6")
_CONTENT_LINK_SHARE = 0.5  # a paragraph or heading with less of its text linked is content
_CONTENT_MIN_WORDS = 4  # ... when it is a sentence or a headline, not a name or a label
_SKIPPED = frozenset({"script", "style", "noscript", "template", "svg"})
_CONTAINER_SHARE = 0.4  # a container with this share of the paragraph text is content
_CARD_LINK_SHARE = 0.25  # a card's text is at least this much link (headline + summary)
_CARD_MAX_CHARS = 600
_MAX_LINE_CHARS = 2000


@dataclass(frozen=True, slots=True)
class PageContext:
    title: str | None = None
    authors: tuple[str, ...] = ()
    boilerplate_texts: frozenset[str] = frozenset()
    link_texts: frozenset[str] = frozenset()
    paragraph_chars: int = 0
    # text of each <p> outside furniture, in document order (for the sibling check)
    paragraphs: tuple[tuple[HtmlElement, str], ...] = ()


# Elements that can hold a block of furniture: inside <body>, with a class or an id, and no icon,
# link, input or inline mark-up; and every figcaption, aside and footer.
_NOT_MARKED = frozenset(
    str.split("a i img svg path input button option script style em strong b source picture time")
)


_UNSEEN_TAGS = frozenset({"a", "li", "dd", "dt", "noscript", "template"})  # links, list items


def page_context(
    tree: HtmlElement, url: str, *, title: str | None = None, authors: Iterable[str] = ()
) -> PageContext:
    page = urldefrag(url)[0]
    # Every element once, in document order. The list also keeps lxml's Python proxies alive, so
    # the walks below reuse them instead of building new ones (lxml.html's class lookup is Python).
    elements = list(tree.getroottree().getroot().iter())
    paragraphs = [(p, p.text_content()) for p in tree.iter("p")]
    lengths = {p: len(text) for p, text in paragraphs}
    total = sum(lengths.values())
    containers: set[HtmlElement] = set()
    for element in _named_furniture(elements):
        if not _inside(element, containers) and _is_furniture(element, lengths, total):
            containers.add(element)
    links = list(links_elsewhere(tree, page))
    containers.update(card for card in _teaser_cards(links, page) if not _inside(card, containers))
    furniture: set[str] = set()
    for container in containers:
        _collect(container, furniture)
    kept = [(p, squash(text)) for p, text in _prose(paragraphs, containers)]
    shown = _shown_as_content(tree, containers)
    return PageContext(
        title=title,
        authors=tuple(authors),
        boilerplate_texts=frozenset(furniture - shown),
        link_texts=frozenset(text for _, text in links) - shown,
        paragraph_chars=sum(len(text) for _, text in kept),
        paragraphs=tuple(kept),
    )


def _named_furniture(elements: list[HtmlElement]) -> Iterable[HtmlElement]:
    """In document order, the elements that name a furniture role: a furniture tag anywhere, or
    inside <body> a class or id that names one (`_names_furniture`) on an element that can hold
    a block (`_NOT_MARKED`). One walk over the list: four times cheaper than an XPath union."""
    in_body = {node for body in elements if body.tag == "body" for node in body.iterdescendants()}
    for element in elements:
        tag = element.tag
        if tag in _FURNITURE_TAGS:
            yield element
        elif isinstance(tag, str) and tag not in _NOT_MARKED and tag not in _NEVER_FURNITURE:
            klass, ident = element.get("class"), element.get("id")
            named = klass is not None or ident is not None
            if named and element in in_body and _names_furniture(f"{klass or ''} {ident or ''}"):
                yield element


def _shown_as_content(tree: HtmlElement, containers: set[HtmlElement]) -> set[str]:
    """Texts the page shows as article content: a paragraph or heading of four words or more,
    outside furniture, that is mostly not a link. A teaser rail or a caption that repeats the
    lead, or a side rail that links the live blog's headings, does not make those lines
    boilerplate."""
    shown: set[str] = set()
    for element in tree.iter(*_CONTENT_BLOCKS):
        text = squash(element.text_content())
        if len(text.split()) < _CONTENT_MIN_WORDS or _inside(element, containers):
            continue
        if any(ancestor.tag == "a" for ancestor in element.iterancestors()):
            continue
        if linked_chars(element) < _CONTENT_LINK_SHARE * len(text):
            shown.add(text)
    return shown


def _prose(
    paragraphs: list[tuple[HtmlElement, str]], containers: set[HtmlElement]
) -> Iterable[tuple[HtmlElement, str]]:
    """The paragraphs a reader sees as running prose: not inside furniture, a link, a list item
    or a hidden element.
    Each element is judged once (`verdicts`): paragraphs share their ancestors."""
    verdicts: dict[HtmlElement, bool] = {}
    for paragraph, text in paragraphs:
        chain, node, excluded = [], paragraph, False
        while node is not None:
            if node in verdicts:
                excluded = verdicts[node]
                break
            chain.append(node)
            if node in containers or _unseen(node):
                excluded = True
                break
            node = node.getparent()
        verdicts.update(dict.fromkeys(chain, excluded))
        if not excluded:
            yield paragraph, text


def _unseen(element: HtmlElement) -> bool:
    """A link, a list item, or an element the reader does not see (`is_hidden`, ``noscript``,
    ``template``)."""
    return element.tag in _UNSEEN_TAGS or is_hidden(element)


def _inside(element: HtmlElement, containers: set[HtmlElement]) -> bool:
    return bool(containers) and any(
        node in containers for node in (element, *element.iterancestors())
    )


def _is_furniture(element: HtmlElement, lengths: dict[HtmlElement, int], total: int) -> bool:
    """A furniture-named element (`_named_furniture`) that holds neither the headline nor a
    large share of the page's paragraph text (`lengths`: each <p>'s text length)."""
    if element.find(".//h1") is not None:
        return False
    inside = sum(lengths.get(p, 0) for p in element.iter("p"))
    return inside < _CONTAINER_SHARE * total or inside == 0


@functools.lru_cache(maxsize=4096)  # templates repeat a few hundred class names thousands of times
def _names_furniture(names: str) -> bool:
    tokens = name_words(names)
    return bool(_FURNITURE_WORDS.intersection(tokens)) or bool(
        _FURNITURE_PATTERN.search(" ".join(tokens))
    )


def _collect(container: HtmlElement, into: set[str]) -> None:
    seen: set[str] = set()
    for element in container.iter():
        if isinstance(element.tag, str) and element.tag not in _SKIPPED:
            raw = element.text_content()
            # a lone child has its parent's text: fold it once; a text longer than any caption,
            # bio or teaser is a whole block of furniture, never one line of output
            if raw not in seen and len(raw) <= _MAX_LINE_CHARS:
                seen.add(raw)
                text = squash(raw)
                if text:
                    into.add(text)


def _teaser_cards(links: list[tuple[HtmlElement, str]], page: str) -> list[HtmlElement]:
    """Teaser rails: 2+ siblings with one tag and class, each short and mostly a link to
    another page. Each link's nearest such ancestor (up to three levels) is its card."""
    # Keyed by the parent element itself, which the key keeps alive: an lxml element's id() is
    # the address of a short-lived proxy, reused once it is freed, and would merge unrelated rails.
    groups: defaultdict[tuple[HtmlElement, str, str], list[HtmlElement]] = defaultdict(list)
    for link, text in links:
        card = _card_of(link, len(text))
        parent = card.getparent() if card is not None else None
        if card is not None and parent is not None:
            key = (parent, card.tag, card.get("class") or "")
            if not any(member is card for member in groups[key]):
                groups[key].append(card)
    cards: list[HtmlElement] = []
    for (parent, tag, klass), members in groups.items():
        kin = [c for c in parent if c.tag == tag and (c.get("class") or "") == klass]
        if len(members) >= 2 and len(members) == len(kin):
            cards.extend(members)
    return cards


def _card_of(link: HtmlElement, link_chars: int) -> HtmlElement | None:
    """The link's nearest ancestor (up to three levels) that repeats: a sibling has its tag and
    class. It must be short and at least a quarter link, or the link is no teaser."""
    for level, element in enumerate(link.iterancestors()):
        if level >= 3 or element.tag in _NEVER_FURNITURE:
            return None
        parent = element.getparent()
        if element.tag in _NOT_CARDS or parent is None or len(parent) < 2:
            continue
        kind = (element.tag, element.get("class"))
        if not any(s is not element and (s.tag, s.get("class")) == kind for s in parent):
            continue
        text = " ".join(element.text_content().split())
        if len(text) > _CARD_MAX_CHARS or link_chars < _CARD_LINK_SHARE * len(text):
            return None
        return element
    return None
