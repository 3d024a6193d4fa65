"""Where the metadata is read from: one walk over the page finds every source (issue 13)."""

from __future__ import annotations

from lxml.html import fromstring

from pipelines.extract.bylines import read_byline
from pipelines.extract.core import PUBLISHED_META
from pipelines.extract.metadata import PageMetadata, TimeBound

URL = "https://www.example-news.de/politik/a-1.html"
BOUND = TimeBound.from_headers({"date": "Mon, 01 May 2023 10:00:00 GMT"})


def page(head: str, body: str = "") -> PageMetadata:
    return PageMetadata(fromstring(f"<html><head>{head}</head><body>{body}</body></html>"))


def test_an_entity_behind_a_json_escaped_ampersand_is_decoded() -> None:
    # "\u0026ouml;" is "&ouml;" once the JSON is read: the entity is still to be decoded
    script = r'{"@type": "NewsArticle", "headline": "Smartphones zerst\u0026ouml;ren"}'
    head = f'<script type="application/ld+json">{script}</script>'
    assert page(head).title(URL) == "Smartphones zerstören"


def test_a_json_ld_type_in_other_case_or_spacing_is_read() -> None:
    head = (
        '<script type=" Application/LD+JSON ">{"@type": "NewsArticle", "headline": "Rail"}</script>'
    )
    assert page(head).json_ld("headline") == "Rail"


def test_microdata_gives_the_date_and_the_byline() -> None:
    body = (
        '<article><time itemprop="datePublished" datetime="2023-04-28T09:00:00+02:00">28.4.</time>'
        '<span itemprop="author"><span itemprop="name">Jane Doe</span></span></article>'
    )
    metadata = page("", body)
    assert metadata.time("datePublished", PUBLISHED_META, BOUND) == "2023-04-28T09:00:00+02:00"
    tree = fromstring(f"<html><body>{body}</body></html>")
    found = read_byline(metadata, tree, metadata.site_names(URL), lambda: None)
    assert found.authors == ("Jane Doe",)


def test_the_title_tag_the_headings_and_the_canonical_link_are_found() -> None:
    head = '<title>Rail strike ends | Morning Paper</title><link rel="canonical" href="/a-1.html">'
    metadata = page(head, "<h1>Politik</h1><h1>Wirtschaft</h1>")
    assert metadata.title(URL) == "Rail strike ends"
    assert metadata.canonical_url(URL) == "https://www.example-news.de/a-1.html"
