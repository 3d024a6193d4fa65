"""The archive side of a crawl as one Scrapy extension: built once, wired at construction.

``from_crawler`` settles the crawl's identity, opens its store, and builds, in this order:
the resume state when JOBDIR is set (torn files repaired and the crawl's archived responses
indexed before anything new is written), the :class:`Archive` (spool, uploads, report,
manifest) and the :class:`WarcCapture` (every exchange into rotating WARC files). It connects
them to Scrapy's signals; nothing looks them up later. The item pipelines and the replay
middleware take what they need from it in their own ``from_crawler``, through its base class
``pipelines.archive.context.ArchiveContext``, so that no feature imports this module.

With JOBDIR, the crawl takes the folder for its process first (``hold_jobdir``): a second crawl
on the same JOBDIR is refused before it writes anything. The spider's close reason goes to the
archive, which alone decides whether the crawl is complete; a write that fails anywhere in the
archive stops the crawl (the spider closes with ``write_failed``).
"""

from __future__ import annotations

import logging
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self

from scrapy import signals
from scrapy.utils.defer import deferred_from_coro, maybe_deferred_to_future
from twisted.internet.defer import Deferred

from crawler.frontier.keys import shared_crawl_id
from crawler.redaction import redacted_settings
from crawler.signals import tls_refused, write_failed
from crawler.state.extension import crawl_state
from pipelines.archive.config import ArchiveConfig
from pipelines.archive.context import ArchiveContext
from pipelines.archive.diskfull import watch_log_files
from pipelines.archive.identity import hold_jobdir, identify
from pipelines.archive.session import OUTCOME, Archive
from pipelines.archive.spool import CrawlSpool
from pipelines.archive.summary import archive_summary
from pipelines.resume.config import ResumeConfig
from pipelines.resume.repair import index_closed_warcs
from pipelines.resume.state import ResumeState
from pipelines.signals import article_extracted
from pipelines.storage import open_store
from pipelines.storage.config import StoreConfig
from pipelines.warc.capture import WarcCapture
from pipelines.warc.config import WarcConfig

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.signalmanager import SignalManager
    from twisted.python.failure import Failure

logger = logging.getLogger(__name__)

WRITE_FAILED = "write_failed"  # the spider's close reason when a write failed


class ArchiveExtension(ArchiveContext):
    resume: ResumeState | None

    def __init__(self, archive: Archive, capture: WarcCapture, resume: ResumeState | None) -> None:
        self.archive = archive
        self.capture = capture
        self.resume = resume

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        config = ArchiveConfig.from_settings(settings)
        jobdir = ResumeConfig.from_settings(settings).jobdir
        store_config = StoreConfig.from_settings(settings)
        warc_config = WarcConfig.from_settings(settings)
        if held := str(settings.get("JOBDIR") or "").strip():
            hold_jobdir(Path(held))  # one process per JOBDIR, before anything is read there
        shared = None
        if settings.get("REDIS_URL"):  # several processes, one crawl (crawler.frontier)
            shared = partial(shared_crawl_id, settings)
        identity = identify(config, jobdir, shared)
        store = open_store(config.uri, store_config.options)
        resume = None
        if jobdir is not None:
            spool = CrawlSpool(config.spool_dir, identity.crawl_id)
            resume = ResumeState(jobdir, spool, store, crawler.stats)
            resume.open()  # here, not at engine start: a failure must stop the crawl
        archive = Archive(
            config,
            identity,
            store_config,
            store,
            crawler.stats,
            redacted_settings(settings),
            jobdir=jobdir,
        )
        reactor = archive.reactor
        archive.on_failure = lambda: reactor.callLater(0, stop_crawl, crawler, reactor)
        archive.report_sections["summary"] = lambda: archive_summary(archive).to_dict()
        # an interrupted crawl's closed WARC files without their index, indexed before they go
        archive.recovery.prepare = partial(index_closed_warcs, store=store, stats=crawler.stats)
        state = crawl_state(settings)  # scheduled re-crawls (crawler.state), None when off
        capture = WarcCapture(warc_config, archive, crawler.stats, state=state)
        extension = cls(archive, capture, resume)
        extension.connect(crawler.signals)
        if resume is not None and resume.failed is not None:
            archive.write_failed(*resume.failed)  # the crawl stops once its engine runs
        archive.start()
        return extension

    def connect(self, signal_manager: SignalManager) -> None:
        signal_manager.connect(self.engine_started, signal=signals.engine_started)
        signal_manager.connect(self.capture.response_downloaded, signal=signals.response_downloaded)
        signal_manager.connect(self.capture.write_metadata, signal=article_extracted)
        signal_manager.connect(self.capture.write_refusal, signal=tls_refused)
        signal_manager.connect(self.archive.write_failed, signal=write_failed)  # crawl state
        signal_manager.connect(self.capture.close, signal=signals.spider_closed)
        signal_manager.connect(self.archive.spider_closed, signal=signals.spider_closed)
        signal_manager.connect(self.engine_stopped, signal=signals.engine_stopped)

    def engine_started(self) -> None:
        archive = self.archive  # Scrapy has set up its log handler (again) by now: watch its file
        watch_log_files(lambda *full: archive.reactor.callFromThread(archive.write_failed, *full))
        self.archive.recover()  # send what earlier runs left before new files are written
        self.capture.open()
        if archive.failure is not None and archive.on_failure is not None:
            archive.on_failure()  # a write failed before the engine ran (a full disk): stop now

    async def engine_stopped(self) -> None:
        try:
            await maybe_deferred_to_future(Deferred.fromCoroutine(self.archive.close()))
        finally:
            if self.resume is not None:
                self.resume.close()
        outcome = self.archive.stats.get_value(OUTCOME)
        logger.info("crawl summary:\n%s", archive_summary(self.archive, outcome).text())


def stop_crawl(crawler: Crawler, reactor: Any, waited: int = 0) -> None:
    """Close the spider with ``write_failed``: no new request is sent, those in flight end. An
    engine still starting is waited for (a write failed before it ran: a full disk)."""
    engine = crawler.engine
    if engine is None or engine.spider is None:
        return  # already closed, or before the engine: engine_started stops it then
    if not engine.running and waited < 100:
        reactor.callLater(0.01, stop_crawl, crawler, reactor, waited + 1)
        return
    closing = deferred_from_coro(engine.close_spider_async(reason=WRITE_FAILED))
    closing.addErrback(_log_stop_failure)


def _log_stop_failure(failure: Failure) -> None:
    logger.error("could not stop the crawl after a failed write: %s", failure.getErrorMessage())
