"""Decompression-bomb protection, counted and named.

Scrapy's ``HttpCompressionMiddleware`` already stops expanding a gzip, deflate, brotli or zstd
body at ``DOWNLOAD_MAXSIZE``, so 1 MB that would become 1 GiB costs at most that much memory.
It then drops the response with a bare ``IgnoreRequest`` that nothing counts. This subclass,
which takes its place in ``DOWNLOADER_MIDDLEWARES``, counts it as ``download/decompression_bomb``
and raises `DecompressionBomb`, so the spider's errback can tell it from other ignored requests.
The compressed body, as received, is in the WARC either way: the writer archives before any
middleware decodes.
"""

from __future__ import annotations

from scrapy import Request
from scrapy.downloadermiddlewares.httpcompression import HttpCompressionMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response


class DecompressionBomb(IgnoreRequest):
    """A body that expands past DOWNLOAD_MAXSIZE; archived compressed, not decoded."""


class BoundedDecompression(HttpCompressionMiddleware):
    def process_response(  # type: ignore[override]
        self, request: Request, response: Response
    ) -> Request | Response:
        try:
            return super().process_response(request, response)
        except DecompressionBomb:
            raise
        # Scrapy raises it here only for DOWNLOAD_MAXSIZE (its private
        # _DecompressionMaxSizeExceeded): listed, and checked, in scrapy_private.
        except IgnoreRequest as exc:
            if self.stats is not None:
                self.stats.inc_value("download/decompression_bomb")
            raise DecompressionBomb(str(exc)) from exc
