"""Shortcuts taken for speed give the answers of the slow definitions they replace.

`pagelinks.leads_elsewhere` skips `urljoin` when a link's last path segment differs from the
page's; `core._Guesses.author` takes trafilatura's author guess without the rest of its metadata
(the date search). Both are checked against the full computation.
"""

from __future__ import annotations

import copy
from urllib.parse import urldefrag, urljoin

import lxml.html
import pytest
import trafilatura

from pipelines.extract.core import _document_options, _Guesses
from pipelines.extract.metadata import TimeBound
from pipelines.extract.pagelinks import leads_elsewhere

PAGE = "https://news.example.org/2024/05/ferry-timetable?id=7"
HREFS = [
    PAGE,
    f"{PAGE}#comments",
    f"{PAGE}/",
    f"{PAGE}?",
    "ferry-timetable?id=7",
    "./ferry-timetable?id=7",
    "/2024/05/ferry-timetable?id=7",
    "//news.example.org/2024/05/ferry-timetable?id=7",
    "?id=7",
    "?id=8",
    ".",
    "..",
    "/2024/05/./ferry-timetable?id=7",
    "/2024/05/other-story",
    "https://elsewhere.example.com/ferry-timetable?id=7",
    "ferry-timetable\n?id=7",
    " ferry-timetable?id=7 ",
    "#top",
    "javascript:void(0)",
    "",
]


@pytest.mark.parametrize("href", HREFS)
def test_leads_elsewhere_agrees_with_resolving_the_link(href: str) -> None:
    resolved = urldefrag(urljoin(PAGE, href.strip()))[0].rstrip("/") != PAGE.rstrip("/")
    expected = bool(href) and not href.startswith(("#", "javascript:")) and resolved
    tail = PAGE.rstrip("/").rpartition("/")[2]
    assert leads_elsewhere(href, PAGE, tail) is expected


BYLINES = [
    '<meta name="author" content="Jane Roe">',
    '<script type="application/ld+json">{"@context": "https://schema.org", '
    '"@type": "NewsArticle", "author": {"@type": "Person", "name": "Ann Lee"}}</script>',
    "",
]
BODIES = [
    '<p class="byline"><span class="author">By Sam Quist</span></p>',
    '<div id="author">Mia Berg &amp; Tom Ek</div>',
    "<p>No byline on this page at all, only the text of the article itself.</p>",
]


@pytest.mark.parametrize("head", BYLINES)
@pytest.mark.parametrize("body", BODIES)
def test_author_guess_equals_trafilaturas_metadata_author(head: str, body: str) -> None:
    html = f"<html><head><title>T</title>{head}</head><body><article>{body}</article></body></html>"
    tree = lxml.html.document_fromstring(html)
    options = _document_options(PAGE, TimeBound.from_headers({}))
    full = trafilatura.extract_metadata(copy.deepcopy(tree), PAGE, options.date_params)
    assert _Guesses(tree, PAGE, options).author() == full.author
