"""The ``request.meta`` keys that the spider, the downloader and the archive share.

The download handler writes facts Scrapy would drop (reason phrase, connection headers, a cut at
DOWNLOAD_MAXSIZE); the WARC writer reads them and leaves the response record's pointer; the spider
reads that pointer, and the discovery record, into its items. The spider marks each
request with how it was discovered, and reads it back from the response (redirects keep it).
"""

from __future__ import annotations

from scrapy import Request
from scrapy.http import Response

from crawler.items import Discovery, WarcPointer

REASON = "http_reason"  # the reason phrase as received (bytes), which Scrapy drops
CONNECTION_HEADERS = "http_connection_headers"  # (name, value) byte pairs Twisted keeps apart
TRUNCATED = "truncated"  # why the body was cut: "length"
TRUNCATED_AT = "truncated_at"  # the limit it was cut at, in bytes
WARC_POINTER = "warc"  # WarcPointer of the response record, set when the exchange is archived
DISCOVERY = "newsarchive_discovery"  # Discovery of the request, set by the spider


def pointer_of(response: Response) -> WarcPointer | None:
    """The response record's pointer that the WARC writer left on the response, if any."""
    pointer = response.meta.get(WARC_POINTER)
    return pointer if isinstance(pointer, WarcPointer) else None


def discovery_of(response: Response) -> Discovery | None:
    """How the spider came to request this response, if it said."""
    discovery = response.meta.get(DISCOVERY)
    return discovery if isinstance(discovery, Discovery) else None


def truncated_body(request: Request, response: Response) -> tuple[bytes, str | None]:
    """The body to archive and the WARC-Truncated reason, if the body was cut."""
    reason = request.meta.get(TRUNCATED) if "download_stopped" in response.flags else None
    if reason == "length":
        return response.body[: int(request.meta[TRUNCATED_AT])], reason
    if "dataloss" in response.flags:
        return response.body, "disconnect"
    return response.body, None
