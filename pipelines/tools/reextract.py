"""Re-extraction: the current extractor run again over a crawl's WARCs, into a new record set.

``scrapy reextract ARCHIVE_URI --crawl ID`` reads ``warc/{crawl}/`` from any store (the items are
rebuilt by ``pipelines.warc.reader``), extracts every article again and writes, beside the crawl's
own
records and never over them::

    reextracted/{crawl}/{tag}/part-{n:05d}.jsonl.gz    clean records, schema 1
    reextracted/{crawl}/{tag}/manifest.json             written last: the set is complete

where ``tag`` names the extractor: its version and the first 12 hex digits of its config hash.
Revisit records (a re-crawl's unchanged pages) are not articles to extract: each points at an
earlier capture, whose record its own crawl holds. They are counted (``revisits``), not read.

It is deterministic. Records are written in WARC order whatever the number of workers, serialised
as the records pipeline serialises them (fixed key order, gzip with a zero mtime), and the
manifest holds no clock time, so the same WARCs and the same extractor config give byte-identical
output. A record's id derives from its WARC record and the extractor config, so with an unchanged
extractor every record equals the crawl's own, field for field.
"""

from __future__ import annotations

import gzip
import hashlib
import logging
import re
import tempfile
import zlib
from collections import Counter, deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from crawler.items import ArticleItem
from pipelines.archive.versions import software_versions
from pipelines.extract.core import (
    CONFIG_SHA256,
    EXTRACTOR_NAME,
    Extraction,
    extract,
    extractor_version,
)
from pipelines.extract.pool import ExtractionPool
from pipelines.records import clean_record
from pipelines.records.pipeline import RecordBatch
from pipelines.storage import ObjectExistsError, Store, StoredObject
from pipelines.storage.base import json_bytes
from pipelines.tools.revisits import revisit_count
from pipelines.warc.reader import article_metadata, articles, warc_keys

logger = logging.getLogger(__name__)

MANIFEST = "manifest.json"
Outcome = Extraction | None | Exception


class ReextractError(Exception):
    """The re-extraction cannot be done (nothing to read, or its output is already there)."""


@dataclass(frozen=True, slots=True)
class Result:
    prefix: str  # where the record set is, in the target store
    counts: dict[str, int]  # articles, ok, empty, failed, revisits (skipped)
    objects: tuple[StoredObject, ...]  # the parts, then the manifest


def extractor_info() -> dict[str, str]:
    return {"name": EXTRACTOR_NAME, "version": extractor_version(), "config_sha256": CONFIG_SHA256}


def set_tag(extractor: dict[str, str]) -> str:
    """``2.3.1+cleanup.1`` and a config hash -> ``2.3.1-cleanup.1-5eb3c4e72d0f``."""
    version = re.sub(r"[^A-Za-z0-9._]+", "-", extractor["version"]).strip("-")
    return f"{version}-{extractor['config_sha256'][:12]}"


def reextract(
    source: Store, crawl_id: str, target: Store, *, workers: int = 1, batch_size: int = 1000
) -> Result:
    extractor = extractor_info()
    prefix = f"reextracted/{crawl_id}/{set_tag(extractor)}/"
    if target.exists(prefix + MANIFEST):
        raise ReextractError(
            f"{target.uri} already holds the records of this extractor for crawl {crawl_id} "
            f"({prefix}); records are never overwritten"
        )
    keys = warc_keys(source, crawl_id)
    if not keys:
        raise ReextractError(f"no WARC files under warc/{crawl_id}/ in {source.uri}")
    metadata = article_metadata(source, keys)
    revisits = revisit_count(source, crawl_id, keys)
    if not metadata and not revisits:
        raise ReextractError(
            f"the WARC files of crawl {crawl_id} hold no article metadata records (no articles, "
            "or written before newsarchive wrote them): nothing to extract"
        )
    logger.info(
        "crawl %s: %d WARC files, %d articles, %d revisit records (not extracted: each points "
        "at an earlier capture)",
        crawl_id,
        len(keys),
        len(metadata),
        revisits,
    )
    sources: list[StoredObject] = []
    counts: Counter[str] = Counter(articles=0, ok=0, empty=0, failed=0, revisits=revisits)
    with tempfile.TemporaryDirectory(prefix="newsarchive-reextract-") as tmp:
        parts = _Parts(Path(tmp), target, prefix, batch_size)
        items = articles(source, keys, metadata, sources)
        for item, outcome in extracted(items, workers):
            record = _recorded(item, outcome, counts, crawl_id, extractor)
            if record is not None:
                parts.add(record)
        stored = parts.close()
    manifest = {
        "crawl_id": crawl_id,
        "extractor": extractor,
        "counts": dict(counts),
        "sources": [asdict(warc) for warc in sources],
        "objects": [asdict(obj) for obj in stored],
        "software": software_versions(),
    }
    data = json_bytes(manifest)
    return Result(prefix, dict(counts), (*stored, target.put_bytes(data, prefix + MANIFEST)))


def _recorded(
    item: ArticleItem,
    outcome: Outcome,
    counts: Counter[str],
    crawl_id: str,
    extractor: dict[str, str],
) -> dict[str, Any] | None:
    """The clean record of one article, or None; counted either way."""
    counts["articles"] += 1
    if isinstance(outcome, Exception):
        counts["failed"] += 1
        logger.error(
            "extraction failed for %s (WARC %s at %d): %r",
            item.final_url,
            item.warc.filename,
            item.warc.offset,
            outcome,
        )
        return None
    if outcome is None:
        counts["empty"] += 1
        return None
    counts["ok"] += 1
    return clean_record(item, outcome, crawl_id=crawl_id, extractor=extractor)


def extracted(items: Iterable[ArticleItem], workers: int) -> Iterator[tuple[ArticleItem, Outcome]]:
    """Each item with its extraction, in the items' order. With several workers, at most
    ``2 x workers`` pages are in the pool at once."""
    if workers <= 1:
        for item in items:
            yield item, _extract_here(item)
        return
    with ExtractionPool(workers, timeout=None) as pool:
        window: deque[tuple[ArticleItem, Future[Extraction | None]]] = deque()
        for item in items:
            window.append((item, pool.submit(item.body, item.final_url, item.headers)))
            if len(window) >= 2 * workers:
                yield _settled(*window.popleft())
        while window:
            yield _settled(*window.popleft())


def _extract_here(item: ArticleItem) -> Outcome:
    try:
        return extract(item.body, item.final_url, item.headers)
    except Exception as exc:
        return exc


def _settled(item: ArticleItem, future: Future[Extraction | None]) -> tuple[ArticleItem, Outcome]:
    try:
        return item, future.result()
    except Exception as exc:
        return item, exc


class _Parts:
    """Record parts written locally and stored as each one fills."""

    def __init__(self, folder: Path, target: Store, prefix: str, batch_size: int) -> None:
        self.folder = folder
        self.target = target
        self.prefix = prefix
        self.batch_size = batch_size
        self.batch: RecordBatch | None = None
        self.stored: list[StoredObject] = []

    def add(self, record: dict[str, Any]) -> None:
        if self.batch is None:
            self.batch = RecordBatch(self.folder / f"part-{len(self.stored) + 1:05d}.jsonl.gz")
        self.batch.add(record)
        if self.batch.count >= self.batch_size:
            self._flush()

    def _flush(self) -> None:
        if self.batch is None:
            return
        path, self.batch = self.batch.close(), None
        self.stored.append(_put(self.target, path, self.prefix + path.name))
        path.unlink()

    def close(self) -> list[StoredObject]:
        self._flush()
        return self.stored


def _put(target: Store, path: Path, key: str) -> StoredObject:
    """Store a part. A part left by an interrupted run with the same extractor holds the same
    records, and is kept; one with other records is an error. The records are compared, not the
    compressed bytes: another build of the compressor (an upgrade between the two runs) writes
    the same records in other bytes."""
    try:
        return target.put_file(path, key)
    except ObjectExistsError:
        with target.get(key) as stream:
            stored = stream.read()
        if _records_of(stored) != _records_of(path.read_bytes()):
            raise ReextractError(f"{target.uri}: {key} exists and differs") from None
        return StoredObject(key, len(stored), hashlib.sha256(stored).hexdigest())


def _records_of(part: bytes) -> bytes | None:
    """A part's JSON lines; None for one that is not whole gzip (torn or damaged)."""
    try:
        return gzip.decompress(part)
    except (OSError, EOFError, zlib.error):
        return None
