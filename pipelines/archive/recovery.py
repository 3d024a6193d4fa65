"""What earlier runs left in the spool, sent when a crawl's engine starts.

First the crawl's own files (a resumed crawl, or one whose process died), listed before this run
closes a file of its own; then, with ``STORE_RECOVER_AT_START``, other crawls' files for the same
store, unless a live process holds their spool, and their manifests once those are stored. A
closed WARC file whose CDXJ index a kill prevented (the process died between the two) is indexed
before it goes up: ``prepare``, pipelines.resume.repair's ``index_closed_warcs``, which this
package cannot import. All of it runs off the reactor, on the uploader's threads.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from scrapy.statscollectors import StatsCollector
from twisted.internet.defer import Deferred, DeferredList, succeed

from pipelines.archive import notices
from pipelines.archive.spool import CrawlSpool, LedgerEntry, crawls, upload_order
from pipelines.archive.uploads import Uploader
from pipelines.storage import Store

logger = logging.getLogger("pipelines.archive.session")

Prepare = Callable[[CrawlSpool, list[Path] | None], list[Path]]  # the indexes it wrote


class Recovery:
    def __init__(
        self,
        spool: CrawlSpool,
        store: Store,
        archive_uri: str,  # as the user gave it, for the lines that say how to go on
        uploader: Uploader,
        stats: StatsCollector,
    ) -> None:
        self.spool = spool
        self.store = store
        self.archive_uri = archive_uri
        self.uploader = uploader
        self.stats = stats
        self.prepare: Prepare | None = None
        self.own: Deferred[None] = succeed(None)  # fires once the own files are submitted
        self.others: list[Deferred[None]] = []  # fire once another crawl is sent and finalised

    def start(self, spool_dir: Path | None) -> None:
        """Send this crawl's leftovers, and other crawls' in ``spool_dir`` if one is given."""
        left = self.spool.waiting()  # before this run closes a file of its own
        self.own = Deferred.fromCoroutine(self._recover_own(left))
        for other in crawls(spool_dir) if spool_dir is not None else []:
            info = other.info() or {}
            if other.crawl_id == self.spool.crawl_id or info.get("store") != self.store.uri:
                continue
            if not other.lock(exclusive=True):
                logger.info("spool %s is in use by a running crawl: left to it", other.folder)
                continue
            self.others.append(Deferred.fromCoroutine(self._recover(other)))

    async def finalise(self, spool: CrawlSpool) -> bool:
        """Write the crawl's manifest if it is time, or say what it waits for; whether it was
        written."""
        try:
            key = await self.uploader.run(spool.finalise, self.store)
            left = await self.uploader.run(spool.waiting)
        except Exception as exc:
            logger.error("could not write the manifest of %s: %s", spool.crawl_id, exc)
            return False
        return notices.finalised(key, left, spool, self.store.uri, self.archive_uri)

    def _resubmit(self, spool: CrawlSpool, path: Path) -> Deferred[LedgerEntry | None]:
        kind, key = spool.key_of(path)
        self.stats.inc_value(f"archive/recovered/{kind}")
        logger.info("uploading %s, left in the spool by an earlier run, as %s", path, key)
        return self.uploader.submit(spool, path, None, recovered=True)

    async def _prepare(self, spool: CrawlSpool, warcs: list[Path] | None) -> list[Path]:
        """Index the closed WARC files (``warcs``, or all of the spool's) that an interrupted
        run left without their index; the indexes written."""
        if self.prepare is None:
            return []
        try:
            return await self.uploader.run(self.prepare, spool, warcs)
        except Exception as exc:  # the files go up all the same; `verify` names what is missing
            logger.error("could not index the WARC files left in %s: %s", spool.folder, exc)
            return []

    async def _recover_own(self, left: list[Path]) -> None:
        if warcs := [path for path in left if path.parent.name == "warc"]:
            left = sorted(left + await self._prepare(self.spool, warcs), key=upload_order)
        for path in left:
            self._resubmit(self.spool, path)

    async def _recover(self, spool: CrawlSpool) -> None:
        try:
            await self._prepare(spool, None)
            await DeferredList([self._resubmit(spool, path) for path in spool.waiting()])
            await self.finalise(spool)
        finally:
            spool.unlock()
