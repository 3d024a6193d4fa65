"""extract(): dates, authors, language and title; a cut article and a worse fallback."""

from __future__ import annotations

import json

import pytest
import trafilatura

from pipelines.extract.authors import clean_authors
from pipelines.extract.core import extract
from pipelines.extract.language import detect_language
from tests.pipelines.extract.goldsite import BASE_URL, GOLD, HTML_HEADERS

# --- dates, authors, language, title -------------------------------------------------------------


def article_page(head: str, body: str = "", lang: str = "en") -> bytes:
    paragraphs = "".join(f"<p>{p}</p>" for p in (GOLD[1]["text"].split("\n")[:4]))
    return (
        f'<!DOCTYPE html><html lang="{lang}"><head><title>Allies pledge air defence | Ledger'
        f"</title>{head}</head><body><article>{body}{paragraphs}</article></body></html>"
    ).encode()


def json_ld(**fields: object) -> str:
    data = json.dumps({"@type": "NewsArticle", **fields})
    return f'<script type="application/ld+json">{data}</script>'


SERVED = {"date": "Thu, 13 Oct 2022 10:00:00 GMT"}


def test_structured_dates_come_first_in_iso_8601_with_their_offset() -> None:
    modified = "Wed, 12 Oct 2022 11:00:00 +0200"  # RFC 2822, as some CMSs write it
    head = json_ld(datePublished="2022-10-12T08:45:00Z", dateModified=modified)
    head += '<meta property="article:published_time" content="2022-10-01T00:00:00+00:00">'
    result = extract(article_page(head), f"{BASE_URL}/a/", SERVED)
    assert result is not None
    assert result.published_at == "2022-10-12T08:45:00+00:00"
    assert result.modified_at == "2022-10-12T11:00:00+02:00"


def test_a_date_after_the_response_is_never_kept() -> None:
    head = json_ld(datePublished="2022-10-20T08:00:00+00:00")  # a week after the Date header
    head += '<meta property="article:published_time" content="2022-10-11T07:30:00+01:00">'
    head += '<meta property="article:modified_time" content="2030-01-01T00:00:00+00:00">'
    result = extract(article_page(head), f"{BASE_URL}/a/", SERVED)
    assert result is not None
    assert result.published_at == "2022-10-11T07:30:00+01:00"
    assert result.modified_at is None


def test_time_element_with_itemprop_is_a_date_source() -> None:
    body = '<time itemprop="datePublished" datetime="2022-10-12T09:00:00+02:00">12 Oct</time>'
    result = extract(article_page("", body), f"{BASE_URL}/a/", SERVED)
    assert result is not None and result.published_at == "2022-10-12T09:00:00+02:00"


@pytest.mark.parametrize(
    ("raw", "authors"),
    [
        (["By Jane Doe and John Roe"], ("Jane Doe", "John Roe")),
        (["Jane Doe, Defence Correspondent"], ("Jane Doe",)),
        (["Jane Doe is a defence correspondent based in Warsaw."], ("Jane Doe",)),
        (["jane.doe@example.org", "Jane Doe", "JANE DOE"], ("Jane Doe",)),
        (["Jane Doe; Ledger Staff", "@janedoe"], ("Jane Doe",)),
        (["Written by: Ana María López y Luis Gómez"], ("Ana María López", "Luis Gómez")),
        (["Jane Doe, The Ledger"], ("Jane Doe",)),
        (["The Ledger"], ("The Ledger",)),  # an organisation alone stays
    ],
)
def test_authors_are_a_clean_list(raw: list[str], authors: tuple[str, ...]) -> None:
    assert clean_authors(raw, sitename="The Ledger") == authors


def test_byline_authors_are_read_when_no_structured_data_names_them() -> None:
    body = '<p class="meta">By <a href="/author/jane/" rel="author">Jane Doe</a> · 12 Oct</p>'
    result = extract(article_page("", body), f"{BASE_URL}/a/", SERVED)
    assert result is not None and result.authors == ("Jane Doe",)


def test_the_detector_overrules_a_template_language_only_when_sure() -> None:
    [otan] = [gold for gold in GOLD if "otan" in gold["path"]]
    spanish = "".join(f"<p>{p}</p>" for p in otan["text"].split("\n")[:3])
    page = f'<html lang="en"><head><title>x</title></head><body><article>{spanish}</article>'
    result = extract((page + "</body></html>").encode(), f"{BASE_URL}/es/", HTML_HEADERS)
    assert result is not None and result.language == "es"
    assert detect_language("Hello there, all fine.", "de") == "de"  # too short to overrule


def test_title_without_metadata_is_the_title_tag_without_the_site_name() -> None:
    result = extract(article_page(""), f"{BASE_URL}/a/", SERVED)
    assert result is not None and result.title == "Allies pledge air defence"


# --- candidates: a cut article and a worse fallback ----------------------------------------------

PARAGRAPHS = [
    f"Paragraph {word} of the council report explains how the harbour budget was spent on the "
    f"breakwater repairs and who approved the spending in the end."
    for word in ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")
]


def split_article(first: int) -> bytes:
    body = "".join(f"<p>{p}</p>" for p in PARAGRAPHS[:first])
    rest = "".join(f"<p>{p}</p>" for p in PARAGRAPHS[first:])
    return (
        "<html><head><title>Harbour budget</title></head><body><main><article><h1>Harbour</h1>"
        f'<div class="article-body">{body}</div><div class="ad-slot"><p>Advertisement</p></div>'
        f'<div class="article-body">{rest}</div></article></main></body></html>'
    ).encode()


def test_an_article_split_over_sibling_containers_is_kept_whole() -> None:
    plain = trafilatura.extract(split_article(5).decode(), include_comments=False) or ""
    assert "Paragraph six" not in plain  # trafilatura alone cuts it
    result = extract(split_article(5), f"{BASE_URL}/harbour/", HTML_HEADERS)
    assert result is not None and result.candidate == "trafilatura+siblings"
    assert result.text.split("\n") == PARAGRAPHS


CYCLE_LANE = [
    "The council approved a protected cycle lane on Station Road on Tuesday, after a "
    "consultation in which two-thirds of respondents supported it.",
    "Work will start in April and take about eight weeks. Parking on one side of the road will "
    "be removed.",
]


def test_a_fallback_full_of_teasers_loses_to_the_article() -> None:
    teasers = "".join(
        f'<div class="teaser"><h3><a href="/news/{n}/">Teaser headline number {n} about local '
        f"schools and transport plans</a></h3><p>A short summary sentence for teaser {n} that "
        f'describes what happened in the story in a few words.</p><span class="time">{n} hours '
        "ago</span></div>"
        for n in range(1, 11)
    )
    page = (
        "<html><head><title>Cycle lane</title></head><body><main><article><h1>Cycle lane</h1>"
        f"<p>{CYCLE_LANE[0]}</p><p>{CYCLE_LANE[1]}</p></article><div class='grid'>{teasers}"
        "</div></main></body></html>"
    )
    plain = trafilatura.extract(page, include_comments=False) or ""
    assert "hours ago" in plain  # trafilatura's fallback swaps the teasers in
    result = extract(page.encode(), f"{BASE_URL}/cycle/", HTML_HEADERS)
    assert result is not None and result.candidate == "trafilatura"
    assert result.text.split("\n") == CYCLE_LANE
