"""Crash-resume: a crawl run with ``-s JOBDIR=...`` and killed at any moment finishes when the same
command is run again.

Scrapy's own JOBDIR state is not crash-safe (``requests.seen`` is written through a buffer, the disk
queues note their heads only at close), so it is switched off (``pipelines.resume.replay``) and the
crawl resumes from what the archive holds durably instead:

- **The crawl id** is kept in ``JOBDIR/newsarchive.json`` (``pipelines.archive.identity``), so
  the spool folder and the store keys continue.
- **Repair** (``pipelines.resume.repair``), at start, before anything is written: each torn
  ``*.warc.gz.open`` file of a dead writer keeps its complete records and loses its torn tail
  (logged and counted), then is closed, indexed and stored like any other; a torn records part
  is removed, as its articles are replayed and their records come again.
- **Replay**: every response archived by this crawl (CDXJ indexes in the spool and the store)
  is indexed by URL; ``pipelines.resume.replay.ReplayMiddleware`` answers a request for one of them
  with the archived response instead of fetching it again, so the spider sees what it saw the first
  time and rebuilds its frontier, and nothing is archived twice.
- **Exactly once**: the record ids in the crawl's closed and stored record parts are loaded;
  ``ResumePipeline`` drops an article whose record is among them before it is extracted (its
  record id is known from its WARC record), and ``RecordsPipeline`` drops such a record too.

Everything here runs once, at the crawl's start, before the reactor has work to do. The replay
index and the record ids are kept on disk (``pipelines.resume.ondisk``, in JOBDIR), not in memory:
a resumed crawl holds no per-URL state of its own.
"""

from __future__ import annotations

import gzip
import json
import logging
import os
import shutil
import uuid
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING

from scrapy.exceptions import NotConfigured

from pipelines.archive.context import ArchiveContext, archive_context
from pipelines.archive.spool import CrawlSpool
from pipelines.resume.ondisk import FILE_NAME, ResumeIndex
from pipelines.resume.repair import repair_spool
from pipelines.storage import ObjectMissingError, Store
from pipelines.warc import cdxj

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector

logger = logging.getLogger(__name__)

_READ = 1024 * 1024


# --- what the crawl already holds ----------------------------------------------------------------


def replay_index(spool: CrawlSpool, store: Store, index: ResumeIndex | None = None) -> ResumeIndex:
    """URL -> its last archived response, from the crawl's CDXJ indexes (spool, then store), added
    to `index` (a new one in memory without)."""
    index = ResumeIndex() if index is None else index
    for path in sorted(spool.kind_folder("indexes").glob(f"*{cdxj.SUFFIX}")):
        try:
            with open(path, encoding="utf-8") as lines:
                index.add_captures(_captures(lines))
        except FileNotFoundError:
            continue  # stored meanwhile: read from the store below
    for key in store.list(f"indexes/{spool.crawl_id}/"):
        if key.endswith(cdxj.SUFFIX):
            with store.get(key) as stream:
                index.add_captures(_captures(stream.read().decode("utf-8").splitlines()))
    return index


def _captures(lines: Iterable[str]) -> Iterator[cdxj.CdxjEntry]:
    """The responses of CDXJ lines (the index keeps the last capture of a URL fetched again)."""
    for line in lines:
        found = cdxj.parse_line(line)
        if found is None:
            continue  # a line torn by a crash: its page is fetched again
        if not found.status or found.mime == "warc/revisit":
            continue  # metadata and resources are not responses
        yield found


def stored_record_ids(spool: CrawlSpool, store: Store, ids: ResumeIndex) -> ResumeIndex:
    """Adds to `ids` the record ids in the crawl's closed record parts, in the spool and in the
    store."""
    for path in sorted(spool.kind_folder("records").glob("*.jsonl.gz")):
        try:
            with open(path, "rb") as stream:
                _read_ids(stream, ids)
        except FileNotFoundError:
            continue  # stored meanwhile: read from the store below
    for key in store.list(f"records/{spool.crawl_id}/"):
        if key.endswith(".jsonl.gz"):
            with store.get(key) as stream:
                _read_ids(stream, ids)
    return ids


def _read_ids(stream: IO[bytes], ids: ResumeIndex) -> None:
    with gzip.open(stream, "rb") as lines:
        ids.add_record_ids(json.loads(line)["record_id"] for line in lines)


# --- the Scrapy side -----------------------------------------------------------------------------


class FinishedCrawlError(RuntimeError):
    """JOBDIR names a crawl that has finished: it is not run again."""


class ResumeState:
    """Repairs, indexes and loads the crawl's state when it opens, before the engine starts (so
    before the archive sends what the spool holds, and before the WARC writer opens a file)."""

    def __init__(
        self, jobdir: Path, spool: CrawlSpool, store: Store, stats: StatsCollector
    ) -> None:
        self.jobdir = jobdir
        self.spool = spool
        self.store = store
        self.stats = stats
        self.index = ResumeIndex()  # made on disk, in JOBDIR, when the crawl opens
        self.cache = jobdir / "replay-cache"  # stored WARCs fetched for replay, removed at the end
        self.failed: tuple[Path, OSError] | None = None  # a repair that could not be written

    def open(self) -> None:
        manifest = f"manifests/{self.spool.crawl_id}.json"
        if self.store.exists(manifest):
            raise FinishedCrawlError(
                f"crawl {self.spool.crawl_id} of JOBDIR {self.jobdir} has finished "
                f"({self.store.uri}{manifest} is stored): give a new crawl a new JOBDIR"
            )
        try:
            repair_spool(self.spool, self.store, self.stats)
        except OSError as exc:  # a full disk: the archive stops the crawl, the repair waits
            self.failed = (Path(exc.filename or self.spool.folder), exc)
        self.index.close()
        self.index = ResumeIndex(self.jobdir / FILE_NAME)
        replay_index(self.spool, self.store, self.index)
        stored_record_ids(self.spool, self.store, self.index)
        responses, records = len(self.index), self.index.records()
        if responses or records:
            logger.info(
                "resuming crawl %s from JOBDIR %s: %d archived response(s) to replay, %d "
                "record(s) already written",
                self.spool.crawl_id,
                self.jobdir,
                responses,
                records,
            )

    def close(self) -> None:
        shutil.rmtree(self.cache, ignore_errors=True)
        self.index.close()

    def record_done(self, record_id: str) -> bool:
        return self.index.record_done(record_id)

    def read(self, archived: cdxj.CdxjEntry) -> bytes:
        """The gzip member of an archived record (blocking: run it in a thread)."""
        local = self.spool.folder / "warc" / archived.filename
        try:
            with open(local, "rb") as stream:
                return _read_range(stream, archived)
        except FileNotFoundError:
            pass  # stored and removed from the spool
        cached = self.cache / archived.filename
        if not cached.exists():
            key = f"warc/{self.spool.crawl_id}/{archived.filename}"
            with self.store.get(key) as stream:
                seekable = getattr(stream, "seekable", lambda: False)()
                if seekable:
                    return _read_range(stream, archived)
                self.cache.mkdir(parents=True, exist_ok=True)
                temp = cached.with_name(f".{cached.name}.{uuid.uuid4().hex}")
                with open(temp, "wb") as out:
                    shutil.copyfileobj(stream, out, _READ)
                os.replace(temp, cached)
        with open(cached, "rb") as stream:
            return _read_range(stream, archived)


def _read_range(stream: IO[bytes], archived: cdxj.CdxjEntry) -> bytes:
    stream.seek(archived.offset)
    data = stream.read(archived.length)
    if len(data) != archived.length:
        raise ObjectMissingError(
            f"{archived.filename} ends before {archived.offset}+{archived.length}"
        )
    return data


def resume_of(crawler: Crawler | None) -> ResumeState | None:
    """The crawl's resume state, taken from its archive when a component is built; None when
    crash-resume is off (no JOBDIR) or the crawl has no archive."""
    context = crawler.get_extension(ArchiveContext) if crawler is not None else None
    resume = context.resume if context is not None else None
    return resume if isinstance(resume, ResumeState) else None


def required_resume(crawler: Crawler, component: str) -> ResumeState:
    """The resume state for a component that only works with it: ``NotConfigured`` without."""
    resume = archive_context(crawler, component).resume
    if not isinstance(resume, ResumeState):
        # Without arguments: Scrapy then leaves the component out silently. Crash-resume off (no
        # JOBDIR) is the normal case, not something to warn about at every start.
        raise NotConfigured()
    return resume
