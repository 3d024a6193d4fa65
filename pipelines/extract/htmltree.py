"""A page's HTML tree, parsed once for the extractor and the item's links.

The tree is the one ``trafilatura.load_html`` gives for the decoded text: its repairs
(``repair_faulty_html``), its parser options, its second try from UTF-8 bytes (a text with an
XML encoding declaration, an empty tree) and its test that the text is HTML at all. One thing
differs: lxml.html's parser picks each element's Python class in a Python callback, once for
every element object lxml makes, and the extractor's and trafilatura's walks make a few thousand
per page. `_PARSER` gives the same classes (``HtmlElement``, ``HtmlComment`` ...) from lxml's
C-level lookup; only the form elements' subclasses (``InputElement``, ``FormElement`` ...),
which nothing here uses, become plain ``HtmlElement``. Trees trafilatura copies keep the
parser, so its walks save too: 1.5 to 2 ms of CPU per news-dev page (about 5% of an
extraction), the same records (tests/pipelines/extract/test_htmltree.py compares the trees).
"""

from __future__ import annotations

from lxml import etree
from lxml.html import HtmlComment, HtmlElement, HtmlEntity, HtmlProcessingInstruction, fromstring
from trafilatura.utils import is_dubious_html, repair_faulty_html

__all__ = ["parse_html"]

# trafilatura's options (trafilatura.utils.HTML_PARSER)
_PARSER = etree.HTMLParser(
    collect_ids=False,
    default_doctype=False,
    encoding="utf-8",
    remove_comments=True,
    remove_pis=True,
)
_PARSER.set_element_class_lookup(
    etree.ElementDefaultClassLookup(
        element=HtmlElement,
        comment=HtmlComment,
        pi=HtmlProcessingInstruction,
        entity=HtmlEntity,
    )
)


def parse_html(text: str) -> HtmlElement | None:
    """The tree of a decoded page; None when the text is not HTML (or nothing parses)."""
    beginning = text[:50].lower()
    text = repair_faulty_html(text, beginning)
    try:
        tree: HtmlElement | None = fromstring(text, parser=_PARSER)
    except Exception:  # ValueError: an XML encoding declaration in a str; else libxml2's error
        tree = None
    if tree is None or len(tree) < 1:
        tree = _from_bytes(text)
    if tree is not None and is_dubious_html(beginning) and len(tree) < 2:
        return None  # a fragment or plain text, not a page (trafilatura's rejection test)
    return tree


def _from_bytes(text: str) -> HtmlElement | None:
    try:
        tree: HtmlElement = fromstring(text.encode("utf-8", "surrogatepass"), parser=_PARSER)
    except Exception:  # libxml2 gives up on it: no tree, as trafilatura
        return None
    return tree
