"""Decompression-bomb protection, counted and named.

Scrapy's ``HttpCompressionMiddleware`` already stops expanding a gzip, deflate, brotli or zstd
body at ``DOWNLOAD_MAXSIZE``, so 1 MB that would become 1 GiB costs at most that much memory.
It then drops the response with a bare ``IgnoreRequest`` that nothing counts. This subclass,
which takes its place in ``DOWNLOADER_MIDDLEWARES``, counts it as ``download/decompression_bomb``
and raises `DecompressionBomb`, so the spider's errback can tell it from other ignored requests.
The compressed body, as received, is in the WARC either way: the writer archives before any
middleware decodes.

A compressed text response reaches Scrapy's middleware as a plain `Response`: its ``replace``
reads every attribute of the response it copies, and a ``TextResponse``'s ``encoding`` on a
compressed body without a declared charset runs charset detection over the gzip bytes (8% of the
archive-only crawl's reactor time under cProfile), only for the middleware to discard it
(``encoding=None``: the decoded body's own is detected when first needed).
"""

from __future__ import annotations

from scrapy import Request
from scrapy.downloadermiddlewares.httpcompression import HttpCompressionMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response, TextResponse


class DecompressionBomb(IgnoreRequest):
    """A body that expands past DOWNLOAD_MAXSIZE; archived compressed, not decoded."""


class BoundedDecompression(HttpCompressionMiddleware):
    def process_response(  # type: ignore[override]
        self, request: Request, response: Response
    ) -> Request | Response:
        decoded = request.method != "HEAD" and response.headers.get("Content-Encoding")
        if decoded and isinstance(response, TextResponse):  # Scrapy makes a new one anyway
            response = _untyped(response)
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


def _untyped(response: TextResponse) -> Response:
    """The same response as a plain `Response`, without reading its ``encoding``."""
    fields = {name: getattr(response, name) for name in Response.attributes}
    return Response(**fields)
