"""The extractor's parser gives the tree trafilatura's own ``load_html`` gives, element for
element, with lxml.html's classes; only the class lookup runs in C."""

from __future__ import annotations

from pathlib import Path

import pytest
import trafilatura
from lxml import etree
from lxml.html import HtmlElement

from benchmarks.throughput.site import NEWS_DEV, source_pages
from pipelines.extract.charset import decode
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
    "self-closing html after a doctype": '<!DOCTYPE html>\n<html lang="fr"/>\n<p>é</p>',
    "xml declaration, latin-1": '<?xml version="1.0" encoding="iso-8859-1"?>'
    "<html><body><p>été</p></body></html>",
    "control character in the doctype": "<!DOCTYPE\x0b html>\n<html><body><p>a</p></body></html>",
}


def same_tree(text: str) -> None:
    ours, theirs = parse_html(text), trafilatura.load_html(text)
    if theirs is None:
        assert ours is None
        return
    assert ours is not None
    assert etree.tostring(ours, encoding="unicode") == etree.tostring(theirs, encoding="unicode")
    assert [e.tag for e in ours.iter()] == [e.tag for e in theirs.iter()]


def test_the_fixture_pages_parse_as_trafilatura_parses_them() -> None:
    assert len(PAGES) >= 45
    for page in PAGES:
        same_tree(decode(page.read_bytes(), {"content-type": "text/html"}).text)


def test_the_news_dev_pages_parse_as_trafilatura_parses_them() -> None:
    """124 real pages in 20 languages, read at run time from ../shared (never copied here)."""
    pages = source_pages()
    assert len(pages) >= 100, f"the news-dev corpus is missing: {NEWS_DEV}"
    for page in pages:
        same_tree(decode(page, {"content-type": "text/html"}).text)


@pytest.mark.parametrize("name", sorted(ODD))
def test_odd_inputs_parse_as_trafilatura_parses_them(name: str) -> None:
    same_tree(ODD[name])


def test_elements_are_lxml_html_elements_from_the_c_lookup() -> None:
    tree = parse_html("<html><body><form><input name='q'></form><p>x</p></body></html>")
    assert tree is not None
    assert all(isinstance(e, HtmlElement) for e in tree.iter())
    assert tree.find(".//p").text_content() == "x"  # lxml.html's methods
    assert tree.getroottree().parser is _PARSER  # so trafilatura's copies keep the lookup
    assert isinstance(_PARSER.makeelement("a"), HtmlElement)
