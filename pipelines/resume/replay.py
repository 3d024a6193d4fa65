"""Crash-resume on the Scrapy side (see pipelines/resume/state.py): archived responses instead of
refetching, and Scrapy's own JOBDIR state switched off.

``ReplayMiddleware`` sits next to the downloader (after HttpCacheMiddleware's place). A GET for a
URL that this crawl has already archived is answered with the archived response: status, headers
and body as received (still compressed: the decompression middleware undoes it, as it did the
first time), the WARC pointer in ``request.meta["warc"]`` as the writer leaves it. Every
``process_response`` runs on it, so redirects, robots.txt and the spider see what they saw before
and the frontier is rebuilt; the download handler does not run and ``response_downloaded`` is not
sent, so nothing is archived twice. A URL fetched several times (retries) replays its last
response. A request that got no response (a DNS error, a refused connection) is fetched again.

``ResumeScheduler`` and ``ResumeDupeFilter`` are Scrapy's, keeping no disk queues and no
``requests.seen`` in JOBDIR when crash-resume is on: those files are written at close only, so
after a kill a URL could stay marked as seen although it was never fetched.
"""

from __future__ import annotations

import io
import logging
from ipaddress import ip_address
from typing import TYPE_CHECKING, Any, Self

from scrapy import Request
from scrapy.core.scheduler import Scheduler
from scrapy.dupefilters import RFPDupeFilter
from scrapy.http import Response
from scrapy.responsetypes import responsetypes
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.threads import deferToThread
from warcio.archiveiterator import ArchiveIterator

from crawler.items import WarcPointer
from crawler.meta import WARC_POINTER
from pipelines.resume.state import ResumeState, required_resume, resume_of
from pipelines.warc.cdxj import CdxjEntry
from pipelines.warc.reader import parse_response_block

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector

logger = logging.getLogger(__name__)

REPLAYED_FLAG = "replayed"
TRUNCATED_FLAGS = {"length": "download_stopped", "disconnect": "dataloss"}


class ResumeScheduler(Scheduler):
    def __init__(self, dupefilter: Any, jobdir: str | None = None, **kwargs: Any) -> None:
        if resume_of(kwargs.get("crawler")) is not None:
            jobdir = None
        super().__init__(dupefilter, jobdir, **kwargs)


class ResumeDupeFilter(RFPDupeFilter):
    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        if resume_of(crawler) is None:
            return super().from_crawler(crawler)
        debug = crawler.settings.getbool("DUPEFILTER_DEBUG")
        return cls(None, debug, fingerprinter=crawler.request_fingerprinter)


class ReplayMiddleware:
    def __init__(self, resume: ResumeState, stats: StatsCollector) -> None:
        self.resume = resume
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(required_resume(crawler, cls.__name__), crawler.stats)

    async def process_request(self, request: Request) -> Response | None:
        resume = self.resume
        if request.method != "GET" or request.body:
            return None
        archived = resume.index.get(request.url)
        if archived is None:
            return None
        try:
            member = await maybe_deferred_to_future(deferToThread(resume.read, archived))
            response = replayed_response(request, member, archived)
        except Exception as exc:
            self.stats.inc_value("resume/replay_failed")
            logger.warning(
                "could not replay %s from %s at %d (%s): fetching it again",
                request.url,
                archived.filename,
                archived.offset,
                exc,
            )
            return None
        self.stats.inc_value("resume/replayed")
        return response


def replayed_response(request: Request, member: bytes, archived: CdxjEntry) -> Response:
    """The response Scrapy's download handler gave for this archived response record."""
    record = next(iter(ArchiveIterator(io.BytesIO(member), no_record_parse=True)))
    headers_of = record.rec_headers.get_header
    if record.rec_type != "response":
        raise ValueError(f"a {record.rec_type} record, not a response")
    parsed = parse_response_block(record.raw_stream.read())
    flags = [REPLAYED_FLAG]
    truncated = headers_of("WARC-Truncated")
    if truncated in TRUNCATED_FLAGS:
        flags.append(TRUNCATED_FLAGS[truncated])
    address = headers_of("WARC-IP-Address")
    request.meta[WARC_POINTER] = WarcPointer(
        archived.filename,
        archived.offset,
        archived.length,
        headers_of("WARC-Record-ID"),
        headers_of("WARC-Payload-Digest"),
        headers_of("WARC-Date"),
    )
    body = parsed.payload
    cls = responsetypes.from_args(headers=parsed.headers, url=request.url, body=body)
    return cls(
        url=request.url,
        status=parsed.status,
        headers=parsed.headers,
        body=body,
        flags=flags,
        request=request,
        protocol=parsed.protocol,
        ip_address=ip_address(address) if address else None,
    )
