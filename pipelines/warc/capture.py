"""The WARC writer component: every HTTP exchange Scrapy downloads, archived as it came.

Connected to ``response_downloaded``, which Scrapy sends right after the download handler and
before any downloader middleware's ``process_response``: the body is still compressed as
received, and redirects, 4xx and 5xx responses, robots.txt, feeds and sitemaps all pass here.
Each exchange becomes a request record and a response record, written together into the
current spool file; the response record's pointer goes into ``request.meta["warc"]`` (and so
``response.meta["warc"]``) for the item pipelines. Closed files go to the archive's store.

How each exchange becomes its two records is ``pipelines.warc.exchange``.

Each file gets a CDXJ index (``pipelines.warc.cdxj``), built from the entries noted as exchanges
are written and stored as ``indexes/{crawl}/{name}.cdxj`` when the file closes. Each article gets
a metadata record (``pipelines.warc.metadata``) once its extraction has an outcome: the extraction
pipeline sends ``pipelines.signals.article_extracted`` and :meth:`WarcCapture.write_metadata`
receives it.

A write that fails (``OSError``: a full disk...) is never skipped: the archive stops the crawl,
and this writer writes nothing more. The open file keeps its torn tail, which crash-resume cuts
off (``pipelines.resume.repair``); the exchanges it did not keep are fetched again then. A WARC
whose index cannot be written stays in the spool unstored, and is indexed when the crawl resumes.
"""

from __future__ import annotations

import contextlib
import logging
from typing import TYPE_CHECKING, Any

from scrapy import Request
from scrapy.http import Response
from twisted.internet import task

from crawler.items import ArticleItem, WarcPointer
from crawler.meta import ARCHIVED_IN, PREVIOUS_CAPTURE, REVISIT, WARC_POINTER
from crawler.state.base import CrawlState
from pipelines.archive.spool import OPEN_SUFFIX
from pipelines.archive.versions import software_versions
from pipelines.warc import cdxj
from pipelines.warc import metadata as warcmeta
from pipelines.warc import tls as warctls
from pipelines.warc.config import WarcConfig
from pipelines.warc.exchange import HTTP_RESPONSE, exchange_records
from pipelines.warc.record import RecordFactory, build_record
from pipelines.warc.record import warc_date as format_date
from pipelines.warc.revisit import Originals, Revisit, revisit_of
from pipelines.warc.writer import ClosedWarc, RotatingWarcWriter

if TYPE_CHECKING:
    from scrapy.statscollectors import StatsCollector

    from pipelines.archive.session import Archive

logger = logging.getLogger(__name__)

__all__ = ["HTTP_RESPONSE", "WarcCapture"]


class WarcCapture:
    """Writes the crawl's WARC files into the archive's spool; built and connected to Scrapy's
    signals by ``pipelines.extension.ArchiveExtension``."""

    def __init__(
        self,
        config: WarcConfig,
        archive: Archive,
        stats: StatsCollector,
        factory: RecordFactory | None = None,
        state: CrawlState | None = None,
    ) -> None:
        self.config = config
        self.archive = archive
        self.state = state  # the crawl state (crawler.state), when the crawl keeps one
        self.stats = stats
        self.factory = factory or RecordFactory()
        self.writer: RotatingWarcWriter | None = None
        self._age_timer: task.LoopingCall | None = None
        self._index: dict[str, list[cdxj.CdxjEntry]] = {}  # entries of each open file, by name
        self._finished = False  # the spider closed: nothing more is written
        self._failed = False  # a write failed: nothing more is written
        self._originals: Originals | None = None  # what revisits may point at, when asked

    def open(self) -> None:
        """Start the first file (at engine start, once the archive has sent what earlier runs
        left in the spool)."""
        self.writer = RotatingWarcWriter(
            self.archive.spool("warc"),
            prefix=self.config.prefix,
            writer_id=self.archive.writer_id,
            max_size=self.config.max_size,
            max_age=self.config.max_age,
            warcinfo=self._warcinfo(),
            on_close=self._closed,
            factory=self.factory,
        )
        if self.config.max_age:
            self._age_timer = task.LoopingCall(self._rotate_if_old)
            self._age_timer.start(min(self.config.max_age, 60.0), now=False)

    def _warcinfo(self) -> list[tuple[str, str]]:
        versions = software_versions()
        identity = self.archive.identity
        return [
            ("software", f"newsarchive/{versions['newsarchive']} (scrapy/{versions['scrapy']})"),
            ("format", "WARC File Format 1.1"),
            (
                "conformsTo",
                "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/",
            ),
            ("isPartOf", identity.crawl_id),
            ("description", f"seed set {identity.seedset}"),
            ("http-header-user-agent", self.config.user_agent),
            ("robots", self.config.robots),
            ("hostname", identity.host),
        ]

    def _rotate_if_old(self) -> None:
        try:
            if self.writer is not None:
                self.writer.rotate_if_old()
        except OSError as exc:
            self._write_failed(exc)

    def response_downloaded(self, response: Response, request: Request) -> None:
        if self.writer is None:
            if self._failed:
                self.stats.inc_value("warc/not_archived")  # fetched again when resumed
            return
        revisit = self._revisit(request, response)
        try:
            pointers = self.writer.write(
                lambda f: exchange_records(
                    f,
                    request,
                    response,
                    self.config.redact_headers,
                    warctls.written(self.writer),
                    revisit,
                )
            )
        except OSError as exc:
            self._write_failed(exc)
            return
        except Exception:
            self.stats.inc_value("warc/write_failed")
            logger.exception("could not archive the response of %s", request.url)
            return
        request.meta[WARC_POINTER] = pointers[0]  # the response (or revisit) record
        request.meta[ARCHIVED_IN] = self.archive.identity.crawl_id
        request.meta.pop(REVISIT, None)  # a redirect's or retry's copy of the request
        if revisit is not None:
            request.meta[REVISIT] = revisit.profile
            self.stats.inc_value(f"warc/revisits/{revisit.name}")
        self._note(request.url, response, pointers[0], revisit)
        self.stats.inc_value("warc/exchanges")
        self.stats.inc_value("warc/records", len(pointers))  # 2, or 3 with a TLS chain record

    def _revisit(self, request: Request, response: Response) -> Revisit | None:
        """The revisit of the last full capture this exchange is archived as (incremental
        crawls), if that capture is in the archive; else it is no longer the one to refer to."""
        revisit = revisit_of(request, response)
        if revisit is None:
            return None
        if self._originals is None:
            self._originals = Originals(self.archive.store, self.archive.crawl_id)
        if self._originals.exist(revisit.refers_to):
            return revisit
        self.stats.inc_value("warc/revisit_original_missing")
        del request.meta[PREVIOUS_CAPTURE]  # a 304 is fetched again, in full
        return None

    def _note(
        self, url: str, response: Response, pointer: WarcPointer, revisit: Revisit | None
    ) -> None:
        """Index the response record as cdxj-indexer would index it from the file (an empty
        revisit has no HTTP status)."""
        content_types = response.headers.getlist(b"Content-Type")  # warcio reads the first
        mime = cdxj.mime_type(_header_text(content_types[0]) if content_types else None)
        entry = cdxj.CdxjEntry(
            url=url,
            date=pointer.date,
            mime=cdxj.REVISIT_MIME if revisit is not None else mime,
            status=str(response.status) if revisit is None or revisit.keeps_head else None,
            digest=pointer.payload_digest,
            length=pointer.length,
            offset=pointer.offset,
            filename=pointer.filename,
        )
        self._index.setdefault(pointer.filename, []).append(entry)

    def write_metadata(
        self,
        item: ArticleItem,
        outcome: str,
        extractor: dict[str, str],
        record: dict[str, Any] | None = None,
    ) -> None:
        """Archive the article's metadata record (see ``pipelines.warc.metadata``), once its
        extraction has an outcome ("ok" with its clean record, "empty" or "failed"): the
        receiver of the ``article_extracted`` signal."""
        if self.writer is None or self._finished:
            self.stats.inc_value("warc/metadata_not_written")
            if not self._failed:
                logger.error("metadata record of %s came after the WARC closed", item.final_url)
            return
        if record is not None and self.state is not None:  # no new version: name the last
            record = warcmeta.same_version(self.state, item.url, record)
        data = warcmeta.block(warcmeta.fields(item, outcome, extractor, record))
        response_id = item.warc.record_id
        links = [("WARC-Concurrent-To", response_id), ("WARC-Refers-To", response_id)]
        if self._write_metadata_record(item.final_url, data, links):
            self.stats.inc_value("warc/metadata")

    def write_refusal(self, request: Request, host: str, reason: str, detail: str) -> None:
        """Archive that an https request was refused in the TLS handshake (the receiver of the
        ``tls_refused`` signal): the archive shows the attempt, never a normal-looking response."""
        if self.writer is None or self._finished:
            return
        data = warctls.refusal_block(host, reason, detail)
        if self._write_metadata_record(request.url, data, []):
            self.stats.inc_value("warc/tls_refused")

    def _write_metadata_record(
        self, target_uri: str, data: bytes, links: list[tuple[str, str]]
    ) -> bool:
        assert self.writer is not None
        try:
            self.writer.write(
                lambda f: [
                    build_record(
                        "metadata",
                        data,
                        record_id=f.make_id(),
                        date=format_date(f.now()),
                        content_type=warcmeta.CONTENT_TYPE,
                        target_uri=target_uri,
                        headers=links,
                    )
                ]
            )
        except OSError as exc:
            self._write_failed(exc)
            return False
        except Exception:
            self.stats.inc_value("warc/write_failed")
            logger.exception("could not archive the metadata record of %s", target_uri)
            return False
        self.stats.inc_value("warc/records")
        return True

    def close(self) -> None:
        """Close the current file when the spider closes: nothing is written after that."""
        if self._age_timer is not None and self._age_timer.running:
            self._age_timer.stop()
        try:
            if self.writer is not None:
                self.writer.close()
        except OSError as exc:
            self._write_failed(exc)
        self._finished = True

    def _write_failed(self, error: OSError) -> None:
        """Write nothing more, leave the open file torn for crash-resume to repair, and have
        the archive stop the crawl."""
        writer, self.writer, self._failed = self.writer, None, True
        if self._age_timer is not None and self._age_timer.running:
            self._age_timer.stop()
        current = writer.current if writer is not None else None
        path = self.archive.spool("warc")
        if writer is not None and current is not None:
            writer.current = None
            path = current.path.with_name(current.path.name + OPEN_SUFFIX)
            with contextlib.suppress(OSError):
                current._stream.close()
        self.archive.write_failed(path, error)

    def _closed(self, closed: ClosedWarc) -> None:
        self.stats.inc_value("warc/files")
        self.stats.inc_value("warc/bytes", closed.path.stat().st_size)
        entries = self._index.pop(closed.path.name, [])
        index = self.archive.spool("indexes") / cdxj.index_name(closed.path.name)
        try:
            lines = cdxj.write_index(index, entries)
        except OSError as exc:
            if not isinstance(exc, FileExistsError):
                with contextlib.suppress(OSError):
                    index.unlink()
            self.archive.write_failed(index, exc)  # the WARC stays: indexed when resumed
            return
        self.archive.publish(closed.path, "warc", closed.records)
        self.archive.publish(index, "indexes", lines)


def _header_text(value: bytes) -> str:
    """A header value as warcio reads it back: UTF-8, else ISO-8859-1."""
    try:
        return value.decode("utf-8")
    except UnicodeDecodeError:
        return value.decode("latin-1")
