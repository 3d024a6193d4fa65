"""Guards against trafilatura's two failure modes on news pages: a cut article, a worse fallback.

The primary candidate is trafilatura's own extraction *without* its fallback (``fast``), so
that a fallback swap is never taken unseen. Two checks then look for a better text:

- **Siblings.** trafilatura keeps the first element matching its body expressions; an article
  split over sibling containers (``<div class="article-body">`` twice around an advert, several
  ``itemprop=articleBody`` blocks) loses the rest. `sibling_containers` finds the container that
  holds the primary's paragraphs and its siblings of the same kind (same tag, a shared class or
  itemprop) that hold prose the primary lacks; the "trafilatura+siblings" candidate is
  trafilatura run again with those containers merged into one.
- **Short.** When the best so far holds less than `CUT_SHARE` of the page's paragraph text
  outside furniture (`PageContext.paragraph_chars`), or fewer than `SHORT_CHARS` characters,
  "trafilatura-fallback" is made (trafilatura with its own fallback: readability's fork,
  jusText, baseline), and when that is short too, "readability" (readability-lxml, an
  independent second extractor). Pages that need neither pay for neither.

- **JSON.** When even the best of these holds no article (`is_bare`: under `SHORT_CHARS`), the
  page's JSON is read (`pipelines.extract.jsontext`): "json-ld" (``articleBody``) and
  "hydration" (``__NEXT_DATA__`` and other state blobs), chosen by `choose_bare`.

Every candidate is cleaned (`pipelines.extract.cleanup.rules`) and scored::

    score = words kept by the cleanup - words the cleanup removed

so text counts for a candidate and boilerplate it dragged in (teaser headings, timestamps,
captions) counts against it. Lines that render a page-layout table (`is_layout_table_row`: the
navigation and the whole article as cells of one row) count as boilerplate too, and their
presence also makes the primary short. A challenger replaces the current best only when its
score is higher by `MIN_GAIN_WORDS` and by `MIN_GAIN_SHARE`, and it keeps at least `COVERAGE`
of the primary's words, unless the primary is mostly boilerplate itself (a score of zero or
less): a longer text about something else (a comment thread, a teaser grid) never replaces the
article. Ties keep the primary. The winner's name goes into the record as ``text_candidate``.
"""

from __future__ import annotations

import copy
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

import lxml.html
from lxml.html import HtmlElement
from readability import Document as ReadabilityDocument

from pipelines.extract.cleanup.rules import clean_lines
from pipelines.extract.markup import common_ancestor
from pipelines.extract.pagecontext import PageContext
from pipelines.extract.textnorm import squash, words

__all__ = [
    "Candidate",
    "choose",
    "choose_bare",
    "is_bare",
    "is_layout_table_row",
    "is_short",
    "make_candidate",
    "merged_tree",
    "readability_text",
    "sibling_containers",
]

CUT_SHARE = 0.6
SHORT_CHARS = 200  # characters, not words: a word is no unit in Chinese or Japanese
COVERAGE = 0.8
MIN_GAIN_WORDS = 15
MIN_GAIN_SHARE = 0.1
LAYOUT_CELL_WORDS = 30
RUN_TOGETHER_WORDS = 120
_MAX_LEVELS = 3  # how far above the primary's container siblings are looked for
_MIN_UNUSED_CHARS = 80  # prose a sibling must add
_CARD_MAX_CHARS = 600  # a teaser card: a headline and a blurb
_MAX_LINK_SHARE = 0.3  # a sibling that is mostly links is a rail, not the article
_BLOCKS = ("p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "pre", "td", "th", "dd")


@dataclass(frozen=True, slots=True)
class Candidate:
    name: str
    lines: tuple[str, ...]  # after cleanup
    score: int
    word_count: int


def make_candidate(name: str, raw_text: str, page: PageContext) -> Candidate:
    kept = tuple(clean_lines(raw_text, title=page.title, page=page))
    kept_words = sum(len(words(line)) for line in kept)
    layout_words = sum(len(words(line)) for line in kept if is_layout_table_row(line))
    removed_words = max(len(words(raw_text)) - kept_words, 0)
    score = kept_words - layout_words - (removed_words + layout_words)
    return Candidate(name, kept, score, kept_words)


def is_layout_table_row(line: str) -> bool:
    """A row of a table used for page layout, as trafilatura renders tables ("| nav | whole
    article |"): a cell of `LAYOUT_CELL_WORDS` words or more. Data tables have short cells."""
    if not line.startswith("|"):
        return False
    return any(len(cell.split()) >= LAYOUT_CELL_WORDS for cell in line.strip("|").split(" | "))


def is_short(primary: Candidate, page: PageContext) -> bool:
    """The primary may be cut or wrong: few words, little of the page's paragraph text, or a
    page-layout table rendered as a table."""
    chars = sum(len(line) for line in primary.lines)
    if chars < SHORT_CHARS or is_run_together(primary):
        return True
    if any(is_layout_table_row(line) for line in primary.lines):
        return True
    return chars < CUT_SHARE * own_paragraph_chars(primary, page)


def own_paragraph_chars(candidate: Candidate, page: PageContext) -> int:
    """The page's paragraph text outside furniture, less the paragraphs of *other* articles:
    when every paragraph the candidate kept sits in one ``<article>``, a paragraph whose nearest
    ``<article>`` is another one (the next story an endless-scroll page appends, an article
    card) is not text the candidate may have cut. Paragraphs outside any article still count."""
    extracted = {squash(line) for line in candidate.lines}
    homes = {_article_of(p) for p, text in page.paragraphs if text in extracted}
    home = homes.pop() if len(homes) == 1 else None
    if home is None:
        return page.paragraph_chars
    allowed = {None, home, *(a for a in home.iterancestors("article"))}
    return sum(len(text) for p, text in page.paragraphs if _article_of(p) in allowed)


def _article_of(element: HtmlElement) -> HtmlElement | None:
    return next(element.iterancestors("article"), None)


def choose(primary: Candidate, challengers: Iterable[Candidate]) -> Candidate:
    best = primary
    for challenger in challengers:
        gain = challenger.score - best.score
        if gain < MIN_GAIN_WORDS or gain < MIN_GAIN_SHARE * max(best.score, 0):
            continue
        if primary.score <= 0 or coverage(challenger, primary) >= COVERAGE:
            best = challenger
    return best


def is_bare(best: Candidate) -> bool:
    """Even the best HTML candidate holds no article: fewer than `SHORT_CHARS` characters, or
    the whole text run together as one line (`is_run_together`)."""
    return sum(len(line) for line in best.lines) < SHORT_CHARS or is_run_together(best)


def is_run_together(candidate: Candidate) -> bool:
    """One line of `RUN_TOGETHER_WORDS` words or more: trafilatura's baseline rescue read the
    page's text (words fused where blocks met: "SurvivesOne") or a JSON-LD articleBody as one
    block."""
    return len(candidate.lines) == 1 and candidate.word_count >= RUN_TOGETHER_WORDS


def choose_bare(best: Candidate, challengers: Iterable[Candidate]) -> Candidate:
    """For a bare page (`is_bare`): the first challenger that scores `MIN_GAIN_WORDS` more than
    the HTML's few lines (nothing of the article's is there to cover), or, for a run-together
    line, one in lines that scores as much and covers it."""
    for challenger in challengers:
        if challenger.score >= best.score + MIN_GAIN_WORDS or (
            is_run_together(best)
            and len(challenger.lines) > 1
            and challenger.score >= best.score
            and coverage(challenger, best) >= COVERAGE
        ):
            return challenger
    return best


def coverage(challenger: Candidate, primary: Candidate) -> float:
    """The share of the primary's words (as a multiset) that the challenger also has."""
    ours = Counter(word for line in primary.lines for word in words(line))
    theirs = Counter(word for line in challenger.lines for word in words(line))
    total = sum(ours.values())
    return sum((ours & theirs).values()) / total if total else 1.0


# --- siblings ------------------------------------------------------------------------------------


def sibling_containers(page: PageContext, lines: Iterable[str]) -> list[HtmlElement]:
    """The primary's container and its same-kind siblings that hold prose it lacks, in
    document order; empty when there are none."""
    extracted = {squash(line) for line in lines}
    used = [p for p, text in page.paragraphs if text in extracted]
    if not used:
        return []
    container = _common_ancestor(used)
    for level, element in enumerate([container, *container.iterancestors()]):
        parent = element.getparent()
        if level > _MAX_LEVELS or parent is None or element.tag in ("body", "html"):
            break
        kin = [
            sibling
            for sibling in parent
            if sibling is element
            or (_same_kind(sibling, element) and _adds_prose(sibling, extracted))
        ]
        if len(kin) > 1:
            return kin
    return []


def merged_tree(tree: HtmlElement, containers: list[HtmlElement]) -> HtmlElement:
    """A copy of the page with the children of every container moved into the first one."""
    paths = [tree.getroottree().getpath(container) for container in containers]
    merged = copy.deepcopy(tree)
    found = [merged.getroottree().xpath(path)[0] for path in paths]
    first, rest = found[0], found[1:]
    for other in rest:
        first.extend(list(other))
        other.getparent().remove(other)
    return merged


def _common_ancestor(elements: list[HtmlElement]) -> HtmlElement:
    common = common_ancestor(elements)
    return common.getparent() if common.tag == "p" and common.getparent() is not None else common


def _same_kind(sibling: object, element: HtmlElement) -> bool:
    if not isinstance(sibling, HtmlElement) or sibling.tag != element.tag:
        return False
    if element.get("itemprop") and sibling.get("itemprop") == element.get("itemprop"):
        return True
    classes = set((element.get("class") or "").split())
    return bool(classes & set((sibling.get("class") or "").split()))


def _adds_prose(sibling: HtmlElement, extracted: set[str]) -> bool:
    text = sibling.text_content()
    linked = sum(len(link.text_content()) for link in sibling.iter("a"))
    if not text.strip() or linked > _MAX_LINK_SHARE * len(text):
        return False
    unused = [p for p in sibling.iter("p") if squash(p.text_content()) not in extracted]
    unused = [p for p in unused if not _is_blurb(p, sibling)]
    return sum(len(p.text_content().strip()) for p in unused) >= _MIN_UNUSED_CHARS


def _is_blurb(paragraph: HtmlElement, sibling: HtmlElement) -> bool:
    """A teaser card's summary: the paragraph sits in a short block (up to two levels up,
    inside the sibling) that also holds a headline or a link of its own."""
    block = paragraph.getparent()
    for _ in range(2):
        if block is None or block is sibling or len(block.text_content()) > _CARD_MAX_CHARS:
            return False
        others = (el for el in block.iter("a", "h2", "h3", "h4", "h5", "h6"))
        if any(paragraph not in el.iterancestors() for el in others):
            return True
        block = block.getparent()
    return False


# --- readability ---------------------------------------------------------------------------------


def readability_text(tree: HtmlElement) -> str:
    """readability-lxml's article, one innermost block (paragraph, heading, list item, cell) per
    line; "" when it finds none or fails. It gets no URL: only its links would change (made
    absolute, a third of its time), and only the text is read."""
    try:
        summary = ReadabilityDocument(copy.deepcopy(tree)).summary(html_partial=True)
        fragment = lxml.html.fragment_fromstring(summary, create_parent="div")
    except Exception:  # readability raises its own and lxml's errors on odd pages: no candidate
        return ""
    lines = []
    for element in fragment.iter(*_BLOCKS):
        if next(element.iterdescendants(*_BLOCKS), None) is not None:
            continue  # the innermost blocks are the lines: a layout <td> holds paragraphs
        line = " ".join(element.text_content().split())
        if line:
            lines.append(line)
    return "\n".join(lines)
