"""Bylines of real page patterns (issue 13): hand-written pages of the pattern, none copied."""

from __future__ import annotations

import json

import pytest
from lxml.html import fromstring

from pipelines.extract.authors import clean_authors
from pipelines.extract.bylines import read_byline
from pipelines.extract.metadata import PageMetadata

URL = "https://www.example-news.de/politik/a-1.html"
TEXT = "<p>" + "The council met on Monday and agreed on the budget for next year. " * 4 + "</p>"


def authors_of(body: str, *listed: object) -> tuple[str, ...]:
    head = ""
    if listed:
        data = json.dumps({"@type": "NewsArticle", "headline": "x", "author": list(listed)})
        head = f'<script type="application/ld+json">{data}</script>'
    page = fromstring(f"<html><head>{head}</head><body>{body}{TEXT}</body></html>")
    metadata = PageMetadata(page)
    return read_byline(metadata, page, metadata.site_names(URL), lambda: None).authors


def person(name: str) -> dict[str, str]:
    return {"@type": "Person", "name": name}


# --- structured data and the byline together -----------------------------------------------------

TWO = (
    '<div class="bylines"><a rel="author" href="mailto:a@example.org">Ann Berg</a>'
    '<a rel="author" href="mailto:o@example.org">Ole Lund</a></div>'
)


def test_the_byline_adds_the_co_authors_structured_data_leaves_out() -> None:
    assert authors_of(TWO, person("Ole Lund")) == ("Ann Berg", "Ole Lund")


def test_a_byline_that_does_not_show_the_listed_author_changes_nothing() -> None:
    assert authors_of(TWO, person("Jane Doe")) == ("Jane Doe",)


def test_a_desk_listed_as_an_author_of_its_own_is_kept_next_to_people() -> None:
    assert authors_of("", person("Jane Doe"), person("Gear Team")) == ("Jane Doe", "Gear Team")
    # in one byline string the desk is a role and goes when someone is named
    assert clean_authors(["Jane Doe, Gear Team"]) == ("Jane Doe",)


# --- visible bylines -----------------------------------------------------------------------------


def test_a_link_to_the_authors_page_is_the_byline() -> None:
    body = '<p class="meta">von <a href="/autoren/name/max-muster">Dr. Max Muster</a></p>'
    assert authors_of(body) == ("Dr. Max Muster",)


def test_author_page_links_of_one_byline_are_read_and_others_are_not() -> None:
    body = (
        '<p>By <a href="/author/jane-doe/">Jane Doe</a> and <a href="/author/john-roe/">'
        'John Roe</a></p><div class="related-stories"><a href="/author/ann-other/">Ann Other'
        '</a></div><aside><ul><li><a href="/author/bob-other/">Bob Other</a></li></ul></aside>'
    )
    assert authors_of(body) == ("Jane Doe", "John Roe")


def test_an_authors_index_link_is_not_a_byline() -> None:
    body = '<footer><a href="/autoren/">Autoren</a></footer><p>By Jane Doe | 1 May 2023</p>'
    assert authors_of(body) == ("Jane Doe",)


@pytest.mark.parametrize(
    "body",
    [
        "<p class='byline'>By Jane Doe | 1 May 2023</p>",
        "<p class='byline'><strong>By</strong> Jane Doe, 1 May 2023</p>",  # "By" in its own tag
        "<div><span>Written by</span> <em>Jane Doe</em></div>",
    ],
)
def test_a_short_line_opening_with_by_is_the_byline(body: str) -> None:
    assert authors_of(body) == ("Jane Doe",)


def test_a_paragraph_opening_with_by_is_text_not_a_byline() -> None:
    body = "<p>By comparison, the council in the next town spent far less on roads this year.</p>"
    assert authors_of(body) == ()


def test_a_chinese_editors_label_gives_the_names() -> None:
    assert authors_of("<div class='edit'>(责编：张伟、李娜)</div>") == ("张伟", "李娜")
    assert authors_of("<p><span>作者：</span>王芳</p>") == ("王芳",)
