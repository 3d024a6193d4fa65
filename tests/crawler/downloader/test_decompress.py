"""A compressed text response is decoded without charset detection over its compressed bytes,
and the decoded page gets the encoding its own body declares."""

from __future__ import annotations

import gzip

from scrapy import Request
from scrapy.http import HtmlResponse, Response
from scrapy.utils.test import get_crawler

from crawler.downloader.decompress import BoundedDecompression

PAGE = "<html><head><meta charset='windows-1252'></head><body>café</body></html>"


class EncodingUnread(HtmlResponse):
    """A response whose encoding must not be read: it is only ever of the compressed bytes."""

    @property
    def encoding(self) -> str:
        raise AssertionError("the encoding of a compressed body was read")


def decode(response: Response, method: str = "GET") -> Response:
    middleware = BoundedDecompression.from_crawler(get_crawler())
    result = middleware.process_response(Request(response.url, method=method), response)
    assert isinstance(result, Response)
    return result


def test_compressed_page_is_decoded_with_its_own_encoding() -> None:
    body = gzip.compress(PAGE.encode("windows-1252"))
    headers = {"Content-Type": "text/html", "Content-Encoding": "gzip"}
    response = EncodingUnread("https://news.example/a/", body=body, headers=headers)
    decoded = decode(response)
    assert isinstance(decoded, HtmlResponse)
    assert decoded.body == PAGE.encode("windows-1252")
    assert decoded.encoding == "cp1252"
    assert "café" in decoded.text
    assert b"Content-Encoding" not in decoded.headers


def test_uncompressed_and_head_responses_pass_as_they_are() -> None:
    plain = HtmlResponse("https://news.example/a/", body=b"<html></html>")
    assert decode(plain) is plain
    head = HtmlResponse("https://news.example/a/", headers={"Content-Encoding": "gzip"})
    assert decode(head, method="HEAD") is head
