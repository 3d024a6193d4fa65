"""The progress line, every ``PROGRESS_INTERVAL`` seconds of a crawl (0: none).

It replaces Scrapy's LogStats line (switched off in settings/base.py) with what an operator
watching a crawl needs, the rates over the last interval and the backlogs::

    progress: 120 pages (48/min), 31 articles (12/min), 29 records (11/min), WARC 4.2 MB,
    1 file(s) waiting for upload, 3 item(s) in extraction

*WARC* counts the closed files and the one being written; *waiting for upload* is the files the
uploader holds (in flight or waiting to retry); *in extraction* is the items in Scrapy's item
pipelines (extraction and records), which is where articles wait. The same figures are served
to Prometheus (metrics.py). A last line is logged when the spider closes.
"""

from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Self

from scrapy import signals
from scrapy.exceptions import NotConfigured
from twisted.internet import task

from pipelines.archive.context import archive_context
from pipelines.archive.spool import OPEN_SUFFIX
from pipelines.observe.config import ObserveConfig

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

    from pipelines.archive.session import Archive

logger = logging.getLogger(__name__)

MB = 1_000_000


@dataclass(frozen=True, slots=True)
class Gauges:
    """The crawl's totals and backlogs at one moment."""

    pages: int  # responses downloaded
    articles: int  # article pages found
    records: int  # clean records written
    warc_bytes: int  # WARC bytes written, the open file included
    uploads_waiting: int  # files the uploader holds
    in_extraction: int  # items in the item pipelines


def gauges(crawler: Crawler, archive: Archive) -> Gauges:
    """Read from the stats, the spool and Scrapy's scraper slot; cheap, on the reactor."""
    stats = crawler.stats
    assert stats is not None
    open_bytes = 0
    # the folder as it is (not archive.spool(), which makes it: the spool may be gone)
    for path in (archive.crawl_spool.folder / "warc").glob(f"*{OPEN_SUFFIX}"):
        with contextlib.suppress(OSError):  # closed (renamed) meanwhile: in warc/bytes
            open_bytes += path.stat().st_size
    engine = crawler.engine
    slot = getattr(getattr(engine, "scraper", None), "slot", None)
    return Gauges(
        pages=int(stats.get_value("downloader/response_count", 0)),
        articles=int(stats.get_value("news/articles", 0)),
        records=int(stats.get_value("records/written", 0)),
        warc_bytes=int(stats.get_value("warc/bytes", 0)) + open_bytes,
        uploads_waiting=archive.uploader.pending,
        in_extraction=int(getattr(slot, "itemproc_size", 0)),
    )


class Progress:
    archive: Archive  # the crawl's, once the spider opens

    def __init__(self, crawler: Crawler, interval: float) -> None:
        self.crawler = crawler
        self.interval = interval
        self.task: task.LoopingCall | None = None
        self.last: Gauges | None = None
        self.last_time = 0.0

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        interval = ObserveConfig.from_settings(crawler.settings).progress_interval
        if not interval:
            raise NotConfigured  # off: no "Disabled" warning for a feature simply off
        progress = cls(crawler, interval)
        crawler.signals.connect(progress.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(progress.spider_closed, signal=signals.spider_closed)
        return progress

    def spider_opened(self) -> None:
        self.archive = archive_context(self.crawler, type(self).__name__).archive
        self.last, self.last_time = gauges(self.crawler, self.archive), self._now()
        self.task = task.LoopingCall(self.log)
        self.task.start(self.interval, now=False)

    def spider_closed(self) -> None:
        if self.task is not None and self.task.running:
            self.task.stop()
        self.log()

    def log(self) -> None:
        now, current = self._now(), gauges(self.crawler, self.archive)
        elapsed = max(now - self.last_time, 1e-6)
        logger.info("progress: %s", line(current, self.last or current, elapsed))
        self.last, self.last_time = current, now

    def _now(self) -> float:
        reactor: Any = self.archive.reactor
        return float(reactor.seconds())


def line(now: Gauges, before: Gauges, seconds: float) -> str:
    """The progress line's text: totals, per-minute rates since `before`, backlogs."""

    def rate(name: str) -> str:
        return f"{(getattr(now, name) - getattr(before, name)) * 60 / seconds:.0f}/min"

    return (
        f"{now.pages} pages ({rate('pages')}), {now.articles} articles ({rate('articles')}), "
        f"{now.records} records ({rate('records')}), WARC {now.warc_bytes / MB:.1f} MB, "
        f"{now.uploads_waiting} file(s) waiting for upload, "
        f"{now.in_extraction} item(s) in extraction"
    )
