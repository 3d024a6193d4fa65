"""Clean records: the schema (version 1) and the pipeline that batches them into JSONL.gz parts.

A part is written in the spool as ``part-{n:05d}-{writer}.jsonl.gz.open``, renamed when it
closes, and handed to the archive, which stores it as ``records/{crawl}/part-...jsonl.gz``.
The writer id (``{host}-{pid}``) in the name lets several crawler processes share one crawl.
A part closes when it holds ``RECORDS_BATCH_SIZE`` records, when it is ``RECORDS_MAX_AGE``
seconds old, and when the spider closes. Parts are gzip with a zero mtime and records are
serialised with a fixed key order, so the same records always give the same bytes.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import logging
import os
import time
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self

from scrapy.exceptions import DropItem
from twisted.internet import task

from crawler.items import ArticleItem
from pipelines.archive.extension import ArchiveExtension
from pipelines.warc.writer import CRASH_AT, OPEN_SUFFIX
from settings.config import RecordsConfig

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

    from pipelines.extract.core import Extraction
    from pipelines.resume.state import ResumeExtension

logger = logging.getLogger(__name__)

SCHEMA_VERSION = 1
_RECORD_NAMESPACE = uuid.UUID("5f0c1d52-8f5e-4d7b-9a51-2b8c3a7e6d10")


def clean_record(
    item: ArticleItem, extraction: Extraction, *, crawl_id: str, extractor: dict[str, str]
) -> dict[str, Any]:
    """The schema-1 record of one article. Its id is derived from the WARC record it came
    from and the extractor config, so extracting the same WARC again gives the same id."""
    meta = extraction.to_dict()
    text: str = meta["text"]
    return {
        "schema": SCHEMA_VERSION,
        "record_id": record_id_of(item.warc.record_id, extractor["config_sha256"]),
        "crawl_id": crawl_id,
        "url": item.url,
        "final_url": item.final_url,
        "canonical_url": meta["canonical_url"],
        "fetched_at": item.fetched_at,
        "status": item.status,
        "title": meta["title"],
        "authors": list(meta["authors"]),
        "published_at": meta["published_at"],
        "modified_at": meta["modified_at"],
        "sitename": meta["sitename"],
        "language": meta["language"],
        "description": meta["description"],
        "categories": list(meta["categories"]),
        "tags": list(meta["tags"]),
        "text": text,
        "text_sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
        "word_count": len(text.split()),
        "text_candidate": meta["candidate"],
        "related_urls": list(item.related_urls),
        "discovered_from": item.discovered_from,
        "warc": item.warc.to_dict(),
        "extractor": dict(extractor),
    }


def record_id_of(warc_record_id: str, config_sha256: str) -> str:
    """The id of the record extracted from this WARC response record with this extractor
    config: the same inputs always give the same id (re-extraction, crash-resume)."""
    return f"urn:uuid:{uuid.uuid5(_RECORD_NAMESPACE, f'{warc_record_id} {config_sha256}')}"


def is_record(item: Any) -> bool:
    return isinstance(item, dict) and item.get("schema") == SCHEMA_VERSION


class RecordBatch:
    """One part being written: records are compressed to disk as they come."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._raw = open(path.with_name(path.name + OPEN_SUFFIX), "xb")  # noqa: SIM115
        self._gzip = gzip.GzipFile(fileobj=self._raw, mode="wb", mtime=0, filename="")
        self.count = 0
        self.opened = time.monotonic()

    def add(self, record: dict[str, Any]) -> None:
        line = json.dumps(record, ensure_ascii=False, separators=(",", ":"))
        self._gzip.write(line.encode("utf-8") + b"\n")
        self.count += 1

    def close(self) -> Path:
        self._gzip.close()
        if CRASH_AT is not None and CRASH_AT.kind == "records":
            CRASH_AT.maybe_tear(self._raw)  # a test's kill in the middle of this flush
        self._raw.flush()
        os.fsync(self._raw.fileno())
        self._raw.close()
        os.replace(self.path.with_name(self.path.name + OPEN_SUFFIX), self.path)
        return self.path


class RecordsPipeline:
    def __init__(self, config: RecordsConfig) -> None:
        self.config = config
        self.archive: ArchiveExtension | None = None
        self.batch: RecordBatch | None = None
        self.serial = 0
        self._timer: task.LoopingCall | None = None
        self.resume: ResumeExtension | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        pipeline = cls(RecordsConfig.from_settings(crawler.settings))
        pipeline.crawler = crawler
        return pipeline

    crawler: Crawler

    def open_spider(self) -> None:
        self.archive = self.crawler.get_extension(ArchiveExtension)
        if self.archive is None:
            raise RuntimeError(
                "RecordsPipeline needs pipelines.archive.extension.ArchiveExtension enabled"
            )
        from pipelines.resume.state import resume_of  # crash-resume: records a run before wrote

        self.resume = resume_of(self.crawler)
        if self.config.max_age:
            self._timer = task.LoopingCall(self._flush_if_old)
            self._timer.start(min(self.config.max_age, 30.0), now=False)

    def process_item(self, item: Any) -> Any:
        if not is_record(item):
            return item
        if self.resume is not None and self.resume.record_done(item["record_id"]):
            self.crawler.stats.inc_value("resume/records_already_written")
            raise DropItem(f"record {item['record_id']} already written", log_level="DEBUG")
        if self.batch is None:
            self.batch = self._new_batch()
        self.batch.add(item)
        self.crawler.stats.inc_value("records/written")
        if self.batch.count >= self.config.batch_size:
            self.flush()
        return item

    def _new_batch(self) -> RecordBatch:
        assert self.archive is not None
        folder = self.archive.spool("records")
        while True:
            self.serial += 1
            name = f"part-{self.serial:05d}-{self.archive.config.writer_id}.jsonl.gz"
            try:
                return RecordBatch(folder / name)
            except FileExistsError:
                continue  # left by an earlier run with this process id: take the next number

    def _flush_if_old(self) -> None:
        if self.batch is not None and time.monotonic() - self.batch.opened >= self.config.max_age:
            self.flush()

    def flush(self) -> None:
        if self.batch is None:
            return
        batch, self.batch = self.batch, None
        path = batch.close()
        assert self.archive is not None
        self.archive.publish(path, "records", batch.count)

    def close_spider(self) -> None:
        if self._timer is not None and self._timer.running:
            self._timer.stop()
        self.flush()
