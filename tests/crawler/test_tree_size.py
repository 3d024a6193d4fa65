"""``crawler.pages.tree_size``, the spider's NEWS_MAX_HTML_ELEMENTS check: the count of what a
walk of the tree gives (elements, comments, processing instructions), text left out."""

from __future__ import annotations

from parsel import Selector

from crawler import pages

PAGE = """<!DOCTYPE html><html><head><title>T</title><!-- a comment --></head>
<body><h1>Head &amp; line</h1><?php echo 1 ?><p>one <b>two</b> three</p>
<![CDATA[ not in html ]]><ul><li>a</li><li>b</li></ul></body></html>"""


def test_tree_size_counts_what_a_walk_of_the_tree_gives() -> None:
    page = Selector(text=PAGE)
    walked = sum(1 for _ in page.root.iter())
    assert pages.tree_size(page) == walked == 13  # 10 elements, 3 comments (PI, CDATA too)


def test_tree_size_of_a_wide_tree() -> None:
    page = Selector(text="<html><body>" + "<p>x</p>" * 5000 + "</body></html>")
    assert pages.tree_size(page) == 5002
