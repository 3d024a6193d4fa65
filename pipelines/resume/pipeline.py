"""Crash-resume's item pipeline: an article whose record a run before this one wrote is dropped
before it is extracted again."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Self

from scrapy.exceptions import DropItem

from crawler.items import ArticleItem
from pipelines.extract.core import CONFIG_SHA256
from pipelines.records import record_id_of
from pipelines.resume.state import ResumeState, required_resume

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector


class ResumePipeline:
    def __init__(self, resume: ResumeState, stats: StatsCollector) -> None:
        self.resume = resume
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(required_resume(crawler, cls.__name__), crawler.stats)

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, ArticleItem):
            return item
        if self.resume.record_done(record_id_of(item.warc.record_id, CONFIG_SHA256)):
            self.stats.inc_value("resume/records_already_written")
            raise DropItem(f"record already written: {item.final_url}", log_level="DEBUG")
        return item
