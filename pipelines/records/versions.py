"""Article versions: a new clean record only when a re-fetched article's text or title changed.

With the crawl state on (``crawler.state``), each article URL keeps its last record
(``crawler.state.base.ArticleVersion``). A record whose text digest and title equal the last
one's is not written (``records/unchanged``): the WARC holds the new capture, the record would
say nothing new. One that differs becomes the next version, with ``previous_record_id``, the
URL's ``first_seen`` and its ``changes`` (``pipelines.records.changes``); the first record of a
URL is version 1. Without the state every record is a version 1 of its own.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

from crawler import timestamps
from crawler.state.base import ArticleVersion, CrawlState
from pipelines.records.changes import changes

if TYPE_CHECKING:
    from scrapy.statscollectors import StatsCollector


class Versions:
    def __init__(self, state: CrawlState, stats: StatsCollector) -> None:
        self.state = state
        self.stats = stats

    def next(self, record: dict[str, Any]) -> dict[str, Any] | None:
        """The record as the URL's next version, or None when nothing changed."""
        known = self.state.get(record["url"])
        if known is None:
            return record  # not fetched through the state (or not archived): version 1
        record = {**record, "first_seen": timestamps.rfc3339(known.first_seen)}
        last = known.article
        if last is None:
            return record
        if last.text_sha256 == record["text_sha256"] and last.title == record["title"]:
            self.stats.inc_value("records/unchanged")
            return None
        self.stats.inc_value("records/new_versions")
        return {
            **record,
            "version": last.version + 1,
            "previous_record_id": last.record_id,
            "changes": changes(last.title, record["title"], last.text, record["text"]),
        }

    def written(self, record: dict[str, Any]) -> None:
        """Keep the record as the URL's last version."""
        known = self.state.get(record["url"])
        if known is None:
            return
        article = ArticleVersion(
            record_id=record["record_id"],
            text_sha256=record["text_sha256"],
            title=record["title"],
            version=record["version"],
            text=record["text"],
        )
        self.state.put(dataclasses.replace(known, kind="article", article=article))
