"""The per-article metadata record: why the crawler fetched an article and what became of it.

One ``metadata`` record per article page, ``WARC-Concurrent-To`` (and ``WARC-Refers-To``) its
response record, with the same ``WARC-Target-URI``. Its block is ``application/warc-fields``, as
Heritrix writes its own metadata records, which pywb and cdxj-indexer leave out of replay
indexes. Fields, in this order (repeated fields keep their order):

    newsarchive-metadata: article/1
    requested-url: <the URL first requested, before redirects>
    discovery-path: seedset <name>          the path from the seed set to the page that linked
    discovery-path: feed <url>              here: seedset, then front / feed / sitemap / article
    via: <the page that linked here>        (absent for a start URL)
    depth: <related-link hops>
    listed-updated: <date>                  what the feed or sitemap listing it said (each only
    news-publication-date: <date>           when given): its updated/pubDate/lastmod, and the
    news-title: <title>                     Google News sitemap's news:publication_date,
    news-keywords: <keywords>               news:title, news:keywords and news:language
    news-language: <language>
    related: <url>                          the in-scope related links, each once
    outlink: <url>                          every link to another page, in page order
    article-signals: <signal>, <signal> ... why the page was taken for an article (see
                                            crawler.pages.recognise); empty when none is known
    extraction: ok | empty | failed
    extractor: <name> <version>
    extractor-config-sha256: <hex>
    record-id: <clean record id>            (ok only; an unchanged article: its last record's)
    text-sha256: <hex>                      (ok only)

The discovery path is what the crawler knew (``crawler.items.Discovery``); ``via`` and ``depth``
follow from it and are written for whoever reads the WARC, but read back from the path alone.

It is written once extraction has an outcome, so it can land in a later WARC file than its
response when the file rotates in between; WARC-Concurrent-To does not require the same file.
A value never holds a line break: control characters are percent-encoded, as in a URL.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from crawler.items import ArticleItem, Discovery, Listing
from crawler.state.base import CrawlState

FORMAT = "article/1"
FORMAT_FIELD = "newsarchive-metadata"
CONTENT_TYPE = "application/warc-fields"
OUTCOMES = ("ok", "empty", "failed")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_LISTING_FIELDS = (  # in the order of crawler.items.Listing's fields
    "listed-updated",
    "news-publication-date",
    "news-title",
    "news-keywords",
    "news-language",
)


@dataclass(frozen=True, slots=True)
class ArticleMetadata:
    """What one metadata record says, read back."""

    requested_url: str
    discovery: Discovery
    related_urls: tuple[str, ...]
    outlinks: tuple[str, ...]
    extraction: str
    extractor: tuple[str, str, str]  # name, version, config sha256
    record_id: str | None
    text_sha256: str | None
    article_signals: tuple[str, ...] = ()  # absent from records written before the field


def fields(
    item: ArticleItem,
    outcome: str,
    extractor: Mapping[str, str],
    record: Mapping[str, Any] | None = None,
) -> list[tuple[str, str]]:
    """The record's fields for one article and its extraction outcome."""
    if outcome not in OUTCOMES:
        raise ValueError(f"unknown extraction outcome {outcome!r}")
    out = [(FORMAT_FIELD, FORMAT), ("requested-url", item.url)]
    discovery = item.discovery
    out += [("discovery-path", f"{kind} {value}") for kind, value in discovery.hops]
    if discovery.discovered_from is not None:
        out.append(("via", discovery.discovered_from))
    out.append(("depth", str(discovery.depth)))
    out += discovery.listing.fields() if discovery.listing is not None else []
    out += [("related", url) for url in item.related_urls]
    out += [("outlink", url) for url in item.outlinks]
    out.append(("article-signals", ", ".join(item.article_signals)))
    out += [
        ("extraction", outcome),
        ("extractor", f"{extractor['name']} {extractor['version']}"),
        ("extractor-config-sha256", extractor["config_sha256"]),
    ]
    if record is not None:
        out += [("record-id", str(record["record_id"])), ("text-sha256", record["text_sha256"])]
    return [(name, _single_line(value)) for name, value in out]


def same_version(state: CrawlState, url: str, record: dict[str, Any]) -> dict[str, Any]:
    """The record the metadata names. An article whose text and title are those of its last
    record gets no new one (``pipelines.records.versions``): its metadata names that record,
    which holds the same text, rather than one that is never written."""
    known = state.get(url)
    last = known.article if known is not None else None
    if last is not None and (last.text_sha256, last.title) == (
        record["text_sha256"],
        record["title"],
    ):
        return {**record, "record_id": last.record_id}
    return record


def block(pairs: list[tuple[str, str]]) -> bytes:
    """The ``application/warc-fields`` block; unlike warcinfo, empty values are kept."""
    return b"".join(f"{name}: {value}\r\n".encode() for name, value in pairs)


def _single_line(value: str) -> str:
    return _CONTROL.sub(lambda m: f"%{ord(m[0]):02X}", value)


def parse_fields(data: bytes) -> list[tuple[str, str]]:
    pairs = []
    for line in data.decode("utf-8").split("\r\n"):
        if line:
            name, _, value = line.partition(":")
            pairs.append((name.strip(), value.strip()))
    return pairs


def read(data: bytes) -> ArticleMetadata | None:
    """The article metadata in a warc-fields block, or None if the block is not one of ours."""
    pairs = parse_fields(data)
    if not pairs or pairs[0] != (FORMAT_FIELD, FORMAT):
        return None
    single = dict(pairs)  # of the fields that appear once
    path = [value.partition(" ") for name, value in pairs if name == "discovery-path"]
    name, _, version = single["extractor"].partition(" ")
    listed = {key: single.get(key) for key in _LISTING_FIELDS}
    listing = Listing(*listed.values()) if any(listed.values()) else None
    return ArticleMetadata(
        requested_url=single["requested-url"],
        discovery=Discovery(tuple((kind, value) for kind, _, value in path), listing),
        related_urls=tuple(value for name, value in pairs if name == "related"),
        outlinks=tuple(value for name, value in pairs if name == "outlink"),
        extraction=single["extraction"],
        extractor=(name, version, single["extractor-config-sha256"]),
        record_id=single.get("record-id"),
        text_sha256=single.get("text-sha256"),
        article_signals=tuple(s for s in single.get("article-signals", "").split(", ") if s),
    )
