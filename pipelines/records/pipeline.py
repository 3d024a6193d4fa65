"""The records pipeline: clean records batched into JSONL.gz parts, handed to the archive.

A part is written in the spool as ``part-{n:05d}-{writer}.jsonl.gz.open``, renamed when it
closes, and handed to the archive, which stores it as ``records/{crawl}/part-...jsonl.gz``.
The writer id (``{host}-{pid}``) in the name lets several crawler processes share one crawl.
A part closes when it holds ``RECORDS_BATCH_SIZE`` records, when it is ``RECORDS_MAX_AGE``
seconds old, and when the spider closes. Parts are gzip with a zero mtime and records are
serialised with a fixed key order, so the same records give the same bytes (with one build of
zlib-ng; ``scrapy reextract`` compares a part it finds stored by its records).

A part that cannot be written (``OSError``: a full disk...) stops the crawl through the archive,
and nothing more is written: the torn part keeps its ``.open`` name, crash-resume removes it,
and its articles, and those that come after, are extracted again when the crawl resumes.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, Self, runtime_checkable

from scrapy.exceptions import DropItem
from twisted.internet import task
from zlib_ng import zlib_ng

from crawler.state.extension import CrawlStateExtension
from pipelines.archive.context import archive_context
from pipelines.archive.spool import OPEN_SUFFIX
from pipelines.records.config import RecordsConfig
from pipelines.records.schema import is_record
from pipelines.records.versions import Versions
from pipelines.warc.record import COMPRESS_LEVEL

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector

    from pipelines.archive.session import Archive

logger = logging.getLogger(__name__)


class RecordBatch:
    """One part being written: records are compressed to disk as they come."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._raw = open(path.with_name(path.name + OPEN_SUFFIX), "xb")  # noqa: SIM115
        # One gzip member (no name, zero mtime), by zlib-ng at the WARC records' level: a quarter
        # of the CPU of the gzip module's default (zlib at 9) for parts about 1% larger
        self._deflate = zlib_ng.compressobj(
            COMPRESS_LEVEL, zlib_ng.DEFLATED, zlib_ng.MAX_WBITS | 16
        )
        self.count = 0
        self.opened = time.monotonic()

    def add(self, record: dict[str, Any]) -> None:
        line = json.dumps(record, ensure_ascii=False, separators=(",", ":"))
        self._raw.write(self._deflate.compress(line.encode("utf-8") + b"\n"))
        self.count += 1

    def close(self) -> Path:
        self._raw.write(self._deflate.flush())
        return self._commit()

    def abandon(self) -> None:
        """Give up a part that could not be written: it stays torn, at its ``.open`` name (its
        gzip stream unfinished: crash-resume removes it)."""
        with contextlib.suppress(OSError):
            self._raw.close()

    def _commit(self) -> Path:
        """Make the compressed part durable and give it its final name (the crash-resume tests
        tear a part here, in tests/faults.py)."""
        self._raw.flush()
        os.fsync(self._raw.fileno())
        self._raw.close()
        os.replace(self.path.with_name(self.path.name + OPEN_SUFFIX), self.path)
        return self.path


@runtime_checkable
class WrittenRecords(Protocol):
    """The records earlier runs of this crawl wrote (crash-resume's state, with JOBDIR)."""

    def record_done(self, record_id: str) -> bool: ...


class RecordsPipeline:
    batch_class: type[RecordBatch] = RecordBatch  # the class of each part written

    def __init__(
        self,
        config: RecordsConfig,
        archive: Archive,
        stats: StatsCollector,
        written: WrittenRecords | None = None,
        versions: Versions | None = None,
    ) -> None:
        self.config = config
        self.archive = archive
        self.stats = stats
        self.written = written  # crash-resume: the records a run before this one wrote
        self.versions = versions  # with the crawl state: only changed articles, numbered
        self.batch: RecordBatch | None = None
        self.serial = 0
        self._timer: task.LoopingCall | None = None
        self.failed = False  # a part could not be written: nothing more is

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        context = archive_context(crawler, cls.__name__)
        config = RecordsConfig.from_settings(crawler.settings)
        written = context.resume if isinstance(context.resume, WrittenRecords) else None
        state = crawler.get_extension(CrawlStateExtension)
        versions = Versions(state.tracker.state, crawler.stats) if state is not None else None
        return cls(config, context.archive, crawler.stats, written, versions)

    def open_spider(self) -> None:
        if self.config.max_age:
            self._timer = task.LoopingCall(self._flush_if_old)
            self._timer.start(min(self.config.max_age, 30.0), now=False)

    def process_item(self, item: Any) -> Any:
        if not is_record(item):
            return item
        if self.written is not None and self.written.record_done(item["record_id"]):
            self.stats.inc_value("resume/records_already_written")
            raise DropItem(f"record {item['record_id']} already written", log_level="DEBUG")
        if self.versions is not None and (item := self.versions.next(item)) is None:
            raise DropItem("article unchanged: no new version", log_level="DEBUG")
        if not self.failed:
            try:
                if self.batch is None:
                    self.batch = self._new_batch()
                self.batch.add(item)
            except OSError as exc:
                self._write_failed(exc)
        if self.failed:
            self.stats.inc_value("records/not_written")
            raise DropItem(f"record {item['record_id']} not written", log_level="DEBUG")
        self.stats.inc_value("records/written")
        if self.versions is not None:
            self.versions.written(item)
        if self.batch is not None and self.batch.count >= self.config.batch_size:
            self.flush()
        return item

    def _write_failed(self, error: OSError) -> None:
        batch, self.batch, self.failed = self.batch, None, True
        path = self.archive.spool("records")
        if batch is not None:
            batch.abandon()
            path = batch.path.with_name(batch.path.name + OPEN_SUFFIX)
            self.stats.inc_value("records/not_written", batch.count)
        self.archive.write_failed(path, error)

    def _new_batch(self) -> RecordBatch:
        folder = self.archive.spool("records")
        while True:
            self.serial += 1
            name = f"part-{self.serial:05d}-{self.archive.writer_id}.jsonl.gz"
            try:
                return self.batch_class(folder / name)
            except FileExistsError:
                continue  # left by an earlier run with this process id: take the next number

    def _flush_if_old(self) -> None:
        if self.batch is not None and time.monotonic() - self.batch.opened >= self.config.max_age:
            self.flush()

    def flush(self) -> None:
        if self.batch is None:
            return
        try:
            path = self.batch.close()
        except OSError as exc:
            self._write_failed(exc)
            return
        batch, self.batch = self.batch, None
        self.archive.publish(path, "records", batch.count)

    def close_spider(self) -> None:
        if self._timer is not None and self._timer.running:
            self._timer.stop()
        self.flush()
