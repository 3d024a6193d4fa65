"""Which pages are articles, and which of their links are followed."""

from __future__ import annotations

import pytest
from parsel import Selector

from crawler.links import all_links, related_links
from crawler.pages import ARTICLE_TYPES, is_article, is_article_type

BASE = "http://127.0.0.1:8000/2022/10/12/story/"


def page(head: str = "", body: str = "") -> Selector:
    return Selector(text=f"<html><head>{head}</head><body>{body}</body></html>")


@pytest.mark.parametrize(
    "head, body",
    [
        ('<meta property="og:type" content="article">', ""),
        ('<meta property="og:type" content=" Article ">', ""),
        ('<script type="application/ld+json">{"@type": "NewsArticle"}</script>', ""),
        (
            '<script type="application/ld+json">[{"@type": ["WebPage"]}, '
            '{"@type": ["ReportageNewsArticle"]}]</script>',
            "",
        ),
        (
            '<script type="application/ld+json">{"@context": "https://schema.org", "@graph": '
            '[{"@type": "WebSite"}, {"@type": "BlogPosting"}]}</script>',
            "",
        ),
        ("", '<div itemscope itemtype="https://schema.org/NewsArticle"><h1>T</h1></div>'),
        ("", "<article><h1>Title</h1><p>text</p></article>"),
    ],
)
def test_articles_are_recognised(head: str, body: str) -> None:
    assert is_article(page(head, body))


@pytest.mark.parametrize(
    "head, body",
    [
        ('<meta property="og:type" content="website">', ""),
        ('<script type="application/ld+json">{"@type": "CollectionPage"}</script>', ""),
        ('<script type="application/ld+json">{not json</script>', ""),
        ("", "<article><h1>One</h1></article><article><h2>Two</h2></article>"),
        ("", "<article><h2>Teaser only</h2></article>"),
        ("", "<h1>Section front</h1><p>list</p>"),
    ],
)
def test_other_pages_are_not_articles(head: str, body: str) -> None:
    assert not is_article(page(head, body))


@pytest.mark.parametrize(
    "value",
    [
        "NewsArticle",
        "newsarticle",
        " BlogPosting ",
        "article",  # og:type's own value
        "SatiricalArticle",
        "https://schema.org/NewsArticle",
        "http://schema.org/NewsArticle",
        "https://schema.org/NewsArticle/",
        "http://schema.org/ReportageNewsArticle/",
        "HTTPS://Schema.org/TechArticle",
        "https://www.schema.org/Report",
    ],
)
def test_article_types_are_bare_names_or_schema_org_urls(value: str) -> None:
    assert is_article_type(value)


@pytest.mark.parametrize(
    "value",
    [
        "WebPage",
        "CollectionPage",
        "website",
        "",
        "https://schema.org/WebPage",
        "https://example.org/NewsArticle",  # another vocabulary's
        "https://schema.org/NewsArticle/extra",
        "ftp://schema.org/NewsArticle",
        "NewsArticles",
        None,
        ["NewsArticle"],  # a list is not a type; callers look inside it
    ],
)
def test_other_values_are_not_article_types(value: object) -> None:
    assert not is_article_type(value)


def test_every_article_type_is_named_in_lowercase() -> None:
    assert all(kind == kind.lower() and kind.isalpha() for kind in ARTICLE_TYPES)


def json_ld_type(kind: str) -> str:
    return f'<script type="application/ld+json">{{"@type": "{kind}"}}</script>'


@pytest.mark.parametrize(
    "head, body",
    [
        (json_ld_type("http://schema.org/NewsArticle"), ""),
        (json_ld_type("https://schema.org/Article/"), ""),
        ("", '<div itemscope itemtype="http://schema.org/WebPage http://schema.org/Report"></div>'),
        ("", '<div itemscope itemtype="https://schema.org/SatiricalArticle/"></div>'),
        ('<meta property="og:type" content="https://schema.org/NewsArticle">', ""),
    ],
)
def test_articles_given_by_full_type_url_are_recognised(head: str, body: str) -> None:
    assert is_article(page(head, body))


@pytest.mark.parametrize(
    "head, body",
    [
        (json_ld_type("https://schema.org/WebPage"), ""),
        ("", '<div itemscope itemtype="https://schema.org/WebPage"><h1>Front</h1></div>'),
    ],
)
def test_other_type_urls_are_not_articles(head: str, body: str) -> None:
    assert not is_article(page(head, body))


def test_related_links_come_from_related_blocks_and_the_body_only() -> None:
    html = page(
        body="""
      <nav><a href="/category/world/">World</a></nav>
      <div class="td-related-posts"><h4>related news</h4>
        <a href="/2022/10/11/a/">A</a> <a href="/2022/10/13/b/#comments">B</a></div>
      <div class="entry-content"><p>See <a href="/2022/10/14/c/">C</a>,
        <a href="/tag/nato/" rel="tag">NATO</a>, <a href="mailto:x@example.org">mail</a>,
        <a href="javascript:void(0)">js</a>, <a href="http://[::1">bad</a>,
        <a href="#top">top</a>, <a href="/2022/10/11/a/">A again</a>,
        <a href="/wp-content/uploads/photo.JPG"><img src="t.jpg"></a>,
        <a href="/files/report.pdf">PDF</a>.</p></div>
      <footer><a href="/about/">About</a></footer>"""
    )
    assert related_links(html, BASE) == [
        "http://127.0.0.1:8000/2022/10/11/a/",
        "http://127.0.0.1:8000/2022/10/13/b/",
        "http://127.0.0.1:8000/2022/10/14/c/",
    ]


def test_all_links_of_a_front_are_absolute_and_unique() -> None:
    html = page(body='<a href="/x/">x</a><a href="/x/#frag">x</a><a href="https://o.org/y">y</a>')
    assert all_links(html, "http://127.0.0.1:8000/") == [
        "http://127.0.0.1:8000/x/",
        "https://o.org/y",
    ]


def test_tabs_and_newlines_inside_hrefs_are_dropped_as_browsers_do() -> None:
    html = page(body='<div class="entry-content"><a href="/2022/10/\n11/a/\t">A</a></div>')
    assert related_links(html, BASE) == ["http://127.0.0.1:8000/2022/10/11/a/"]
