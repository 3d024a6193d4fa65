"""Recognition by content: each signal, and the shapes that make or do not make an article."""

from __future__ import annotations

import dataclasses
import hashlib

import pytest
from parsel import Selector

from crawler import recognition
from crawler.items import ArticleItem, Discovery, WarcPointer
from crawler.pages import content_signals, is_article, listing_signals, recognise
from pipelines.warc import metadata as warcmeta

SENTENCE = (
    "The council said on Tuesday that the new bridge would open to traffic in the spring after "
    "two years of work on the river crossing."  # 25 words
)
DATED = '<time datetime="2024-03-12T08:00:00Z">12 March 2024</time>'
BYLINE = '<p class="byline">By Ann Writer</p>'


def prose(paragraphs: int, sentences: int = 2) -> str:
    """`paragraphs` paragraphs of 25 x `sentences` words."""
    return "".join(f"<p>{' '.join([SENTENCE] * sentences)}</p>" for _ in range(paragraphs))


def page(body: str, head: str = "") -> Selector:
    return Selector(text=f"<html><head>{head}</head><body>{body}</body></html>")


def article(body: str, *, h1: str = "<h1>Bridge to open in spring</h1>", extra: str = "") -> str:
    menu = "".join(f'<a href="/s{n}">Section number {n}</a>' for n in range(10))
    return f"<header><nav>{menu}</nav></header><main>{h1}{extra}{body}</main><footer>(c)</footer>"


def test_words_count_tokens_and_unspaced_scripts_by_two_characters() -> None:
    assert recognition.words("The bridge, at last: open!") == 5
    assert recognition.words("気象庁は発表した") == 4
    assert recognition.words("") == 0


def test_an_article_without_markup_is_recognised_by_its_content() -> None:
    found = recognise(page(article(prose(6), extra=BYLINE + DATED)))
    assert found.is_article
    assert found.signals == ("prose:300 words in 6 paragraphs", "h1", "date", "byline")


def test_without_a_date_or_a_byline_more_text_is_needed() -> None:
    assert not is_article(page(article(prose(4))))  # 200 words
    assert is_article(page(article(prose(5, 2) + prose(1, 1))))  # 275 words
    assert is_article(page(article(prose(4), extra=DATED)))


def test_a_headline_is_needed_h1_or_og_title() -> None:
    body = article(prose(6), h1="", extra=DATED)
    assert not is_article(page(body))
    found = recognise(page(body, '<meta property="og:title" content="Bridge">'))
    assert found.is_article and "og:title" in found.signals


def test_few_paragraphs_need_one_long_block() -> None:
    assert not is_article(page(article(prose(2, 3), extra=DATED)))  # 150 words, 2 paragraphs
    lines = "<br><br>".join([f"{SENTENCE} {SENTENCE}"] * 6)  # 300 words in one block, no <p>
    assert is_article(page(article(f"<div class='text'>{lines}</div>", extra=DATED)))


def test_teasers_between_headline_links_do_not_add_up() -> None:
    cards = "".join(
        f'<div class="card"><h3><a href="/n/{n}">Headline of the story number {n}</a></h3>'
        f"<p>{SENTENCE}</p></div>"
        for n in range(20)
    )
    found = content_signals(page(article(cards, h1="<h1>News</h1>", extra=DATED)))
    assert found == (["prose:25 words in 1 paragraphs", "h1", "date"], False)


def test_a_list_item_that_starts_with_a_headline_link_is_a_teaser() -> None:
    items = "".join(
        f'<li><a href="/n/{n}">Headline of the story number {n}</a> {SENTENCE}</li>'
        for n in range(20)
    )
    assert recognition.main_prose(page(f"<ul>{items}</ul>").root).words == 0


def test_an_inline_link_block_inside_the_text_does_not_break_it() -> None:
    also = '<p><a href="/other">Read also: the old bridge closes for good</a></p>'
    found = recognition.main_prose(page(prose(3) + also + prose(3)).root)
    assert (found.words, found.paragraphs, found.links) == (300, 6, 1)


def test_gallery_captions_between_images_do_not_add_up() -> None:
    slides = "".join(f'<div><img src="/{n}.jpg"><p>{SENTENCE}</p></div>' for n in range(15))
    assert not is_article(page(article(slides, extra=DATED)))


def test_navigation_header_footer_and_asides_are_not_read_for_prose() -> None:
    for tag in ("nav", "header", "footer", "aside"):
        assert recognition.main_prose(page(f"<{tag}>{prose(8)}</{tag}>").root).words == 0


def test_prose_in_an_author_bio_or_section_description_is_not_an_article() -> None:
    for box in ("author-bio", "archive-description", "seo-text"):
        found = recognise(page(article(f'<div class="{box}">{prose(6)}</div>', extra=DATED)))
        assert not found.is_article
        assert f"prose:300 words in 6 paragraphs in box {box}" in found.signals


def test_prose_after_a_listing_is_not_an_article() -> None:
    cards = "".join(
        f'<div class="card"><h3><a href="/n/{n}">Headline of the story number {n}</a></h3>'
        f"<p>{SENTENCE}</p></div>"
        for n in range(20)
    )
    assert not is_article(page(article(cards + prose(4), h1="<h1>Politics</h1>", extra=DATED)))
    assert is_article(page(article(cards[:400] + prose(4), extra=DATED)))


@pytest.mark.parametrize(
    "head, signal",
    [
        ('<script type="application/ld+json">{"@type": "CollectionPage"}</script>', "json-ld"),
        ('<meta property="og:type" content="video.other">', "og:type:video.other"),
        ('<meta property="og:type" content="profile">', "og:type:profile"),
    ],
)
def test_listing_markup_is_not_an_article_whatever_the_content(head: str, signal: str) -> None:
    found = recognise(page(article(prose(8), extra=DATED), head))
    assert not found.is_article
    assert any(s.startswith(f"listing:{signal}") for s in found.signals)


def test_article_markup_wins_over_listing_markup() -> None:
    head = (
        '<meta property="og:type" content="article"><script type="application/ld+json">'
        '{"@graph": [{"@type": "CollectionPage"}, {"@type": "NewsArticle"}]}</script>'
    )
    found = recognise(page(prose(6), head))
    assert found.is_article
    # markup decides: neither the listing markup nor the content is weighed (nor read)
    assert found.signals == ("og:type", "json-ld:NewsArticle")


@pytest.mark.parametrize(
    "head, body, signal",
    [
        ('<meta property="og:type" content="article">', "", "og:type"),
        ('<script type="application/ld+json">{"@type": "BlogPosting"}</script>', "",
         "json-ld:BlogPosting"),
        ("", '<div itemscope itemtype="https://schema.org/NewsArticle"></div>',
         "itemtype:NewsArticle"),
        ("", "<article><h1>T</h1></article>", "article-element"),
    ],
)  # fmt: skip
def test_markup_signals(head: str, body: str, signal: str) -> None:
    found = recognise(page(body, head))
    assert found.is_article and signal in found.signals


@pytest.mark.parametrize(
    "head, body",
    [
        ('<meta property="article:published_time" content="2024-03-12">', ""),
        ('<meta name="date" content="2024-03-12">', ""),
        ('<script type="application/ld+json">{"datePublished": "2024-03-12"}</script>', ""),
        ("", '<span itemprop="datePublished">12 March</span>'),
        ("", DATED),
    ],
)
def test_date_signal(head: str, body: str) -> None:
    assert "date" in content_signals(page(body, head))[0]


def test_a_teaser_link_time_is_no_date() -> None:
    assert "date" not in content_signals(page(f'<a href="/x">{DATED}</a>'))[0]


@pytest.mark.parametrize(
    "head, body",
    [
        ('<meta name="author" content="Ann Writer">', ""),
        ('<meta property="article:author" content="https://x.example/ann">', ""),
        ('<script type="application/ld+json">{"author": {"name": "Ann"}}</script>', ""),
        ("", '<a rel="author" href="/ann">Ann Writer</a>'),
        ("", '<span itemprop="author">Ann Writer</span>'),
        ("", BYLINE),
        ("", '<div class="ArticleAuthor">Ann Writer</div>'),
    ],
)
def test_byline_signal(head: str, body: str) -> None:
    assert "byline" in content_signals(page(body, head))[0]


def test_a_menu_author_link_is_no_byline() -> None:
    assert "byline" not in content_signals(page('<nav><a class="authors">Authors</a></nav>'))[0]


def test_listing_signals_are_empty_for_plain_pages() -> None:
    assert listing_signals(page(prose(3), '<meta property="og:type" content="website">')) == []


def test_deeply_nested_pages_are_read_without_recursion() -> None:
    for depth in (200, 20_000):  # the parser keeps the first levels of the deepest
        nested = "<div>" * depth + prose(4) + "</div>" * depth
        # no RecursionError on the deep one; without a headline it is no article either way
        assert recognise(page(nested)).is_article is False
    assert recognise(page("<div>" * 200 + prose(4))).signals[0].startswith("prose:")


def test_recognition_is_deterministic() -> None:
    body = article(prose(6), extra=DATED)
    assert {recognise(page(body)) for _ in range(3)} == {recognise(page(body))}


def test_signals_travel_on_the_item_and_in_the_metadata_record() -> None:
    pointer = WarcPointer("a.warc.gz", 1, 2, "<urn:uuid:1>", None, "2024-03-12")
    item = ArticleItem(
        url="https://news.example/a",
        final_url="https://news.example/a",
        status=200,
        fetched_at="2024-03-12T08:00:00Z",
        headers={},
        body=b"",
        warc=pointer,
        discovery=Discovery.from_seedset("demo"),
        related_urls=(),
        article_signals=("json-ld:NewsArticle", "prose:300 words in 6 paragraphs", "h1"),
    )
    extractor = {"name": "x", "version": "1", "config_sha256": "ab" * 32}
    record = {"record_id": "r", "text_sha256": hashlib.sha256(b"t").hexdigest()}
    fields = warcmeta.fields(item, "ok", extractor, record)
    assert ("article-signals", "json-ld:NewsArticle, prose:300 words in 6 paragraphs, h1") in fields
    meta = warcmeta.read(warcmeta.block(fields))
    assert meta is not None and meta.article_signals == item.article_signals
    assert dataclasses.replace(item, article_signals=()).article_signals == ()
    assert ArticleItem.__dataclass_fields__["article_signals"].default == ()
