"""The WARC writer component: every HTTP exchange Scrapy downloads, archived as it came.

Connected to ``response_downloaded``, which Scrapy sends right after the download handler and
before any downloader middleware's ``process_response``: the body is still compressed as
received, and redirects, 4xx and 5xx responses, robots.txt, feeds and sitemaps all pass here.
Each exchange becomes a request record and a response record, written together into the
current spool file; the response record's pointer goes into ``request.meta["warc"]`` (and so
``response.meta["warc"]``) for the item pipelines. Closed files go to the archive's store.

The reason phrase comes from ``crawler.downloader.handler.ArchivalDownloadHandler`` (Scrapy drops
it), and so does the cut at ``DOWNLOAD_MAXSIZE``: a cut body is archived up to the limit with
``WARC-Truncated: length``, and one broken off by the server with ``WARC-Truncated: disconnect``.
What Scrapy cannot give back is written as faithfully as it can be, and said so:
- the connection headers (``Connection``, ``Keep-Alive`` ...) follow the others, as Twisted
  keeps them apart and the original order between the two groups is not known;
- a chunked body arrives de-chunked: the ``Transfer-Encoding`` header is renamed to
  ``X-Archive-Orig-Transfer-Encoding`` (pywb's convention) so that readers do not try to
  de-chunk it again, and the record carries ``Newsarchive-Transfer-Decoded: chunked``.

Each file gets a CDXJ index (``pipelines.warc.cdxj``), built from the entries noted as exchanges
are written and stored as ``indexes/{crawl}/{name}.cdxj`` when the file closes. Each article gets
a metadata record (``pipelines.warc.metadata``) once its extraction has an outcome: the extraction
pipeline sends ``pipelines.signals.article_extracted`` and :meth:`WarcCapture.write_metadata`
receives it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from scrapy import Request
from scrapy.http import Response
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet import task

from crawler.items import ArticleItem, WarcPointer
from crawler.meta import CONNECTION_HEADERS, REASON, WARC_POINTER, truncated_body
from pipelines.archive.versions import software_versions
from pipelines.warc import cdxj
from pipelines.warc import metadata as warcmeta
from pipelines.warc.config import WarcConfig
from pipelines.warc.record import Record, RecordFactory, build_record, http_head, status_line
from pipelines.warc.record import warc_date as format_date
from pipelines.warc.writer import ClosedWarc, RotatingWarcWriter

if TYPE_CHECKING:
    from scrapy.statscollectors import StatsCollector

    from pipelines.archive.session import Archive

logger = logging.getLogger(__name__)

REDACTED = b"<redacted by newsarchive>"
HTTP_REQUEST = "application/http; msgtype=request"
HTTP_RESPONSE = "application/http; msgtype=response"


class WarcCapture:
    """Writes the crawl's WARC files into the archive's spool; built and connected to Scrapy's
    signals by ``pipelines.extension.ArchiveExtension``."""

    def __init__(
        self,
        config: WarcConfig,
        archive: Archive,
        stats: StatsCollector,
        factory: RecordFactory | None = None,
    ) -> None:
        self.config = config
        self.archive = archive
        self.stats = stats
        self.factory = factory or RecordFactory()
        self.writer: RotatingWarcWriter | None = None
        self._age_timer: task.LoopingCall | None = None
        self._index: dict[str, list[cdxj.CdxjEntry]] = {}  # entries of each open file, by name
        self._finished = False  # the spider closed: nothing more is written

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
            self._age_timer = task.LoopingCall(self.writer.rotate_if_old)
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

    def response_downloaded(self, response: Response, request: Request) -> None:
        if self.writer is None:
            return
        try:
            pointers = self.writer.write(lambda f: self._exchange(f, request, response))
        except Exception:
            self.stats.inc_value("warc/write_failed")
            logger.exception("could not archive the response of %s", request.url)
            return
        request.meta[WARC_POINTER] = pointers[0]  # the response record
        self._note(request.url, response, pointers[0])
        self.stats.inc_value("warc/exchanges")
        self.stats.inc_value("warc/records", 2)

    def _note(self, url: str, response: Response, pointer: WarcPointer) -> None:
        """Index the response record as cdxj-indexer would index it from the file."""
        content_types = response.headers.getlist(b"Content-Type")  # warcio reads the first
        entry = cdxj.CdxjEntry(
            url=url,
            date=pointer.date,
            mime=cdxj.mime_type(_header_text(content_types[0]) if content_types else None),
            status=str(response.status),
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
            logger.error("metadata record of %s came after the WARC closed", item.final_url)
            return
        data = warcmeta.block(warcmeta.fields(item, outcome, extractor, record))
        response_id = item.warc.record_id
        links = [("WARC-Concurrent-To", response_id), ("WARC-Refers-To", response_id)]
        try:
            self.writer.write(
                lambda f: [
                    build_record(
                        "metadata",
                        data,
                        record_id=f.make_id(),
                        date=format_date(f.now()),
                        content_type=warcmeta.CONTENT_TYPE,
                        target_uri=item.final_url,
                        headers=links,
                    )
                ]
            )
        except Exception:
            self.stats.inc_value("warc/write_failed")
            logger.exception("could not archive the metadata record of %s", item.final_url)
            return
        self.stats.inc_value("warc/records")
        self.stats.inc_value("warc/metadata")

    def _exchange(
        self, factory: RecordFactory, request: Request, response: Response
    ) -> Iterator[Record]:
        date = format_date(factory.now())
        response_id, request_id = factory.make_id(), factory.make_id()
        protocol = response.protocol or "HTTP/1.1"
        fields = [("WARC-Concurrent-To", response_id)]
        head, transfer_decoded = self._response_head(request, response, protocol)
        body, truncated = truncated_body(request, response)
        extra = [("Newsarchive-Transfer-Decoded", "chunked")] if transfer_decoded else []
        if truncated is not None:
            extra.append(("WARC-Truncated", truncated))
        if response.ip_address is not None:
            extra.append(("WARC-IP-Address", str(response.ip_address)))
        yield build_record(
            "response",
            head + body,
            record_id=response_id,
            date=date,
            content_type=HTTP_RESPONSE,
            target_uri=request.url,
            payload_offset=len(head),
            headers=extra,
        )
        request_head = self._request_head(request, protocol)
        yield build_record(
            "request",
            request_head + request.body,
            record_id=request_id,
            date=date,
            content_type=HTTP_REQUEST,
            target_uri=request.url,
            payload_offset=len(request_head),
            headers=fields,
        )

    def _response_head(
        self, request: Request, response: Response, protocol: str
    ) -> tuple[bytes, bool]:
        headers: list[tuple[bytes, bytes]] = []
        for name, values in response.headers.items():
            headers.extend((name, value) for value in values)
        decoded = False
        for name, value in request.meta.get(CONNECTION_HEADERS, ()):
            if name.lower() == b"content-length" and b"Content-Length" in response.headers:
                continue  # Scrapy already put it back among the headers
            if name.lower() == b"transfer-encoding":
                name, decoded = b"X-Archive-Orig-Transfer-Encoding", True
            headers.append((name, value))
        reason = request.meta.get(REASON)
        phrase = reason.decode("latin-1") if isinstance(reason, bytes) else None
        return http_head(status_line(protocol, response.status, phrase), headers), decoded

    def _request_head(self, request: Request, protocol: str) -> bytes:
        parts = urlparse_cached(request)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        headers: list[tuple[bytes, bytes]] = []
        if b"Host" not in request.headers:
            headers.append((b"Host", parts.netloc.encode("ascii")))
        for name, values in request.headers.items():
            redact = name.lower().decode("latin-1") in self.config.redact_headers
            headers.extend((name, REDACTED if redact else value) for value in values)
        first = f"{request.method} {target} {protocol}".encode("latin-1")
        return http_head(first, headers)

    def close(self) -> None:
        """Close the current file when the spider closes: nothing is written after that."""
        if self._age_timer is not None and self._age_timer.running:
            self._age_timer.stop()
        if self.writer is not None:
            self.writer.close()
        self._finished = True

    def _closed(self, closed: ClosedWarc) -> None:
        self.stats.inc_value("warc/files")
        self.stats.inc_value("warc/bytes", closed.path.stat().st_size)
        self.archive.publish(closed.path, "warc", closed.records)
        entries = self._index.pop(closed.path.name, [])
        index = self.archive.spool("indexes") / cdxj.index_name(closed.path.name)
        try:
            lines = cdxj.write_index(index, entries)
        except OSError:
            self.stats.inc_value("warc/index_failed")
            logger.exception("could not write the CDXJ index of %s", closed.path.name)
            return
        self.archive.publish(index, "indexes", lines)


def _header_text(value: bytes) -> str:
    """A header value as warcio reads it back: UTF-8, else ISO-8859-1."""
    try:
        return value.decode("utf-8")
    except UnicodeDecodeError:
        return value.decode("latin-1")
