"""The cut-article check (`candidates.is_short`) measures the article against the page's prose.

Text that is on the page but is not this article must not make a complete extraction look cut:
another story appended below it (an endless-scroll page), a login dialog's hidden templates,
teaser cards whose summaries are paragraphs inside links or list items, a ranking list. Each
page here is hand-written in the shape seen on real pages.
"""

from __future__ import annotations

import lxml.html

from pipelines.extract import candidates
from pipelines.extract.core import extract
from pipelines.extract.pagecontext import page_context

URL = "https://news.example.org/2024/05/ferry-timetable"
HEADLINE = "Ferry timetable changes for the summer season"


def lines(topic: str, count: int) -> list[str]:
    return [
        f"{topic} {i}: the operator said the new timetable adds two crossings on weekdays and "
        f"keeps the late sailing on Fridays, after a consultation with island residents."
        for i in range(count)
    ]


def html(body: str) -> str:
    return f"<!DOCTYPE html><html><head><title>{HEADLINE}</title></head><body>{body}</body></html>"


def paragraphs(texts: list[str]) -> str:
    return "".join(f"<p>{text}</p>" for text in texts)


def test_a_second_article_appended_below_does_not_make_the_first_look_cut() -> None:
    first, second = lines("Ferry", 6), lines("Stadium", 16)
    body = (
        f'<main><article id="main-article"><h1>{HEADLINE}</h1>'
        f'<div class="body">{paragraphs(first)}</div></article>'
        f'<div class="next"><article id="next-article"><h2>Stadium roof approved</h2>'
        f'<div class="body">{paragraphs(second)}</div></article></div></main>'
    )
    result = extract(html(body).encode(), URL)
    assert result is not None and result.candidate == "trafilatura"
    assert result.text.splitlines() == first


def test_own_paragraph_chars_leave_out_other_articles_only() -> None:
    first, second, outside = lines("Ferry", 4), lines("Stadium", 8), lines("Note", 1)
    body = (
        f"<article><h1>{HEADLINE}</h1>{paragraphs(first)}</article>"
        f"<article><h2>Stadium</h2>{paragraphs(second)}</article>{paragraphs(outside)}"
    )
    context = page_context(lxml.html.document_fromstring(html(body)), URL)
    primary = candidates.make_candidate("trafilatura", "\n".join(first), context)
    own = candidates.own_paragraph_chars(primary, context)
    assert own == sum(len(text) for text in first + outside)
    assert context.paragraph_chars == own + sum(len(text) for text in second)


def test_hidden_dialogs_linked_summaries_and_list_entries_are_not_the_page_prose() -> None:
    article = lines("Ferry", 6)
    dialog = lines("Please confirm your e-mail address to write a comment", 10)
    teasers = lines("Read about the harbour", 6)
    body = (
        f"<article><h1>{HEADLINE}</h1>{paragraphs(article)}</article>"
        f'<section id="verify-email" style="display: none;">{paragraphs(dialog)}</section>'
        f"<div hidden>{paragraphs(dialog[:3])}</div>"
        f"<noscript>{paragraphs(dialog[:2])}</noscript>"
        + "".join(f'<a href="/2024/05/story-{i}"><p>{t}</p></a>' for i, t in enumerate(teasers))
        + f"<ul>{''.join(f'<li><div><p>{t}</p></div></li>' for t in teasers)}</ul>"
        + f"<dl>{''.join(f'<dt>{i}</dt><dd><p>{t}</p></dd>' for i, t in enumerate(teasers))}</dl>"
    )
    context = page_context(lxml.html.document_fromstring(html(body)), URL)
    assert context.paragraph_chars == sum(len(text) for text in article)
    primary = candidates.make_candidate("trafilatura", "\n".join(article), context)
    assert not candidates.is_short(primary, context)


def test_an_article_whose_paragraphs_span_several_articles_is_measured_against_all() -> None:
    """A live blog puts each post in its own <article>: no single home, the whole page counts."""
    posts = lines("Update", 6)
    body = f"<h1>{HEADLINE}</h1>" + "".join(f"<article><p>{post}</p></article>" for post in posts)
    context = page_context(lxml.html.document_fromstring(html(body)), URL)
    primary = candidates.make_candidate("trafilatura", "\n".join(posts[:2]), context)
    assert candidates.own_paragraph_chars(primary, context) == context.paragraph_chars
    assert candidates.is_short(primary, context)
