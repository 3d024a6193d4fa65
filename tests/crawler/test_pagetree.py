"""The spider's page tree (``crawler.pagetree.page_selector``) is the one Scrapy's selector
gives, node for node, on real pages and on bodies its own parse must not take."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest
from lxml import etree
from lxml.html import HtmlElement
from scrapy import Selector
from scrapy.http import HtmlResponse, TextResponse, XmlResponse

from benchmarks.throughput.site import NEWS_DEV, source_pages
from crawler.pagetree import _PARSER, page_selector

TESTS = Path(__file__).resolve().parents[1]
PAGES = sorted(TESTS.glob("gold/*/page.html")) + sorted(TESTS.glob("sites/**/*.html"))
URL = "http://127.0.0.1/a/1.html"
HEAD = "<html><head><title>t</title></head><body>"
# Bodies the body's own bytes must not stand in for, and bodies they can.
ODD = {
    "plain": (f"{HEAD}<p>été</p></body></html>".encode(), "utf-8", True),
    "ascii whitespace around": (f" \n\t{HEAD}<p>x</p></body></html>\r\n ".encode(), None, True),
    "a BOM": (codecs.BOM_UTF8 + f"{HEAD}<p>é</p></body></html>".encode(), None, False),
    "a NUL": (f"{HEAD}<p>a\x00b</p></body></html>".encode(), "utf-8", False),
    "a no-break space first": (f"\u00a0{HEAD}<p>x</p></body></html>".encode(), "utf-8", False),
    "a separator last": (f"{HEAD}<p>x</p></body></html>\x1f".encode(), "utf-8", False),
    "windows-1252": (f"{HEAD}<p>été</p></body></html>".encode("cp1252"), "cp1252", False),
    "invalid UTF-8": (HEAD.encode() + b"<p>\xff\xfe</p></body></html>", "utf-8", False),
    "a replacement character": (f"{HEAD}<p>\ufffd</p></body></html>".encode(), "utf-8", False),
    "empty": (b"", "utf-8", False),
    "whitespace only": (b" \n ", "utf-8", False),
    "a base href": (
        b'<html><head><base href="http://127.0.0.1/b/"></head><body><a href="x">x</a></body>'
        b"</html>",
        "utf-8",
        True,
    ),
    "no markup": (b"just words", "utf-8", True),
}


def same_page(response: TextResponse) -> etree._Element:
    ours, scrapys = page_selector(response), Selector(response=response)
    assert etree.tostring(ours.root) == etree.tostring(scrapys.root)
    assert [node.tag for node in ours.root.iter()] == [node.tag for node in scrapys.root.iter()]
    assert ours.type == scrapys.type
    assert ours.root.getroottree().docinfo.URL == scrapys.root.getroottree().docinfo.URL
    return ours.root


def ours_parsed(root: etree._Element) -> bool:
    return root.getroottree().parser is _PARSER


def test_the_fixture_pages_parse_as_scrapy_parses_them() -> None:
    assert len(PAGES) >= 45
    taken = [ours_parsed(same_page(HtmlResponse(URL, body=p.read_bytes()))) for p in PAGES]
    assert sum(taken) >= len(PAGES) // 2  # the fixtures hold legacy encodings too


def test_the_news_dev_pages_parse_as_scrapy_parses_them() -> None:
    """124 real pages in 20 languages, read at run time from ../shared (never copied here)."""
    pages = source_pages()
    assert len(pages) >= 100, f"the news-dev corpus is missing: {NEWS_DEV}"
    headers = {"Content-Type": "text/html"}
    taken = [ours_parsed(same_page(HtmlResponse(URL, body=p, headers=headers))) for p in pages]
    assert sum(taken) >= len(pages) * 9 // 10  # nine in ten real pages are UTF-8


@pytest.mark.parametrize("name", sorted(ODD))
def test_odd_bodies_parse_as_scrapy_parses_them(name: str) -> None:
    body, encoding, taken = ODD[name]
    root = same_page(HtmlResponse(URL, body=body, encoding=encoding))
    assert ours_parsed(root) is taken


def test_other_text_is_left_to_scrapy_and_parsel() -> None:
    xml = b'<?xml version="1.0"?><rss><channel><item>x</item></channel></rss>'
    for response in (XmlResponse(URL, body=xml), TextResponse(URL, body=xml, encoding="utf-8")):
        page = page_selector(response)
        assert page.type == "xml" == Selector(response=response).type
        assert not ours_parsed(page.root)


def test_elements_are_lxml_html_elements() -> None:
    page = page_selector(HtmlResponse(URL, body=b"<html><body><form><p>x</p></form></body></html>"))
    assert ours_parsed(page.root)
    assert all(isinstance(element, HtmlElement) for element in page.root.iter())
    assert page.root.find(".//p").text_content() == "x"  # lxml.html's methods
    assert page.xpath("//p/text()").get() == "x"
