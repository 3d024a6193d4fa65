"""The standfirst (dek, lead, strapline) set under the headline, outside the article's body
container: the record's text begins with it (45 of news-dev's 124 pages lost it), and nothing
else shaped like it is taken. Each page is hand-written in a shape seen on real pages."""

from __future__ import annotations

import pytest

from pipelines.extract.core import extract
from tests.pipelines.extract.test_text_defects import HEADLINE, URL, sentences

STANDFIRST = "Engineers say the sea wall held, but the eastern section needs repairs before spring."
PARAGRAPHS = sentences("Paragraph", 6)


def article_page(header: str, *, description: str | None = STANDFIRST, body: str = "") -> bytes:
    """An article whose body container holds the paragraphs, and `header` after the <h1>."""
    meta = f'<meta property="og:description" content="{description}">' if description else ""
    paragraphs = "".join(f"<p>{text}</p>" for text in PARAGRAPHS)
    return (
        f"<!DOCTYPE html><html><head><title>{HEADLINE}</title>{meta}</head><body>"
        f'<nav class="menu"><a href="/">Home</a> <a href="/news">News</a></nav>'
        f"<article><header><h1>{HEADLINE}</h1>{header}</header>"
        f'<div class="article-body">{paragraphs}{body}</div></article>'
        f'<footer><p class="site-info">Harbour Gazette, published in the town since 1898.</p>'
        f"</footer></body></html>"
    ).encode()


def lines_of(html: bytes) -> list[str]:
    result = extract(html, URL)
    assert result is not None
    return result.text.splitlines()


@pytest.mark.parametrize(
    "header",
    [
        f'<p class="sc-x1 sc-y2 teaser-text">{STANDFIRST}</p>',  # the description, shown
        f'<div class="c-summary__intro">{STANDFIRST}</div>',
        f"<h2>{STANDFIRST}</h2>",  # a standfirst set as a sub-heading
        f'<div class="byline">By Ann Reporter</div><p class="meta-x">{STANDFIRST}</p>',
    ],
)
def test_the_description_shown_under_the_headline_is_the_first_line(header: str) -> None:
    lines = lines_of(article_page(header))
    assert lines[0] == STANDFIRST
    assert lines[1:] == PARAGRAPHS


@pytest.mark.parametrize(
    "header",
    [
        f'<p class="article-lead">{STANDFIRST}</p>',
        f'<div class="post-header__dek">{STANDFIRST}</div>',
        f'<p class="standfirst">{STANDFIRST}</p>',
        f'<p class="js-lead t-article-lead">{STANDFIRST}</p>',
    ],
)
def test_a_standfirst_named_by_its_class_is_taken_without_a_description(header: str) -> None:
    lines = lines_of(article_page(header, description=None))
    assert lines == [STANDFIRST, *PARAGRAPHS]


@pytest.mark.parametrize(
    ("header", "why"),
    [
        ("", "no standfirst on the page"),
        (f'<a href="/other" class="lead">{STANDFIRST}</a>', "a link"),
        (f'<aside><p class="lead">{STANDFIRST}</p></aside>', "an aside"),
        (f'<p class="lead" style="display: none">{STANDFIRST}</p>', "hidden"),
        (f'<h2 class="title"><span class="sub-title">{STANDFIRST}</span></h2>', "a title's half"),
        (
            f'<div class="teaser-text"><a href="/other-story">{STANDFIRST}</a> More</div>',
            "mostly link text: a teaser",
        ),
        ('<p class="lead">Updated daily.</p>', "a label, not a sentence"),
        (
            '<div class="article-intro"><span class="author">By Ann Reporter, Harbour Gazette'
            f"</span><p>{STANDFIRST}</p></div>",
            "a byline and a paragraph in one box",
        ),
        (
            '<div class="summary"><h2>Key points</h2><ul><li>The sea wall held in the storm.'
            "</li><li>The eastern section needs repairs before the spring.</li></ul></div>",
            "a box of key points",
        ),
        (
            '<div class="lead-story"><a href="/other"><h3>Ferry timetable changes</h3></a>'
            "<p>A summary of another story, about the ferry timetable for the summer.</p></div>",
            "a teaser card whose class says lead",
        ),
        (
            '<div class="article-summary"><time>12 March 2024, 10:42</time> · Updated 14:10 · '
            "4 min read</div>",
            "a date line",
        ),
        (
            f'<div class="intro"><p>{STANDFIRST}</p><script>window.dataLayer = [];</script></div>',
            "a paragraph and code in one box (the paragraph itself is not named)",
        ),
        (
            '<ul class="more"><li><p class="lead">A summary of another story, about the ferry '
            "timetable for the summer.</p></li></ul>",
            "a teaser list's summary",
        ),
        (
            '<p class="intro">Watch: drone footage shows the waves breaking over the wall.</p>',
            "a line the news cleanup drops (a video promo)",
        ),
    ],
)
def test_nothing_else_under_the_headline_is_taken(header: str, why: str) -> None:
    assert lines_of(article_page(header, description=None)) == PARAGRAPHS, why


def test_a_text_that_differs_from_the_description_is_not_taken_for_it() -> None:
    other = STANDFIRST.replace("sea wall", "harbour")
    assert lines_of(article_page(f'<p class="sc-x1">{other}</p>')) == PARAGRAPHS


def test_a_line_break_in_a_standfirst_is_a_space() -> None:
    first, second = STANDFIRST.split(", but ")
    header = f'<p class="lead">{first},<br>but {second}</p>'
    assert lines_of(article_page(header, description=None))[0] == STANDFIRST


def test_a_standfirst_wrapped_in_a_plain_block_is_taken() -> None:
    header = f'<div class="excerpt"><div><span>{STANDFIRST}</span></div></div>'
    assert lines_of(article_page(header, description=None)) == [STANDFIRST, *PARAGRAPHS]


def test_the_headline_is_the_h1_that_shows_the_title_not_a_logo() -> None:
    """A logo's <h1> opens the page; a "lead" teaser under it, above the article, is not the
    standfirst: the walk starts at the <h1> that shows the title."""
    html = article_page(f'<p class="dek">{STANDFIRST}</p>', description=None).replace(
        b"<body>",
        b'<body><h1 class="logo">Harbour Gazette</h1><div class="top">'
        b'<p class="lead">A summary of another story, about the ferry timetable for the summer.'
        b"</p></div>",
    )
    assert lines_of(html) == [STANDFIRST, *PARAGRAPHS]


def test_a_description_the_page_does_not_show_is_not_added() -> None:
    assert lines_of(article_page("")) == PARAGRAPHS


def test_a_summary_after_the_first_paragraph_is_not_moved_to_the_top() -> None:
    late = f'<p class="summary">{STANDFIRST}</p>'
    lines = lines_of(article_page("", body=late))
    assert lines[0] == PARAGRAPHS[0]
    assert lines.count(STANDFIRST) == 1


def test_a_standfirst_the_extractor_kept_is_not_added_twice() -> None:
    inside = f'<p class="intro">{STANDFIRST}</p>'
    html = article_page("").replace(
        b'<div class="article-body">', f'<div class="article-body">{inside}'.encode()
    )
    assert lines_of(html) == [STANDFIRST, *PARAGRAPHS]


def test_a_standfirst_before_the_headline_is_not_taken() -> None:
    html = article_page("", description=None).replace(
        b"<header><h1>", f'<header><p class="intro">{STANDFIRST}</p><h1>'.encode()
    )
    assert lines_of(html) == PARAGRAPHS
