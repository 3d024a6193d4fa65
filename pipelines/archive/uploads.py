"""Uploads of closed spool files into the store: off the reactor, retried until the crawl ends.

Stores block (boto3, disk), so each attempt runs in a thread pool of the uploader's own, never
the reactor's: Scrapy resolves host names in the reactor's pool, and an upload stuck on a slow
network must not stall the crawl's DNS. A failed attempt is retried after an exponential back-off
with jitter, scheduled on the reactor; one attempt is bounded by the store client's timeouts.
Retries go on for as long as the crawl runs; at its end `drain` waits until a deadline, and what
is still not stored stays in the spool for the next start or ``scrapy upload-pending``.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from scrapy.statscollectors import StatsCollector
from twisted.internet.defer import Deferred, TimeoutError
from twisted.internet.threads import deferToThreadPool
from twisted.python.failure import Failure
from twisted.python.threadpool import ThreadPool

from pipelines.archive.coordination import STARTED
from pipelines.archive.spool import ConflictError, CrawlSpool, LedgerEntry
from pipelines.storage import Store
from pipelines.storage.config import StoreConfig

logger = logging.getLogger(__name__)

T = TypeVar("T")
_PERMANENT = (ConflictError, FileNotFoundError, ValueError)  # retrying cannot help


@dataclass(eq=False)
class _Upload:
    spool: CrawlSpool
    path: Path
    records: int | None
    recovered: bool  # left by an earlier run: its record count is looked up in the spool
    waiters: list[Deferred[LedgerEntry | None]] = field(default_factory=list)
    late: bool = False  # submitted after the drain deadline: it gets one attempt
    attempts: int = 0
    timer: Any = None  # the IDelayedCall of the next attempt, while waiting for it


class _Skipped(Exception):
    """An attempt that had not started by the drain deadline: the file stays in the spool."""


class Uploader:
    def __init__(
        self,
        store: Store,
        config: StoreConfig,
        stats: StatsCollector,
        reactor: Any,
        rng: random.Random | None = None,
    ) -> None:
        self.store = store
        self.config = config
        self.stats = stats
        self.reactor = reactor
        self.rng = rng or random.Random()
        self.pool = ThreadPool(minthreads=0, maxthreads=config.upload_threads, name="uploads")
        self._uploads: dict[Path, _Upload] = {}
        self._idle: list[Deferred[None]] = []
        self._past_deadline = False

    def start(self) -> None:
        self.pool.start()
        self.reactor.addSystemEventTrigger("during", "shutdown", self.stop)

    def stop(self) -> None:
        for upload in list(self._uploads.values()):
            self._cancel(upload)
        if self.pool.started:
            self.pool.stop()

    def run(self, function: Callable[..., T], *args: Any) -> Deferred[T]:
        """Blocking work in the uploader's threads."""
        return deferToThreadPool(self.reactor, self.pool, function, *args)

    @property
    def pending(self) -> int:
        return len(self._uploads)

    def submit(
        self, spool: CrawlSpool, path: Path, records: int | None, *, recovered: bool = False
    ) -> Deferred[LedgerEntry | None]:
        """Store `path`; the Deferred fires with its ledger entry, or None if it stays in the
        spool. It never fails. A file already on its way is not sent twice."""
        upload = self._uploads.get(path)
        if upload is None:
            upload = self._uploads[path] = _Upload(
                spool, path, records, recovered, late=self._past_deadline
            )
            self._attempt(upload)
        waiter: Deferred[LedgerEntry | None] = Deferred()
        upload.waiters.append(waiter)
        return waiter

    async def drain(self, deadline: float) -> None:
        """Wait for every upload, retrying until `deadline` (reactor seconds). Past it, no new
        attempt starts: those in flight finish, the others stay in the spool, and files
        submitted from then on get one attempt each."""
        while self._uploads:
            remaining = deadline - self.reactor.seconds()
            if remaining <= 0:
                break
            idle: Deferred[None] = Deferred()
            self._idle.append(idle)
            idle.addTimeout(remaining, self.reactor)
            try:
                await idle
            except TimeoutError:
                break
        if not self._uploads:
            return
        self._past_deadline = True
        for upload in list(self._uploads.values()):
            self._cancel(upload)
        while self._uploads:  # attempts in flight, each bounded by the store's timeouts
            idle = Deferred()
            self._idle.append(idle)
            await idle

    def _attempt(self, upload: _Upload) -> None:
        upload.timer = None
        upload.attempts += 1
        d = self.run(self._store, upload)
        d.addCallbacks(self._stored, self._failed, callbackArgs=(upload,), errbackArgs=(upload,))

    def _store(self, upload: _Upload) -> LedgerEntry:
        """One attempt, in an upload thread. Attempts still queued at the deadline (the pool
        was busy) are skipped, so that the crawl ends in bounded time."""
        if self._past_deadline and not (upload.late and upload.attempts == 1):
            raise _Skipped
        started = upload.spool.announce(self.store)  # nothing of a writer goes up before it
        if upload.path == upload.spool.marker_path(STARTED):
            entry = started or upload.spool.entry_of(upload.path)
            if entry is None:
                raise FileNotFoundError(f"{upload.path} is gone and not journaled as stored")
            return entry
        records = upload.spool.records_of(upload.path) if upload.recovered else upload.records
        return upload.spool.store_file(self.store, upload.path, records)

    def _stored(self, entry: LedgerEntry, upload: _Upload) -> None:
        self.stats.inc_value(f"archive/stored/{entry.kind}")
        self.stats.inc_value(f"archive/stored_bytes/{entry.kind}", entry.size)
        logger.info(
            "stored %s%s (%d bytes, sha256 %s)", self.store.uri, entry.key, entry.size, entry.sha256
        )
        self._settle(upload, entry)

    def _failed(self, failure: Failure, upload: _Upload) -> None:
        kind, key = upload.spool.key_of(upload.path)
        if isinstance(failure.value, _Skipped):
            self._settle(upload, None)
            return
        self.stats.inc_value(f"archive/store_failed/{kind}")
        error = failure.getErrorMessage()
        if isinstance(failure.value, _PERMANENT) or getattr(failure.value, "permanent", False):
            # a missing bucket or refused credentials: retrying cannot help either
            logger.error("could not store %s as %s: %s", upload.path, key, error)
            self._settle(upload, None)
        elif self._past_deadline:
            logger.warning(
                "could not store %s as %s (attempt %d): %s; it stays in the spool",
                upload.path,
                key,
                upload.attempts,
                error,
            )
            self._settle(upload, None)
        else:
            delay = self._delay(upload.attempts)
            logger.warning(
                "could not store %s as %s in %s (attempt %d): %s; retrying in %.1fs",
                upload.path,
                key,
                self.store.uri,
                upload.attempts,
                error,
                delay,
            )
            upload.timer = self.reactor.callLater(delay, self._attempt, upload)

    def _delay(self, attempts: int) -> float:
        """Exponential back-off with jitter: half the step fixed, half random, so that many
        failed uploads do not all retry at the same moment."""
        step = min(
            self.config.retry_max_delay,
            self.config.retry_initial_delay * 2.0 ** min(attempts - 1, 30),
        )
        return step / 2 + self.rng.uniform(0, step / 2)

    def _cancel(self, upload: _Upload) -> None:
        if upload.timer is not None and upload.timer.active():
            upload.timer.cancel()
            self._settle(upload, None)

    def _settle(self, upload: _Upload, entry: LedgerEntry | None) -> None:
        self._uploads.pop(upload.path, None)
        for waiter in upload.waiters:
            waiter.callback(entry)
        if not self._uploads:
            idle, self._idle = self._idle, []
            for idle_waiter in idle:
                if not idle_waiter.called:
                    idle_waiter.callback(None)
