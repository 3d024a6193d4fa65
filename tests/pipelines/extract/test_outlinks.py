"""An article's outlinks and related URLs come from the extraction worker
(``crawler.itemlinks``), no longer from the spider on the reactor: on the fixture site's crawl,
the metadata record of every article holds exactly what the spider used to compute from the
response it parsed."""

from __future__ import annotations

from scrapy.http import HtmlResponse
from scrapy.utils.gz import gunzip

from crawler.links import all_links, related_links
from crawler.seeds import load_seedset
from pipelines.extract.pool import extract_page, page_links_of
from pipelines.warc import metadata as warcmeta
from settings import base
from tests.conftest import ArchivedCrawl
from tests.warcs import WarcRecord, read_warc


def as_spider_saw_it(response: WarcRecord) -> HtmlResponse:
    """The archived response as Scrapy handed it to the spider: content encoding undone."""
    headers = dict(response.http_headers)
    encoded = {name.lower(): value for name, value in headers.items()}.get("content-encoding")
    body = gunzip(response.payload) if encoded == "gzip" else response.payload
    return HtmlResponse(response.uri, headers=response.http_headers, body=body)


def test_links_are_those_the_spider_computed(archived_crawl: ArchivedCrawl) -> None:
    seedset = load_seedset("seeds/demo.toml", {"NEWSARCHIVE_DEMO_URL": archived_crawl.base_url})
    limit = base.NEWS_MAX_LINKS_PER_PAGE
    records = [record for path in archived_crawl.warcs for record in read_warc(path)]
    responses = {r.record_id: r for r in records if r.rec_type == "response"}
    described = 0
    for record in records:
        meta = warcmeta.read(record.payload) if record.rec_type == "metadata" else None
        if meta is None:
            continue
        page = as_spider_saw_it(responses[record.headers["WARC-Concurrent-To"]])
        # what the spider computed for the item before the worker did
        outlinks = all_links(page.selector, page.url, limit)
        related = related_links(page.selector, page.url, limit + 1)
        assert meta.outlinks == tuple(outlinks), page.url
        assert meta.related_urls == tuple(filter(seedset.in_scope, related))[:limit], page.url
        described += bool(meta.related_urls)
    assert described >= 3  # articles with related links among them


def test_the_links_of_a_page_are_read_with_its_declared_charset() -> None:
    """What the worker and the pipeline's fallback give (`page_links_of`): the charset the page
    declares, the limit and the related links' domains applied, nothing from a non-page."""
    body = (
        "<html><head><meta charset='windows-1252'></head><body>"
        "<a href='/caf\xe9/'>x</a><a href='/b/' rel='tag'>t</a><article><h1>A</h1>"
        "<a href='/c/'>c</a><a href='https://elsewhere.example/d/'>d</a></article></body></html>"
    ).encode("windows-1252")
    url, html = "https://news.example/a/", {"content-type": "text/html"}
    links = page_links_of(body, url, html, (10, ("news.example",)))
    assert links.outlinks == (
        "https://news.example/caf\xe9/",
        "https://news.example/c/",
        "https://elsewhere.example/d/",
    )
    assert links.related_urls == ("https://news.example/c/",)
    assert page_links_of(body, url, html, (10, None)).related_urls == links.outlinks[1:]
    assert page_links_of(body, url, html, (1, ("news.example",))).outlinks == links.outlinks[:1]
    _, worker_links, source = extract_page(body, url, html, (10, ("news.example",)))
    assert worker_links == links and source == "meta"
    image = page_links_of(b"\x89PNG\r\n", url, {"content-type": "image/png"}, (10, None))
    assert image.outlinks == image.related_urls == ()
