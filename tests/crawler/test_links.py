"""The link walk's cheaper forms (crawler/links.py) keep the rules they replaced: related blocks
named in any case by class or id, the most specific body container, the page itself skipped
however its URL is spelled, links joined as urljoin joins them."""

from __future__ import annotations

from urllib.parse import urljoin

import pytest
from parsel import Selector

from crawler.links import _joined, all_links, article_body, related_blocks, related_links
from pipelines.extract.htmltree import parse_html

BASE = "http://127.0.0.1:8000/2022/10/12/story/"


def page(body: str) -> Selector:
    return Selector(text=f"<html><body>{body}</body></html>")


@pytest.mark.parametrize(
    "block, related",
    [
        ('<div class="RelatedStories">', True),
        ('<aside id="read-more">', True),
        ('<section class="x readmore">', True),
        ('<ul class="MORE-NEWS">', True),
        ('<nav id="alsoRead">', True),
        ('<div class="recommended-for-you">', True),
        ('<div class="reading-list">', False),
        ('<p class="related">', False),  # not a block publishers use for it
        ("<div>", False),
    ],
)
def test_related_blocks_are_named_by_class_or_id_in_any_case(block: str, related: bool) -> None:
    tag = block[1 : block.index(" ") if " " in block else -1]
    found = related_blocks(page(f'{block}<a href="/a/">a</a></{tag}>'))
    assert bool(found) is related


@pytest.mark.parametrize(
    "body, container",
    [
        ('<article id="c"></article><div class="entry-content" id="b"></div>', "b"),
        ('<div class="post-content" id="b"></div><div itemprop="articleBody" id="a"></div>', "a"),
        ('<div class="entry-content-wrap" id="x"></div><article id="c"></article>', "c"),
        ('<div class="td-post-content" id="t"></div><div class="post-content" id="p"></div>', "t"),
        ('<div class="a\tstory-body" id="s"></div><div class="story-body" id="s2"></div>', "s"),
        ('<div class="entry-contents"></div>', None),
    ],
)
def test_the_most_specific_body_container_is_taken(body: str, container: str | None) -> None:
    found = article_body(page(body))
    assert [element.get("id") for element in found] == ([container] if container else [])


def test_blocks_are_found_in_the_whole_page_from_a_subtree_root() -> None:
    """lxml.html hands the worker the body's only child as the root of a page without <html> and
    <head>: the body container (the <body> here) is still found, as an XPath from it would."""
    tree = parse_html(
        '<body class="post-content"><div id="wrap"><p>Text.</p>'
        '<a href="/a/">a</a><a href="/b/">b</a></div></body>'
    )
    assert tree is not None and tree.tag == "div"  # the subtree
    found = related_links(Selector(root=tree, type="html"), BASE)
    assert found == ["http://127.0.0.1:8000/a/", "http://127.0.0.1:8000/b/"]


def test_the_page_itself_is_skipped_however_its_url_is_spelled() -> None:
    own = "http://127.0.0.1:8000/caf%C3%A9/?b=2&a=1"
    links = [
        "/caf\xe9/?a=1&b=2",  # the page, unescaped and its query reordered
        "/caf%c3%a9/?b=2&a=1#top",  # escapes in lower case, a fragment
        "/caf%C3%A9/?a=1",  # another query: another page
        "/caf%C3%A9",  # another path
    ]
    found = all_links(page("".join(f'<a href="{h}">x</a>' for h in links)), own)
    assert found == ["http://127.0.0.1:8000/caf%C3%A9/?a=1", "http://127.0.0.1:8000/caf%C3%A9"]
    body = '<div class="entry-content"><a href="/caf%C3%A9/?a=1&amp;b=2">x</a></div>'
    assert related_links(page(body), own) == []


def test_links_scrapy_would_refuse_to_request_are_skipped() -> None:
    hrefs = [
        "http://127.0.0.1:99999/a/",  # port out of range
        "http://127.0.0.1:8o/a/",  # port not a number
        "http://[::1/a/",  # bracket not closed
        "http://x[::1]/a/",  # text before the bracket
        "http://[127.0.0.1]/a/",  # IPv4 in brackets
        "http://[::1]:8000/a/",  # a good IPv6 literal
    ]
    found = all_links(page("".join(f'<a href="{h}">x</a>' for h in hrefs)), BASE)
    assert found == ["http://[::1]:8000/a/"]


@pytest.mark.parametrize("base", [BASE, "https://h.example", "https://h.example/a/b.html?x=1"])
@pytest.mark.parametrize(
    "href",
    [
        "/x/y?q=1#f",
        "https://o.example/x",
        "http://o.example/x?y",
        "HTTP://o.example/x",
        "https://o.example",
        "http:///x",  # no host: the page's own
        "http://?x",
        "/a/./b",
        "/a/../b",
        "/a;p",
        "http://o.example/a;p",
        "/a?",
        "http://o.example/a?#f",
        "/a\\b",
        "//o.example/x",
        "x/y",
        "../y",
        "?q",
        "#f",
        "",
        "/caf\xe9/",
    ],
)
def test_a_link_is_joined_as_urljoin_joins_it(base: str, href: str) -> None:
    assert _joined(base, href) == urljoin(base, href).partition("#")[0]
