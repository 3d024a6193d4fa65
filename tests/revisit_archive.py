"""Archives of several crawls whose later WARC files hold revisit records, written with warcio
itself, the way re-crawls carry them (Heritrix, Browsertrix, warcio's own `create_revisit_record`):

- ``identical-payload-digest``: a 200 whose payload equals an earlier capture's; the HTTP headers
  are kept, the body is not, ``WARC-Payload-Digest`` is the original's;
- ``server-not-modified``: a 304 answer to a conditional request; the 304's headers, no payload
  digest.

Both name their target with ``WARC-Refers-To``, ``WARC-Refers-To-Target-URI`` and
``WARC-Refers-To-Date``. The crawls are stored with their indexes and manifests, as
``scrapy upload-pending`` stores a finished crawl's spool.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from pipelines.archive.spool import CrawlSpool
from pipelines.storage import Store
from pipelines.storage.base import json_bytes
from pipelines.tools.upload_pending import upload_pending
from pipelines.warc import cdxj

NOT_MODIFIED = "http://netpreserve.org/warc/1.1/revisit/server-not-modified"


@dataclass(frozen=True)
class Captured:
    uri: str
    record_id: str
    date: str
    digest: str


class WarcFile:
    """One WARC/1.1 file being written in memory, one gzip member per record."""

    def __init__(self) -> None:
        self.out = io.BytesIO()
        self.writer = WARCWriter(self.out, gzip=True, warc_version="1.1")

    def _write(self, record: Any) -> Any:
        self.writer.write_record(record)
        record.raw_stream.close()  # warcio buffers the block in a temporary file
        return record

    def response(self, uri: str, body: bytes, date: str) -> Captured:
        headers = StatusAndHeaders(
            "200 OK",
            [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(body)))],
            protocol="HTTP/1.1",
        )
        record = self._write(
            self.writer.create_warc_record(
                uri,
                "response",
                payload=io.BytesIO(body),
                http_headers=headers,
                warc_headers_dict={"WARC-Date": date},
            )
        )
        rec = record.rec_headers
        return Captured(
            uri, rec.get_header("WARC-Record-ID"), date, rec.get_header("WARC-Payload-Digest")
        )

    def same_payload(
        self, original: Captured, date: str, *, refers_to: str | None = None, digest: str = ""
    ) -> str:
        """An identical-payload-digest revisit of `original` (or of what `refers_to` and
        `digest` claim); returns its record id."""
        headers = StatusAndHeaders(
            "200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1"
        )
        record = self.writer.create_revisit_record(
            original.uri,
            digest or original.digest,
            original.uri,
            original.date,
            http_headers=headers,
            warc_headers_dict={
                "WARC-Date": date,
                "WARC-Refers-To": refers_to or original.record_id,
            },
        )
        return str(self._write(record).rec_headers.get_header("WARC-Record-ID"))

    def not_modified(self, original: Captured, date: str) -> str:
        """A server-not-modified revisit: the 304 as received; returns its record id."""
        headers = StatusAndHeaders("304 Not Modified", [("ETag", '"v1"')], protocol="HTTP/1.1")
        warc_headers = {
            "WARC-Date": date,
            "WARC-Profile": NOT_MODIFIED,
            "WARC-Refers-To": original.record_id,
            "WARC-Refers-To-Target-URI": original.uri,
            "WARC-Refers-To-Date": original.date,
        }
        record = self.writer.create_warc_record(
            original.uri, "revisit", http_headers=headers, warc_headers_dict=warc_headers
        )
        return str(self._write(record).rec_headers.get_header("WARC-Record-ID"))

    def data(self) -> bytes:
        return self.out.getvalue()


def store_crawl(store: Store, spool_root: Path, crawl_id: str, warcs: list[bytes]) -> list[str]:
    """A finished crawl of these WARC files, stored with its indexes, report and manifest;
    returns the WARC files' keys."""
    spool = CrawlSpool(spool_root, crawl_id, process="host-1")
    spool.write_info(
        {"crawl_id": crawl_id, "seedset": "demo", "writer": "host-1", "store": store.uri}
    )
    names = [
        f"newsarchive-{crawl_id[-14:]}000-{n:05d}-host-1.warc.gz" for n in range(1, 1 + len(warcs))
    ]
    for name, data in zip(names, warcs, strict=True):
        path = spool.kind_folder("warc") / name
        path.write_bytes(data)
        index = spool.kind_folder("indexes") / cdxj.index_name(name)
        with open(path, "rb") as stream:
            lines = cdxj.write_index(index, cdxj.index_warc(stream, name))
        spool.note_closed(path, "warc", None)
        spool.note_closed(index, "indexes", lines)
    stats = {"records/written": 0, "warc/files": len(warcs)}
    spool.finish({"finished_at": "2022-10-12T00:10:00+00:00"}, json_bytes({"stats": stats}))
    assert upload_pending(store, spool_root, io.StringIO()) == 0
    return [f"warc/{crawl_id}/{name}" for name in names]
