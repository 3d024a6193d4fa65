"""Extraction reads metadata from the JSON-LD objects the crawler took for articles."""

from __future__ import annotations

import json

import pytest
from lxml.html import fromstring
from parsel import Selector

from crawler.pages import is_article, is_article_type
from pipelines.extract.metadata import PageMetadata

TYPES = [
    "NewsArticle",
    "newsarticle",
    "SatiricalArticle",
    "SocialMediaPosting",
    "https://schema.org/NewsArticle",
    "http://schema.org/NewsArticle",
    "http://schema.org/NewsArticle/",
    ["WebPage", "https://schema.org/ReportageNewsArticle"],
    "WebPage",
    "https://schema.org/WebPage",
    "https://example.org/NewsArticle",
    None,
]


def page(kind: object) -> str:
    data = json.dumps({"@type": kind, "headline": "Allies pledge air defence"})
    return (
        f'<html><head><script type="application/ld+json">{data}</script></head>'
        "<body><p>text</p></body></html>"
    )


@pytest.mark.parametrize("kind", TYPES, ids=repr)
def test_extraction_takes_for_an_article_what_the_crawler_does(kind: object) -> None:
    html = page(kind)
    read = PageMetadata(fromstring(html)).json_ld("headline")
    kinds = kind if isinstance(kind, list) else [kind]
    assert (read is not None) == any(map(is_article_type, kinds)) == is_article(Selector(html))


def test_a_full_schema_org_url_is_an_article_for_both() -> None:
    html = page("https://schema.org/NewsArticle")
    assert is_article(Selector(html))
    assert PageMetadata(fromstring(html)).json_ld("headline") == "Allies pledge air defence"
