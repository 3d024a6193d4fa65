"""The archive of one crawl: its store, its identity, its spool, and the ledger of what it stored.

Components that produce files (WARC writer, records pipeline, indexes) write them into the local
spool and hand them to :meth:`Archive.publish`, which notes them in the spool's journal and has the
uploader store them off the reactor, retrying until the crawl ends. When the engine stops, after
every component has closed (``Archive.close``), uploads get ``STORE_DRAIN_TIMEOUT`` seconds to
settle; then the crawl report and, last, the manifest are stored: its presence means the crawl's
objects are all there. Whatever could not be stored stays in the spool (see
pipelines/archive/spool.py) and goes up at the next start or with ``scrapy upload-pending``, which
also writes the manifest. Several processes may share one crawl id: each stores its own report
part and markers, and the manifest is written once, by the last to finish
(pipelines/archive/coordination.py).

Only a crawl whose spider closed with ``finished`` (its frontier empty) and whose every write
succeeded is complete. Any other end (a signal, a ``CLOSESPIDER_*`` limit, a failed write) is a
pause: the files are closed and stored (or left in the spool), but no report, no finished marker
and no manifest are written, so the same command with the same JOBDIR finishes the crawl. A failed
write (:meth:`Archive.write_failed`) stops the crawl at once; one that failed for want of space
is outcome ``disk_full`` (pipelines/archive/diskfull.py). The outcome is left in the stats as
``archive/outcome`` (``complete``, ``stopped``, ``disk_full`` or ``spooled``) for ``scrapy
crawl``'s exit status.

Archive layout under ``ARCHIVE_URI`` (see README):
``{kind}/{crawl}/{name}`` (``warc``, ``records``, ``indexes``...),
``reports/{crawl}/{host}-{pid}.json``, ``writers/{crawl}/{writer}.started.json`` and
``.finished.json``, ``manifests/{crawl}.json`` and ``manifests/{crawl}.json.sha256``.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from scrapy.statscollectors import StatsCollector
from twisted.internet.defer import Deferred, DeferredList, succeed

from crawler import timestamps
from pipelines.archive import diskfull, notices
from pipelines.archive.config import ArchiveConfig
from pipelines.archive.identity import CrawlIdentity
from pipelines.archive.liveness import WriterLock
from pipelines.archive.recovery import Recovery
from pipelines.archive.spool import (
    INFO,
    JOURNAL,
    MANIFEST_VERSION,
    ConflictError,
    CrawlSpool,
    LedgerEntry,
)
from pipelines.archive.uploads import Uploader
from pipelines.archive.versions import software_versions
from pipelines.storage import Store, StoreError
from pipelines.storage.base import json_bytes
from pipelines.storage.config import StoreConfig

logger = logging.getLogger(__name__)

__all__ = ["MANIFEST_VERSION", "OUTCOME", "Archive", "LedgerEntry"]

OUTCOME = "archive/outcome"  # stats: "complete", "stopped", "disk_full" (resumable), "spooled"


class Archive:
    def __init__(
        self,
        config: ArchiveConfig,
        identity: CrawlIdentity,
        store_config: StoreConfig,
        store: Store,
        stats: StatsCollector,
        settings: dict[str, Any],
        reactor: Any = None,
        jobdir: Path | None = None,
    ) -> None:
        self.config = config
        self.identity = identity
        self.store_config = store_config
        self.store = store
        self.stats = stats
        self.settings = settings
        self.reactor = reactor if reactor is not None else _installed_reactor()
        self.crawl_spool = CrawlSpool(config.spool_dir, identity.crawl_id)
        self.uploader = Uploader(store, store_config, stats, self.reactor)
        self.writer_lock = WriterLock(config.spool_dir, identity.writer_id)  # while it writes
        # what earlier runs left; its `prepare` writes the WARC indexes a kill left unwritten
        self.recovery = Recovery(self.crawl_spool, store, config.uri, self.uploader, stats)
        self.jobdir = jobdir  # with JOBDIR, the crawl resumes from it
        self.on_failure: Callable[[], None] | None = None  # stops the crawl (the extension's)
        self.finish_reason: str | None = None  # the spider's, when it closes
        self.failure: str | None = None  # the first write that failed: "{path}: {error}"
        self.disk_full: str | None = None  # the line saying the crawl stopped on a full disk
        self.report_sections: dict[str, Callable[[], Any]] = {}  # more of it: summary, hosts

    @property
    def crawl_id(self) -> str:
        return self.identity.crawl_id

    @property
    def writer_id(self) -> str:
        return self.identity.writer_id

    @property
    def complete(self) -> bool:
        """Only a crawl whose frontier is empty and whose every write succeeded is complete."""
        return self.finish_reason == "finished" and self.failure is None

    def spider_closed(self, reason: str) -> None:
        self.finish_reason = reason

    def write_failed(self, path: Path, error: BaseException) -> None:
        """A file of the crawl could not be written (a full disk...): the crawl stops now and
        is not complete; what it fetched and could not keep is fetched again when resumed."""
        self.stats.inc_value("archive/write_failed")
        if self.failure is not None:
            logger.debug("could not write %s either: %s", path, error)
            return
        self.failure = f"{path}: {error}"
        if diskfull.is_disk_full(error):  # its own outcome and line: free space, run it again
            self.disk_full = diskfull.notice(self.crawl_id, path, self.jobdir)
            self.stats.set_value(diskfull.DISK_FULL, str(diskfull.folder_of(path)))
            logger.error("%s", self.disk_full)
        else:
            logger.error("could not write %s: %s; the crawl stops", path, error)
        if self.on_failure is not None:
            self.on_failure()

    def start(self) -> None:
        """Note the crawl in the spool (so any process can finish it) and start the uploader.
        The writer's lock is taken first: from then on its spool files are known to be live. A
        write that fails here (a full disk) stops the crawl as soon as its engine runs."""
        if not self.writer_lock.take():  # only another crawl of this process can hold it
            logger.warning("writer %s is held by another crawl of this process", self.writer_id)
        try:
            self.crawl_spool.write_info(
                {
                    "crawl_id": self.crawl_id,
                    "seedset": self.identity.seedset,
                    "writer": self.identity.writer_id,
                    "started_at": timestamps.rfc3339(self.identity.started_at),
                    "store": self.store.uri,
                    "software": software_versions(),
                    "settings": self.settings,
                }
            )
        except OSError as exc:
            self.write_failed(self.crawl_spool.folder / INFO, exc)
        self.crawl_spool.lock(exclusive=False)
        self._announce()
        self.uploader.start()
        logger.info("crawl %s archiving into %s", self.crawl_id, self.store.uri)

    def _announce(self) -> None:
        """Store this writer's started marker before the first request, so that no other process
        of the crawl writes the manifest without this one's objects. A crawl that is complete
        cannot be joined (ConflictError stops it); a store that cannot be reached now gets the
        marker from the uploader, before any other file of this writer."""
        try:
            self.crawl_spool.announce(self.store)
        except ConflictError:
            raise
        except StoreError as exc:
            logger.warning("the started marker of %s waits for the store: %s", self.crawl_id, exc)

    def spool(self, kind: str) -> Path:
        """The local folder where files of this kind are written before they are stored."""
        return self.crawl_spool.kind_folder(kind)

    def publish(
        self, path: Path, kind: str, records: int | None = None
    ) -> Deferred[LedgerEntry | None]:
        """Store a closed spool file ``{spool}/{crawl}/{kind}/{name}`` under
        ``{kind}/{crawl}/{name}``, off the reactor, retrying until the crawl ends.

        The Deferred fires with the ledger entry, or None if the file stays in the spool (it
        goes up at the next start or with ``scrapy upload-pending``). It never fails."""
        if path.parent != self.crawl_spool.folder / kind:
            raise ValueError(f"{path} is not a {kind!r} file of {self.crawl_spool}")
        try:
            self.crawl_spool.note_closed(path, kind, records)
        except OSError as exc:  # kept in the spool, unjournaled: it goes up when resumed
            self.write_failed(self.crawl_spool.folder / JOURNAL, exc)
            return succeed(None)
        return self.uploader.submit(self.crawl_spool, path, records)

    def recover(self) -> None:
        """Send what earlier runs left (pipelines/archive/recovery.py), before this run closes
        a file of its own: this crawl's files, then other crawls' for this store."""
        self.recovery.start(self.config.spool_dir if self.store_config.recover_at_start else None)

    async def close(self) -> None:
        """Wait for uploads until the drain deadline; then, if the crawl is complete, store the
        report and the manifest, or say what is left in the spool and how to send it; if it is
        not, say how to resume it. The outcome goes into the stats (``archive/outcome``)."""
        deadline = self.reactor.seconds() + self.store_config.drain_timeout
        try:
            await self.recovery.own  # its files are submitted before the drain waits for them
            await self.uploader.drain(deadline)
            if self.complete:
                await self._finish()
            if self.complete:
                self.uploader.submit(self.crawl_spool, self.crawl_spool.report_path, None)
                await self.uploader.drain(deadline)
            await DeferredList(self.recovery.others)
            self.stats.set_value(OUTCOME, await self._outcome())
        finally:
            self.crawl_spool.unlock()
            self.uploader.stop()
            self.writer_lock.release()  # every file of this writer is closed, or left torn

    async def _finish(self) -> None:
        """Write the report and the finished marker: from now on the manifest may follow."""
        try:
            await self.uploader.run(
                self.crawl_spool.finish,
                {"finished_at": timestamps.utc_now()},
                json_bytes(self.report()),
            )
        except OSError as exc:
            self.write_failed(self.crawl_spool.folder, exc)

    async def _outcome(self) -> str:
        if not self.complete and self.disk_full is not None:
            return "disk_full"  # resumable too; its one line said so when the disk filled
        if not self.complete:
            why = f"a write failed: {self.failure}" if self.failure else self.finish_reason
            notices.paused(self.crawl_id, why, self.crawl_spool.folder, self.jobdir)
            return "stopped"
        # Several processes may write one crawl: the last one to finish writes the manifest.
        if not self.crawl_spool.lock(exclusive=True):
            logger.info(
                "other processes still write crawl %s: the last one writes its manifest",
                self.crawl_id,
            )
            return "complete"
        return "complete" if await self.recovery.finalise(self.crawl_spool) else "spooled"

    def report(self) -> dict[str, Any]:
        return {
            "crawl_id": self.crawl_id,
            "seedset": self.identity.seedset,
            "stats": json.loads(json.dumps(self.stats.get_stats(), default=timestamps.json_value)),
            **{name: section() for name, section in self.report_sections.items()},
        }


def _installed_reactor() -> Any:
    from twisted.internet import reactor

    return reactor
