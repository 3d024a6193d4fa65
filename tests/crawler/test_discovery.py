"""How the crawler came to a request: one record, carried in request.meta from hop to hop."""

from __future__ import annotations

import pickle

import pytest
from scrapy import Request
from scrapy.http import HtmlResponse

from crawler.items import Discovery
from crawler.meta import DISCOVERY, discovery_of

FRONT = "https://news.example/"
FEED = "https://news.example/feed/"


def test_what_the_seed_set_names_was_linked_from_nowhere() -> None:
    seed = Discovery.from_seedset("demo")
    assert seed.hops == (("seedset", "demo"),)
    assert seed.via is None and seed.discovered_from is None
    assert seed.depth == 0 and seed.sitemap_depth == 0


def test_each_hop_names_the_page_that_linked_on() -> None:
    found = Discovery.from_seedset("demo").then("feed", FEED)
    assert found.hops == (("seedset", "demo"), ("feed", FEED))
    assert found.via == ("feed", FEED) and found.discovered_from == FEED
    assert found.depth == 0


def test_related_link_depth_counts_the_articles_on_the_way() -> None:
    found = Discovery.from_seedset("demo").then("front", FRONT)
    for n, url in enumerate(("https://news.example/a/", "https://news.example/b/"), 1):
        found = found.then("article", url)
        assert found.depth == n and found.discovered_from == url
    assert found.sitemap_depth == 0


def test_sitemap_depth_counts_the_sitemaps_above() -> None:
    index = Discovery.from_seedset("demo").then("sitemap", "https://news.example/index.xml")
    nested = index.then("sitemap", "https://news.example/2022.xml")
    assert (index.sitemap_depth, nested.sitemap_depth) == (1, 2)
    assert nested.depth == 0


@pytest.mark.parametrize("kind", ["seedset", "related", "seed", ""])
def test_an_unknown_kind_of_hop_is_refused(kind: str) -> None:
    with pytest.raises(ValueError, match="unknown kind of page"):
        Discovery.from_seedset("demo").then(kind, FRONT)


def test_it_survives_the_disk_queue_of_a_resumable_crawl() -> None:
    found = Discovery.from_seedset("demo").then("front", FRONT).then("article", FEED)
    assert pickle.loads(pickle.dumps(found)) == found


def test_the_response_says_how_its_request_was_discovered() -> None:
    found = Discovery.from_seedset("demo").then("feed", FEED)
    request = Request("https://news.example/a/", meta={DISCOVERY: found})
    response = HtmlResponse(request.url, body=b"<html></html>", request=request)
    assert discovery_of(response) == found
    unmarked = Request("https://news.example/b/", meta={DISCOVERY: ("feed", FEED)})
    assert discovery_of(HtmlResponse(unmarked.url, body=b"", request=unmarked)) is None
