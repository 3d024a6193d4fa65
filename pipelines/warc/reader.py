"""A crawl's articles read back from its WARCs: the items the spider made, rebuilt from the archive.

An article is a response record that one of our metadata records describes
(``pipelines.warc.metadata``): the response gives the URL served, the status, the date, the headers
and the body as received; the metadata record gives what the spider knew besides (the URL first
requested, the discovery path, the related links). Nothing else is needed, so any copy of the WARC
files, in any store, is enough to extract a crawl again.

Reading takes two passes over the files, because a metadata record is written once extraction is
done, after its response and possibly in a later file: the first pass collects the (small)
metadata records, the second rebuilds an item for each response they describe, in file order.

The body is decoded as Scrapy decoded it for the spider (``HttpCompressionMiddleware``'s own
steps), and the headers are the ones Scrapy showed the spider: the connection headers, which
Twisted keeps apart, and a Content-Encoding that was undone are left out. An https page's ``tls``
comes back from its response record's ``WARC-Protocol``, ``WARC-Cipher-Suite`` and
``Newsarchive-TLS-*``/``Newsarchive-Certificate-SHA256`` fields (``pipelines.warc.tls``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace

from scrapy.http.headers import Headers
from warcio.archiveiterator import ArchiveIterator

from crawler.downloader.scrapy_private import decode_encoding, split_encodings
from crawler.items import ArticleItem, WarcPointer, header_dict
from pipelines.storage import Store
from pipelines.storage.base import HashingReader, StoredObject
from pipelines.warc import metadata as warcmeta
from pipelines.warc.tls import tls_from_headers

# Headers Twisted keeps out of the response headers Scrapy sees (twisted.web._newclient's
# CONNECTION_CONTROL_HEADERS less Content-Length, which Scrapy puts back), and our rename.
CONNECTION_HEADERS = frozenset(
    {
        b"connection",
        b"keep-alive",
        b"te",
        b"trailers",
        b"transfer-encoding",
        b"upgrade",
        b"proxy-connection",
        b"x-archive-orig-transfer-encoding",
    }
)
WARC_SUFFIXES = (".warc.gz", ".warc")


def warc_keys(store: Store, crawl_id: str) -> list[str]:
    return sorted(key for key in store.list(f"warc/{crawl_id}/") if key.endswith(WARC_SUFFIXES))


def article_metadata(store: Store, keys: list[str]) -> dict[str, warcmeta.ArticleMetadata]:
    """First pass: every article metadata record, by the id of the response it describes."""
    found = {}
    for key in keys:
        with store.get(key) as stream:
            for record in ArchiveIterator(stream, no_record_parse=True):
                headers = record.rec_headers
                if (
                    record.rec_type == "metadata"
                    and headers.get_header("Content-Type") == warcmeta.CONTENT_TYPE
                ):
                    meta = warcmeta.read(record.raw_stream.read())
                    response_id = headers.get_header("WARC-Concurrent-To")
                    if meta is not None and response_id:
                        found[response_id] = meta
    return found


def articles(
    store: Store,
    keys: list[str],
    metadata: dict[str, warcmeta.ArticleMetadata],
    sources: list[StoredObject],
) -> Iterator[ArticleItem]:
    """Second pass: the item of each described response, in file order. Each file read is
    appended to ``sources`` with its size and SHA-256 once it has been read to the end."""
    for key in keys:
        filename = key.rpartition("/")[2]
        with store.get(key) as raw:
            stream = HashingReader(raw)
            iterator = ArchiveIterator(stream, no_record_parse=True)
            for record in iterator:
                meta = metadata.get(record.rec_headers.get_header("WARC-Record-ID") or "")
                if record.rec_type != "response" or meta is None:
                    continue
                block = record.raw_stream.read()
                iterator.read_to_end(record)
                pointer = WarcPointer(
                    filename,
                    iterator.get_record_offset(),
                    iterator.get_record_length(),
                    record.rec_headers.get_header("WARC-Record-ID"),
                    record.rec_headers.get_header("WARC-Payload-Digest"),
                    record.rec_headers.get_header("WARC-Date"),
                )
                target = record.rec_headers.get_header("WARC-Target-URI")
                item = item_of(block, target, pointer, meta)
                yield replace(item, tls=tls_from_headers(record.rec_headers.headers))
            stream.drain()
        sources.append(StoredObject(key, stream.size, stream.digest.hexdigest()))


@dataclass(frozen=True, slots=True)
class HttpResponse:
    """A response record's block, parsed as Scrapy's download handler would have given it."""

    protocol: str
    status: int
    headers: Headers  # without the connection headers, which Twisted keeps from Scrapy
    payload: bytes  # as received: still content-encoded


def parse_response_block(block: bytes) -> HttpResponse:
    head, _, payload = block.partition(b"\r\n\r\n")
    status_line, *lines = head.split(b"\r\n")
    protocol, status = status_line.split(b" ", 2)[:2]
    headers = Headers()
    for line in lines:
        name, _, value = line.partition(b":")
        if name.strip().lower() not in CONNECTION_HEADERS:
            headers.appendlist(name.strip(), value.strip())
    return HttpResponse(protocol.decode("latin-1"), int(status), headers, payload)


def item_of(
    block: bytes, url: str, pointer: WarcPointer, meta: warcmeta.ArticleMetadata
) -> ArticleItem:
    """The item the spider made from this response record block (HTTP head and payload)."""
    response = parse_response_block(block)
    headers, payload = response.headers, response.payload
    body = decoded_body(payload, headers)
    return ArticleItem(
        url=meta.requested_url,
        final_url=url,
        status=response.status,
        fetched_at=pointer.date,
        headers=header_dict(headers),
        body=body,
        warc=pointer,
        discovery=meta.discovery,
        related_urls=meta.related_urls,
        outlinks=meta.outlinks,
        article_signals=meta.article_signals,
    )


def decoded_body(payload: bytes, headers: Headers) -> bytes:
    """Undo the content encodings Scrapy undoes, with its own steps, and update ``headers``
    as it does. The limit is not applied again: a page past it never became an article."""
    encodings = headers.getlist(b"Content-Encoding")
    if not encodings:
        return payload
    to_decode, to_keep = split_encodings(encodings)
    for encoding in to_decode:
        payload = decode_encoding(payload, encoding, 0)
    if to_keep:
        headers[b"Content-Encoding"] = to_keep
    else:
        del headers[b"Content-Encoding"]
    return bytes(payload)
