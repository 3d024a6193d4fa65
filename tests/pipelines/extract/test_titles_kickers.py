"""Kickers around headlines (issue 13): hand-written pages of the pattern, none copied from a site.

A kicker is the short topic label news sites set before a headline ("Olympia:", "Nahost -"),
often in its own element inside or above the <h1>, so og:title and the <h1> differ only by it.
"""

from __future__ import annotations

import json

import pytest
from lxml.html import fromstring

from pipelines.extract.metadata import PageMetadata

URL = "https://www.example-news.de/sport/a-1.html"
HEADLINE = "Unions and railway agree on a new deal"


def title_of(og_title: str, h1: str, headline: str | None = None) -> str | None:
    head = f'<meta property="og:title" content="{og_title}">'
    if headline:
        data = json.dumps({"@type": "NewsArticle", "headline": headline})
        head += f'<script type="application/ld+json">{data}</script>'
    page = fromstring(f"<html><head>{head}</head><body><h1>{h1}</h1></body></html>")
    return PageMetadata(page).title(URL)


@pytest.mark.parametrize(
    "h1",
    [
        f"Rail strike: {HEADLINE}",  # the kicker in the <h1>, set off by a colon
        f"Rail strike - {HEADLINE}",
        f"<span class='kicker'>Rail strike</span> <span>{HEADLINE}</span>",  # its own element
    ],
)
def test_og_title_without_the_kicker_of_the_h1_is_the_headline(h1: str) -> None:
    # JSON-LD repeats the <h1>; og:title, the publisher's one string for the title, decides
    assert title_of(HEADLINE, h1, headline=f"Rail strike: {HEADLINE}") == HEADLINE


def test_og_title_with_a_kicker_the_h1_leaves_out_is_the_headline() -> None:
    assert title_of(f"Rail strike: {HEADLINE}", HEADLINE, headline=HEADLINE) == (
        f"Rail strike: {HEADLINE}"
    )


def test_an_h1_glued_from_spans_gives_way_to_og_title() -> None:
    h1 = f"<span>Rail strike</span><span>{HEADLINE}</span>"  # text: "Rail strikeUnions and ..."
    assert title_of(f"Rail strike / {HEADLINE}", h1, headline=HEADLINE) == (
        f"Rail strike / {HEADLINE}"
    )


def test_two_different_kickers_leave_the_headline_they_share() -> None:
    assert title_of(f"Rail strike: «{HEADLINE}»", f"Transport - «{HEADLINE}»") == f"«{HEADLINE}»"


def test_a_kicker_both_sources_carry_stays() -> None:
    assert title_of(f"Rail strike: {HEADLINE}", f"Rail strike: {HEADLINE}") == (
        f"Rail strike: {HEADLINE}"
    )


def test_a_long_first_clause_is_no_kicker() -> None:
    # six words before the colon are a clause of the headline; the <h1> (= JSON-LD) wins
    h1 = "The city that failed its street traders: here is what it needs to do"
    og_title = "Johannesburg, a city that failed its traders: here is what it needs to do"
    assert title_of(og_title, h1, headline=h1) == h1


def test_part_of_a_compound_word_is_no_kicker() -> None:
    h1 = "German basketball-aggressor impresses and France is torn apart"
    og_title = "aggressor impresses and France is torn apart"
    assert title_of(og_title, h1, headline=h1) == h1
