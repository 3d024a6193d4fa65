"""The ``request.meta`` keys that the spider, the downloader and the archive share.

The download handler writes facts Scrapy would drop; the WARC writer reads them and leaves the
response record's pointer; the spider reads that pointer into its items.
"""

from __future__ import annotations

from scrapy.http import Response

from crawler.items import WarcPointer

WARC_POINTER = "warc"  # WarcPointer of the response record, set when the exchange is archived


def pointer_of(response: Response) -> WarcPointer | None:
    """The response record's pointer that the WARC writer left on the response, if any."""
    pointer = response.meta.get(WARC_POINTER)
    return pointer if isinstance(pointer, WarcPointer) else None
