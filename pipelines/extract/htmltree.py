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

And the text goes to libxml2 as UTF-8 bytes, which it reads as they are (a ``str`` is handed
over in Python's internal fixed-width form and converted first), the parser's encoding saying
UTF-8 as it does for a ``str``: 2.2 ms instead of 2.8 ms on a news-dev page. Those bytes are the
body itself when it was UTF-8 (``Decoded.utf8``), so most pages are not encoded again. The bytes
also make trafilatura's first repair cheap to skip when it has nothing to do: it removes control
characters and U+FFFE/U+FFFF with a regular expression over the whole text (1.8 ms a page); a
look for the controls in the bytes and for the two noncharacters in the text costs much less,
and only a page that has one goes through ``repair_faulty_html`` whole. The other two repairs
read the first line or lines only, and copy the text only when they change it. `_repaired`
costs 0.37 ms a news-dev page (1.33 ms when it looked for the noncharacters in the bytes, a
3-byte search, and copied the text for the DOCTYPE repair).
"""

from __future__ import annotations

from lxml.html import HtmlElement, fromstring
from trafilatura.utils import DOCTYPE_TAG, FAULTY_HTML, is_dubious_html, repair_faulty_html

from crawler.pagetree import html_parser

__all__ = ["parse_html"]

# trafilatura's options (trafilatura.utils.HTML_PARSER), lxml.html's classes picked in C
_PARSER = html_parser(
    collect_ids=False,
    default_doctype=False,
    encoding="utf-8",
    remove_comments=True,
    remove_pis=True,
)


# What trafilatura's ``INVALID_XML_CHARS`` removes: C0 controls but tab, newline and carriage
# return (one byte each in UTF-8), and U+FFFE and U+FFFF (looked for in the text: a search for
# one character is a scan of the text's own width, which a 3-byte needle in UTF-8 is not).
_CONTROL_BYTES = bytes([*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20)])
_NONCHARACTERS = ("\ufffe", "\uffff")


def parse_html(text: str, utf8: bytes | None = None) -> HtmlElement | None:
    """The tree of a decoded page; None when the text is not HTML (or nothing parses). `utf8`
    is the text's UTF-8 encoding when the caller has it (``Decoded.utf8``)."""
    beginning = text[:50].lower()
    try:
        tree = _from_bytes(_repaired(text, beginning, utf8))
    except UnicodeEncodeError:  # a lone surrogate, which libxml2 reads otherwise as bytes
        tree = _from_text(repair_faulty_html(text, beginning))
    if tree is not None and is_dubious_html(beginning) and len(tree) < 2:
        return None  # a fragment or plain text, not a page (trafilatura's rejection test)
    return tree


def _repaired(text: str, beginning: str, utf8: bytes | None = None) -> bytes:
    """``repair_faulty_html(text, beginning)`` as UTF-8 bytes (UnicodeEncodeError for a text
    that has no UTF-8 bytes); `utf8` when nothing needs repair and the caller gave it."""
    data = text.encode("utf-8") if utf8 is None else utf8
    if len(data.translate(None, _CONTROL_BYTES)) != len(data) or any(
        mark in text for mark in _NONCHARACTERS
    ):
        return repair_faulty_html(text, beginning).encode("utf-8")
    # nothing to remove: its other repairs, a DOCTYPE with a slash on the first line and a
    # self-closing <html/> in the first four lines, in its order
    repaired = _doctype_repaired(text) if "doctype" in beginning else text
    for line in repaired[:4096].splitlines()[:4]:
        if "<html" in line and line.endswith("/>"):
            repaired = FAULTY_HTML.sub(r"\1>", repaired, count=1)
            break
    return data if repaired is text else repaired.encode("utf-8")


def _doctype_repaired(text: str) -> str:
    """trafilatura's DOCTYPE repair: the first line without a DOCTYPE that holds a slash, and a
    line break after it. `text` itself (not a copy) when that changes nothing: a first line
    without such a DOCTYPE, and a line break after it."""
    end = text.find("\n")
    if end >= 0 and DOCTYPE_TAG.match(text, 0, end) is None:  # the first line alone
        return text
    first, _, rest = text.partition("\n")
    return DOCTYPE_TAG.sub("", first, count=1) + "\n" + rest


def _from_bytes(data: bytes) -> HtmlElement | None:
    """The tree trafilatura makes of the text the bytes encode. It parses the text, and the
    bytes when that gives nothing (an XML encoding declaration, which lxml refuses in a str) or
    an empty tree; where both give a tree, it is the same, so the bytes go first here and the
    text only when they give nothing or an empty tree."""
    tree = _parse(data)
    if tree is None or len(tree) < 1:
        from_text = _parse(data.decode("utf-8"))
        if from_text is not None and len(from_text) >= 1:
            return from_text
    return tree


def _from_text(text: str) -> HtmlElement | None:
    """trafilatura's order for a text that is not all UTF-8: the text, then its bytes."""
    tree = _parse(text)
    if tree is None or len(tree) < 1:
        tree = _parse(text.encode("utf-8", "surrogatepass"))
    return tree


def _parse(html: str | bytes) -> HtmlElement | None:
    try:
        tree: HtmlElement = fromstring(html, parser=_PARSER)
    except Exception:  # ValueError: an XML encoding declaration in a str; else libxml2's error
        return None
    return tree
