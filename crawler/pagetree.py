"""A response's page tree for the spider, parsed as Scrapy's selector parses it, at less cost.

``scrapy.Selector(response=...)`` hands parsel the response's decoded text, which parsel strips,
clears of NUL characters and encodes back to UTF-8 before libxml2 parses it: a scan for NULs and a
copy of a page the server most often sent as UTF-8 already (``str.strip`` and ``str.replace``
return the text itself when they change nothing). And lxml.html's parser picks each element's
Python class in a Python callback, once for every element object the spider's walks make
(recognition, links: a thousand elements a news page). Of the 1.1 ms a news-dev page this module
saves the spider, parsel's own bytes path (``Selector(body=...)``, which keeps that callback) would
save 0.5. `page_selector` parses the body's own bytes when they are the bytes parsel would have
made (`_as_parsel_would`: UTF-8, no BOM, no NUL, nothing to strip but ASCII whitespace, decoded
without a replacement), with parsel's parser options and the classes picked by lxml's C-level
lookup (`html_parser`); else it is Scrapy's selector. The tree is the same either way
(tests/crawler/test_pagetree.py compares them); only the form elements' subclasses
(``InputElement``, ``FormElement`` ...), which nothing here uses, become plain ``HtmlElement``. The
extractor's parser (``pipelines.extract.htmltree``) takes its options from trafilatura and its
classes from `html_parser` too.
"""

from __future__ import annotations

import codecs
from typing import Any

from lxml import etree
from lxml.html import HtmlComment, HtmlElement, HtmlEntity, HtmlProcessingInstruction
from scrapy import Selector
from scrapy.http import HtmlResponse, TextResponse
from scrapy.utils.response import get_base_url

__all__ = ["html_parser", "page_selector"]

# Encodings that decode an all-ASCII body to the same text as UTF-8 does: Scrapy's windows-1252
# for a page that declares no charset, and the labels that often stand for it.
_ASCII_SUPERSETS = frozenset({"ascii", "cp1252", "iso8859-1"})
# What str.strip() removes from an ASCII end that bytes.strip() does not: the C0 separators.
_STR_ONLY_SPACE = b"\x1c\x1d\x1e\x1f"


def html_parser(**options: Any) -> etree.HTMLParser:
    """An HTML parser with `options` whose elements are lxml.html's classes, picked in C."""
    parser = etree.HTMLParser(**options)
    parser.set_element_class_lookup(
        etree.ElementDefaultClassLookup(
            element=HtmlElement,
            comment=HtmlComment,
            pi=HtmlProcessingInstruction,
            entity=HtmlEntity,
        )
    )
    return parser


# parsel's options for an HTML page (parsel.selector.create_root_node)
_PARSER = html_parser(recover=True, encoding="utf-8", huge_tree=True)


def page_selector(response: TextResponse) -> Selector:
    """The response's page, as ``scrapy.Selector(response=response)`` would select it."""
    # Scrapy gives an HTML response the "html" type; other text is typed by parsel (XML, JSON)
    body = _as_parsel_would(response) if isinstance(response, HtmlResponse) else None
    if body is None:
        return Selector(response=response)
    base_url = get_base_url(response)
    root = etree.fromstring(body, parser=_PARSER, base_url=base_url)
    if root is None:  # as parsel does for a document libxml2 makes nothing of
        root = etree.fromstring(b"<html/>", parser=_PARSER, base_url=base_url)
    return Selector(root=root, type="html", base_url=base_url)


def _as_parsel_would(response: TextResponse) -> bytes | None:
    """The bytes parsel would parse (``text.strip().replace("\\x00", "").encode("utf-8")``),
    when the body holds them as they are: the text is the body decoded as UTF-8 without a
    replacement character (or an all-ASCII body in an ASCII superset), there is no BOM (the
    text leaves it out) and no NUL, and the body stripped of ASCII whitespace has nothing at
    either end that ``str.strip`` also removes. None when it does not."""
    body = response.body
    codec = _codec(response.encoding)
    if not (codec == "utf-8" or (codec in _ASCII_SUPERSETS and body.isascii())):
        return None
    if body.startswith(codecs.BOM_UTF8):
        return None
    if b"\x00" in body or "\ufffd" in response.text:  # a replacement: the body is not the text
        return None
    stripped = body.strip()
    if not stripped or not _plain_end(stripped[0]) or not _plain_end(stripped[-1]):
        return None
    return stripped


def _codec(encoding: str) -> str | None:
    try:
        return codecs.lookup(encoding).name
    except LookupError:
        return None


def _plain_end(byte: int) -> bool:
    """An ASCII byte that str.strip() keeps (bytes.strip() has removed the rest of ASCII's
    whitespace); a non-ASCII end may be a space of Unicode's."""
    return byte < 0x80 and byte not in _STR_ONLY_SPACE
