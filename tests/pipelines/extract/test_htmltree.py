"""The extractor's parser gives the tree trafilatura's own ``load_html`` gives, element for
element, with lxml.html's classes; only the class lookup runs in C."""

from __future__ import annotations

from pathlib import Path

import pytest
import trafilatura
from lxml import etree
from lxml.html import HtmlElement

from benchmarks.throughput.site import NEWS_DEV, source_pages
from pipelines.extract.charset import Decoded, decode
from pipelines.extract.htmltree import _PARSER, parse_html

TESTS = Path(__file__).resolve().parents[2]
PAGES = sorted(TESTS.glob("gold/*/page.html")) + sorted(TESTS.glob("sites/**/*.html"))
ODD = {
    "xml declaration": '<?xml version="1.0" encoding="utf-8"?><html><body><p>x</p></body></html>',
    "self-closing html": '<html lang="en"/>\n<body><p>Text</p></body>',
    "doctype": "<!DOCTYPE html>\n<html><head><title>t</title></head><body><p>a</p></body></html>",
    "control characters": "<html><body><p>a\x00b\x0bc</p></body></html>",
    "a fragment": "<p>only a paragraph</p>",
    "two fragments": "<div>one</div><div>two</div>",
    "plain text": "just words, no markup",
    "empty": "",
    "surrogate": "<html><body><p>\udcff</p></body></html>",
    "noncharacter": "<html><body><p>a\ufffeb\uffffc</p></body></html>",
    "doctype with a slash": '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" '
    '"http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">\n<html><body><p>é</p></body></html>',
    "doctype, one line": "<!DOCTYPE html/><html><body><p>a</p></body></html>",
    "doctype, no line break": "<!doctype html><html><body><p>a</p></body></html>",
    "self-closing html after a doctype": '<!DOCTYPE html>\n<html lang="fr"/>\n<p>é</p>',
    "xml declaration, latin-1": '<?xml version="1.0" encoding="iso-8859-1"?>'
    "<html><body><p>été</p></body></html>",
    "control character in the doctype": "<!DOCTYPE\x0b html>\n<html><body><p>a</p></body></html>",
}


def same_tree(text: str, utf8: bytes | None = None) -> None:
    """Our tree of `text` is trafilatura's, and so is the one made from its UTF-8 bytes when
    the caller has them (`utf8`, ``Decoded.utf8``)."""
    theirs = trafilatura.load_html(text)
    for ours in (parse_html(text), parse_html(text, utf8)):
        if theirs is None:
            assert ours is None
            continue
        assert ours is not None
        ours_text = etree.tostring(ours, encoding="unicode")
        assert ours_text == etree.tostring(theirs, encoding="unicode")
        assert [e.tag for e in ours.iter()] == [e.tag for e in theirs.iter()]


def decoded(page: bytes) -> Decoded:
    found = decode(page, {"content-type": "text/html"})
    assert (found.utf8 is not None) == (found.encoding in ("ascii", "utf-8")), found.encoding
    assert found.utf8 is None or found.utf8.decode("utf-8") == found.text
    return found


def test_the_fixture_pages_parse_as_trafilatura_parses_them() -> None:
    assert len(PAGES) >= 45
    for page in PAGES:
        found = decoded(page.read_bytes())
        same_tree(found.text, found.utf8)


def test_the_news_dev_pages_parse_as_trafilatura_parses_them() -> None:
    """124 real pages in 20 languages, read at run time from ../shared (never copied here)."""
    pages = source_pages()
    assert len(pages) >= 100, f"the news-dev corpus is missing: {NEWS_DEV}"
    for page in pages:
        found = decoded(page)
        same_tree(found.text, found.utf8)


@pytest.mark.parametrize("name", sorted(ODD))
def test_odd_inputs_parse_as_trafilatura_parses_them(name: str) -> None:
    text = ODD[name]
    try:
        utf8 = text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate: no UTF-8 bytes, and `decode` gives none
        utf8 = None
    same_tree(text, utf8)


def test_the_utf8_of_a_body_is_kept_only_when_it_is_the_texts() -> None:
    utf8 = "<p>été</p>".encode()
    assert decode(utf8).utf8 is utf8
    assert decode(b"<p>ete</p>").utf8 == b"<p>ete</p>"
    assert decode(b"\xef\xbb\xbf<p>ete</p>").utf8 is None  # the BOM is no part of the text
    assert (
        decode("<p>été</p>".encode("cp1252"), {"content-type": "text/html; charset=cp1252"}).utf8
        is None
    )


def test_elements_are_lxml_html_elements_from_the_c_lookup() -> None:
    tree = parse_html("<html><body><form><input name='q'></form><p>x</p></body></html>")
    assert tree is not None
    assert all(isinstance(e, HtmlElement) for e in tree.iter())
    assert tree.find(".//p").text_content() == "x"  # lxml.html's methods
    assert tree.getroottree().parser is _PARSER  # so trafilatura's copies keep the lookup
    assert isinstance(_PARSER.makeelement("a"), HtmlElement)
