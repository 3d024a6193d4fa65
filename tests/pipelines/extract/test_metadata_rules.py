"""Metadata rules for real pages (issue 13), each from a small hand-written page of the pattern."""

from __future__ import annotations

import json

import pytest
from lxml.html import HtmlElement, fromstring

from pipelines.extract.authors import clean_authors
from pipelines.extract.bylines import Byline, read_byline
from pipelines.extract.core import extract
from pipelines.extract.metadata import PageMetadata
from pipelines.extract.pagecontext import page_context
from pipelines.extract.titles import SiteNames, choose_title
from tests.pipelines.extract.goldsite import GOLD

URL = "https://www.example-news.de/politik/a-1.html"
SERVED = {"date": "Mon, 01 May 2023 10:00:00 GMT", "content-type": "text/html; charset=utf-8"}
TEXT = "".join(f"<p>{p}</p>" for p in GOLD[1]["text"].split("\n")[:4])


def ld(**fields: object) -> str:
    data = json.dumps({"@type": "NewsArticle", **fields}, ensure_ascii=False)
    return f'<script type="application/ld+json">{data}</script>'


def og(title: str, site: str | None = None) -> str:
    meta = f'<meta property="og:title" content="{title}">'
    return meta + (f'<meta property="og:site_name" content="{site}">' if site else "")


def tree(head: str, body: str = "") -> HtmlElement:
    return fromstring(f"<html><head>{head}</head><body>{body}</body></html>")


def title_of(head: str, body: str = "") -> str | None:
    return PageMetadata(tree(head, body)).title(URL)


# --- titles --------------------------------------------------------------------------------------


def test_entities_left_escaped_in_json_ld_are_decoded() -> None:
    head = ld(headline="Smartphones zerst&ouml;ren: &#8216;nie&#8217; &quot;wieder&quot;")
    assert title_of(head) == 'Smartphones zerstören: ‘nie’ "wieder"'


@pytest.mark.parametrize(
    ("head", "body"),
    [
        (og("Rail strike ends - Example-News.de", "Example-News.de"), ""),  # the site's name
        (og("Rail strike ends | Tagesblatt", "Tagesblatt"), ""),
        (og("Rail strike ends｜日刊ニュース", "日刊ニュース"), ""),  # a full-width bar
        (og("Rail strike ends | EXAMPLE-NEWS | 28.04.2023"), ""),  # host name and a date
        (og("Rail strike ends | Morning Paper"), "<h1>Rail strike ends</h1>"),  # h1 confirms
        (og("Example-News | Rail strike ends"), ""),  # a leading site name
    ],
)
def test_site_names_dates_and_sections_around_a_title_go(head: str, body: str) -> None:
    assert title_of(head, body) == "Rail strike ends"


def test_a_dash_or_a_kicker_inside_the_headline_stays() -> None:
    head = og("Tears flowed - then came the twist", "Example-News")
    assert title_of(head) == "Tears flowed - then came the twist"
    head = og("Rail strike: unions and railway agree | Sport")  # no h1 confirms the rest
    assert title_of(head) == "Rail strike: unions and railway agree | Sport"


def test_the_visible_headline_wins_over_an_seo_variant() -> None:
    head = ld(headline="Rail strike: what it means for you") + og("Unions end the rail strike")
    assert title_of(head, "<h1>Unions end the rail strike</h1>") == "Unions end the rail strike"
    # when no source is shown on the page, JSON-LD's headline comes first
    assert title_of(head, "<h1>Politik</h1><h1>Wirtschaft</h1>") == (
        "Rail strike: what it means for you"
    )


def test_the_title_tag_comes_last_without_the_site_name() -> None:
    sites = SiteNames.of(["Morning Paper"], URL)
    assert choose_title([None, None, None], [], "Rail strike ends | Morning Paper", sites) == (
        "Rail strike ends"
    )


# --- dates ---------------------------------------------------------------------------------------


def page(head: str, body: str = "") -> bytes:
    return (
        f"<!DOCTYPE html><html><head><title>Rail strike ends</title>{head}</head><body><article>"
        f"<h1>Rail strike ends</h1>{TEXT}</article>{body}</body></html>"
    ).encode()


TEASER = (
    '<div class="teaser-list"><div class="teaser"><a href="/b.html">Unions vote on a new deal'
    ' today</a><span class="date">24.04.2023</span></div><div class="teaser"><a href="/c.html">'
    'Ferries cancelled across the bay</a><time datetime="2023-04-20">20.04.2023</time></div></div>'
)


def test_a_date_in_the_title_suffix_beats_a_teaser_date() -> None:
    head = og("Rail strike ends | EXAMPLE-NEWS | 28.04.2023")
    result = extract(page(head, TEASER), URL, SERVED)
    assert result is not None and result.published_at == "2023-04-28"


@pytest.mark.parametrize(
    "head",
    [
        ld(headline="Rail strike ends", datePublished="2023-04-28T09:00:00+02:00"),
        '<meta property="article:published_time" content="2023-04-28T09:00:00+02:00">',
    ],
)
def test_the_pages_own_date_is_never_a_teasers(head: str) -> None:
    result = extract(page(head, TEASER), URL, SERVED)
    assert result is not None and result.published_at == "2023-04-28T09:00:00+02:00"


def test_an_article_inside_a_web_page_main_entity_is_read() -> None:
    data = {"@type": "WebPage", "mainEntity": {"@type": "NewsArticle", "headline": "Rail ends"}}
    script = f'<script type="application/ld+json">{json.dumps(data)}</script>'
    assert PageMetadata(tree(script)).json_ld("headline") == "Rail ends"


# --- authors -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "authors"),
    [
        (["Brazil, Rachel", "You, Xiaoying"], ("Rachel Brazil", "Xiaoying You")),  # dc.creator
        (["Elena Muster (emu)", "Hans Beispiel (hb"], ("Elena Muster", "Hans Beispiel")),
        (["Jane DoeTwitter", "John Roe Facebook"], ("Jane Doe", "John Roe")),
        (["Anna Berg und Ole Lund, dpa"], ("Anna Berg", "Ole Lund", "dpa")),  # an agency
        (["Trine Berg og Tôrtia Lund"], ("Trine Berg", "Tôrtia Lund")),
        (["MND Staff"], ("MND Staff",)),  # a desk byline, when no one is named
        (["Jane Doe", "MND Staff"], ("Jane Doe",)),
        (["Staff Writer"], ()),
        (["Nachrichten"], ()),  # a label, not a name
    ],
)
def test_authors_patterns_of_real_bylines(raw: list[str], authors: tuple[str, ...]) -> None:
    assert clean_authors(raw) == authors


def byline(head: str, body: str = "") -> Byline:
    page_ = tree(head, body)
    metadata = PageMetadata(page_)
    return read_byline(metadata, page_, metadata.site_names(URL), lambda: None)


def test_the_publications_own_name_is_the_publisher_not_an_author() -> None:
    org = {"@type": "Organization", "name": "Example News"}
    found = byline(og("x", "Example News") + ld(headline="x", author=org))
    assert found == Byline((), "Example News")
    found = byline('<meta name="author" content="Example News (www.example-news.de)">')
    assert found.authors == ()
    found = byline(og("x", "Example News") + '<meta name="author" content="EN">')  # initials
    assert found.authors == ()


def test_category_labels_are_not_authors() -> None:
    head = ld(headline="x", author={"@type": "Person", "name": "Politik"}, articleSection="Politik")
    assert byline(head).authors == ()


def test_names_in_a_related_articles_block_are_not_authors() -> None:
    body = (
        '<p class="byline">By <a rel="author" href="/authors/jane">Jane Doe</a></p>'
        '<div class="related-articles"><a rel="author" href="/authors/ann">Ann Other</a>'
        '<a rel="author" href="/authors/bob">Bob Other</a></div>'
    )
    assert byline("", body).authors == ("Jane Doe",)


def test_a_labelled_byline_is_read() -> None:
    body = "<ul><li><strong>Datum</strong> 28.04.2023</li>"
    body += "<li><strong>Autor</strong> Jan Muster</li></ul>"
    assert byline("", body).authors == ("Jan Muster",)


# --- determinism ---------------------------------------------------------------------------------


def test_two_teaser_rails_of_one_kind_are_both_found() -> None:
    rail = "".join(
        f'<li class="card"><a href="/{n}.html">Story number {n} of the rail</a></li>'
        for n in range(3)
    )
    body = f'<div><ul class="rail">{rail}</ul></div><div><ul class="rail">{rail}</ul></div>'
    context = page_context(tree("", body + TEXT), URL)
    assert "Story number 1 of the rail" in context.boilerplate_texts
