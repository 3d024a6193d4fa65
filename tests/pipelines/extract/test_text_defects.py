"""Issue 13's text defects on real pages, each rebuilt as a hand-written page of the same shape.

Text from the page's JSON; a teaser list next to the article body; collapsible bio and Q&A
boxes; a slideshow slide whose id says "promoted"; a lead or a heading repeated by a teaser rail
or a caption; an article run together into one line.
"""

from __future__ import annotations

import json

from pipelines.extract import candidates
from pipelines.extract.core import extract

URL = "https://news.example.org/2024/04/harbour-wall-holds"
HEADLINE = "Harbour wall holds through the winter storms"
HEAD = f"<head><title>{HEADLINE}</title></head>"


def sentences(topic: str, count: int) -> list[str]:
    return [
        f"{topic} {i}: the council said on Tuesday that the harbour wall held through the storm, "
        f"and that engineers will inspect the eastern section before repairs begin in spring."
        for i in range(count)
    ]


def page(body: str, head: str = HEAD) -> bytes:
    return f"<!DOCTYPE html><html>{head}<body>{body}</body></html>".encode()


# --- (1) text from JSON --------------------------------------------------------------------------


def test_an_article_only_in_json_ld_comes_from_its_article_body() -> None:
    body = sentences("Paragraph", 10)
    data = {
        "@context": "https://schema.org",
        "@graph": [
            {"@type": "WebPage", "name": "Harbour"},
            {"@type": "NewsArticle", "headline": HEADLINE, "articleBody": "\n".join(body)},
        ],
    }
    head = HEAD.replace(
        "</head>", f'<script type="application/ld+json">{json.dumps(data)}</script></head>'
    )
    result = extract(page(f'<h1>{HEADLINE}</h1><div id="app"></div>', head), URL)
    assert result is not None and result.candidate == "json-ld"
    assert result.text.splitlines() == body


def test_an_article_only_in_a_hydration_blob_comes_from_its_largest_prose_group() -> None:
    body = sentences("Block", 8)
    teasers = [
        {"title": f"Story {i}", "summary": f"Teaser {i} about another story, in short."}
        for i in range(5)
    ]
    state = {
        "props": {
            "pageProps": {
                "article": {"title": HEADLINE, "blocks": [{"type": "p", "text": t} for t in body]},
                "related": teasers,
            }
        }
    }
    blob = f'<script id="__NEXT_DATA__" type="application/json">{json.dumps(state)}</script>'
    result = extract(page(f'<h1>{HEADLINE}</h1><div id="__next"></div>{blob}'), URL)
    assert result is not None and result.candidate == "hydration"
    assert result.text.splitlines() == body


def test_a_window_state_assignment_with_html_paragraphs_is_read_as_lines() -> None:
    body = sentences("Line", 6)
    state = {"article": {"bodyHtml": "".join(f"<p>{t}</p>" for t in body)}}
    blob = f"<script>window.__INITIAL_STATE__ = {json.dumps(state)};</script>"
    result = extract(page(f"<h1>{HEADLINE}</h1><main></main>{blob}"), URL)
    assert result is not None and result.candidate == "hydration"
    assert result.text.splitlines() == body


def test_a_page_with_html_paragraphs_never_takes_its_json() -> None:
    body = sentences("Paragraph", 6)
    data = {"@type": "NewsArticle", "articleBody": "Something else entirely. " * 80}
    head = HEAD.replace(
        "</head>", f'<script type="application/ld+json">{json.dumps(data)}</script></head>'
    )
    html = "".join(f"<p>{t}</p>" for t in body)
    result = extract(page(f"<article><h1>{HEADLINE}</h1>{html}</article>", head), URL)
    assert result is not None and result.candidate == "trafilatura"
    assert result.text.splitlines() == body


# --- (7) an article run together into one line ---------------------------------------------------


def test_a_run_together_line_loses_to_the_same_words_in_lines() -> None:
    lines = tuple(sentences("Part", 8))
    fused = candidates.Candidate("trafilatura", ("".join(lines),), 150, 150)
    in_lines = candidates.Candidate("trafilatura-fallback", lines, 152, 152)
    assert candidates.is_run_together(fused) and candidates.is_bare(fused)
    assert candidates.choose_bare(fused, [in_lines]) is in_lines
    assert candidates.choose(fused, [in_lines]) is fused  # the plain check would keep it


def test_a_long_json_ld_body_that_trafilatura_reads_as_one_line_keeps_its_paragraphs() -> None:
    body = sentences("Paragraph", 12)
    data = {"@type": "NewsArticle", "headline": HEADLINE, "articleBody": "\n".join(body)}
    head = HEAD.replace(
        "</head>", f'<script type="application/ld+json">{json.dumps(data)}</script></head>'
    )
    result = extract(page(f'<h1>{HEADLINE}</h1><div id="app"></div>', head), URL)
    assert result is not None and result.text.splitlines() == body


# --- (2) a teaser list beside the article body ---------------------------------------------------


def test_a_sibling_list_of_teaser_cards_is_not_merged_into_the_article() -> None:
    body = "".join(f"<p>{t}</p>" for t in sentences("Paragraph", 16))
    cards = "".join(
        f'<div class="card"><h3><a href="/2024/04/story-{i}">Story {i}</a></h3>'
        f"<p>Blurb {i}: what else the desk published this week.</p></div>"
        for i in range(30)
    )
    html = (
        f'<article><h1>{HEADLINE}</h1><div class="article-body">{body}</div>'
        f'<div class="article-body wp-block-query">{cards}</div></article>'
    )
    result = extract(page(html), URL)
    assert result is not None and "Blurb" not in result.text
    assert result.text.splitlines() == sentences("Paragraph", 16)


def test_an_article_split_around_an_advert_is_still_merged() -> None:
    first, second = sentences("First", 4), sentences("Second", 4)
    html = (
        f'<article><h1>{HEADLINE}</h1><div class="article-body">'
        + "".join(f"<p>{t}</p>" for t in first)
        + '</div><div class="ad-slot">Advertisement</div><div class="article-body">'
        + "".join(f"<p>{t}</p>" for t in second)
        + "</div></article>"
    )
    result = extract(page(html), URL)
    assert result is not None and result.text.splitlines() == first + second


# --- (4) a slide whose id says "promoted" --------------------------------------------------------


def test_a_slideshow_slide_marked_promoted_is_article_text() -> None:
    intro, slides = sentences("Intro", 3), sentences("Slide", 4)
    html = "".join(
        f'<section class="frame" id="frame-{i}{"-promoted" if i == 2 else ""}"><p>{text}</p>'
        "</section>"
        for i, text in enumerate(slides)
    )
    body = "".join(f"<p>{t}</p>" for t in intro)
    result = extract(
        page(f'<article><h1>{HEADLINE}</h1>{body}<div class="story-frames">{html}</div></article>'),
        URL,
    )
    assert result is not None and result.text.splitlines() == intro + slides


def test_promoted_stories_are_still_a_promo_rail() -> None:
    body = sentences("Paragraph", 4)
    rail = (
        '<div class="promoted-stories"><p>Promoted: win a cruise to the islands this summer, '
        "enter today and see the sunset.</p></div>"
    )
    html = "".join(f"<p>{t}</p>" for t in body)
    result = extract(page(f"<article><h1>{HEADLINE}</h1>{html}{rail}</article>"), URL)
    assert result is not None and result.text.splitlines() == body


# --- (3) collapsible bio and Q&A boxes -----------------------------------------------------------


def expandable_box(header: str, content: str) -> str:
    return (
        '<div class="expandable-box js-expandable-box">'
        f'<div class="expandable-box__header" role="button">{header}'
        '<span class="h-offscreen">Box aufklappen</span>'
        '<span class="h-offscreen">Box zuklappen</span></div>'
        f'<div class="expandable-box__body"><p>{content}</p></div></div>'
    )


def test_collapsible_bio_and_question_boxes_do_not_let_readability_win() -> None:
    body = sentences("Answer", 5)
    bio = expandable_box(
        '<p class="person-details__name">Thomas Example</p>',
        "The political scientist teaches international politics at the university. " * 3,
    )
    box = expandable_box(
        "<h2>Has support for the policy changed?</h2>",
        "Support fell sharply over the winter, a poll by the institute found last month. " * 6,
    )
    paragraphs = "".join(f"<p>{t}</p>" for t in body)
    html = (
        f'<article><h1>{HEADLINE}</h1><section class="article-content">{bio}{paragraphs}'
        f"{box}</section></article>"
    )
    result = extract(page(html), URL)
    assert result is not None and result.text.splitlines() == body
    assert result.candidate == "trafilatura"


# --- (5), (6) a lead or a heading that a rail or a caption repeats -------------------------------


def test_a_lead_repeated_by_a_teaser_rail_and_a_caption_is_kept() -> None:
    lead = "The harbour wall held through three storms, and the council now plans to raise it."
    body = sentences("Paragraph", 4)
    rail = "".join(
        f'<li class="teaser"><a href="/2024/04/story-{i}">Story {i} of the week</a>'
        f"<p>{lead if i == 0 else f'Summary {i} of another story.'}</p></li>"
        for i in range(4)
    )
    html = (
        f'<article><h1>{HEADLINE}</h1><p class="lead">{lead}</p>'
        f"<figure><img src='/wall.jpg'><figcaption>{lead}</figcaption></figure>"
        + "".join(f"<p>{t}</p>" for t in body)
        + f'</article><aside><ol class="list-articles">{rail}</ol></aside>'
    )
    result = extract(page(html), URL)
    assert result is not None and result.text.splitlines() == [lead, *body]


def test_live_blog_headings_linked_from_a_side_rail_are_kept() -> None:
    entries = [
        (f"Update {i}: ferries resume on the northern route", t)
        for i, t in enumerate(sentences("Entry", 4))
    ]
    blog = "".join(f"<h2>{heading}</h2><p>{text}</p>" for heading, text in entries)
    rail = "".join(
        f'<li><a href="/live/update-{i}">{heading}</a></li>'
        for i, (heading, _) in enumerate(entries)
    )
    html = f'<article><h1>{HEADLINE}</h1>{blog}</article><div class="rail"><ul>{rail}</ul></div>'
    result = extract(page(html), URL)
    assert result is not None
    assert result.text.splitlines() == [line for entry in entries for line in entry]


def test_a_teaser_link_that_is_only_a_link_is_still_dropped() -> None:
    body = sentences("Paragraph", 4)
    html = (
        f"<article><h1>{HEADLINE}</h1>"
        + "".join(f"<p>{t}</p>" for t in body)
        + '<p><a href="/2024/04/ferries">Ferries resume on the northern route</a></p></article>'
    )
    result = extract(page(html), URL)
    assert result is not None and result.text.splitlines() == body
