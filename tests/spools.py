"""Archives and spools for the storage tests: one `Archive` type over a local folder or S3, and
small but real spool contents (WARC files written with warcio, gzip record parts)."""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from pipelines.archive.spool import CrawlSpool
from pipelines.storage import LocalStore, Store, StoreOptions, open_store
from pipelines.storage.base import json_bytes
from pipelines.warc import cdxj
from pipelines.warc.record import (
    build_record,
    gzip_member,
    http_head,
    new_record_id,
    warc_date,
    warc_fields,
)
from tests.servers.s3 import S3_SERVERS, S3Endpoint, place_in, server_named


@dataclass
class Archive:
    """Where a test archives: `uri` and `options` in-process, `settings` for a subprocess."""

    uri: str
    options: StoreOptions | None = None
    settings: dict[str, str] = field(default_factory=dict)  # -s NAME=VALUE

    def store(self) -> Store:
        return open_store(self.uri, self.options)


def local_archive(tmp_path: Path) -> Archive:
    return Archive(str(tmp_path / "archive"))


def s3_archive(s3: S3Endpoint, endpoint_url: str | None = None) -> Archive:
    url = endpoint_url or s3.url
    return Archive(s3.uri, s3.options(endpoint_url=url), {"AWS_ENDPOINT_URL": url})


@pytest.fixture(params=["local", *S3_SERVERS])
def archive(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Archive]:
    """The same test against a local folder and an S3 bucket on each S3 server."""
    if request.param == "local":
        yield local_archive(tmp_path)
        return
    for s3 in place_in(server_named(request, request.param), monkeypatch):
        yield s3_archive(s3)  # then place_in empties the bucket


def warc_bytes(pages: dict[str, bytes], tamper: Callable[[bytes], bytes] | None = None) -> bytes:
    """A WARC/1.1 file with a warcinfo record and one response record per page, built with the
    project's record builder (warcio's leaves temporary files open). `tamper` changes each
    response record's bytes after its digests were computed, as damage would."""
    date = warc_date(datetime(2022, 10, 12, tzinfo=UTC))
    records = [
        build_record(
            "warcinfo",
            warc_fields([("software", "tests")]),
            record_id=new_record_id(),
            date=date,
            content_type="application/warc-fields",
        )
    ]
    for url, body in pages.items():
        head = http_head(b"HTTP/1.1 200 OK", [(b"Content-Type", b"text/html")])
        records.append(
            build_record(
                "response",
                head + body,
                record_id=new_record_id(),
                date=date,
                content_type="application/http; msgtype=response",
                target_uri=url,
                payload_offset=len(head),
            )
        )
    if tamper is not None:
        return b"".join(gzip_member(tamper(gzip.decompress(r.data))) for r in records)
    return b"".join(record.data for record in records)


def records_part(count: int) -> bytes:
    lines = b"".join(json.dumps({"schema": 1, "n": n}).encode() + b"\n" for n in range(count))
    return gzip.compress(lines, mtime=0)


def crawl_spool(
    root: Path,
    crawl_id: str,
    store_uri: str,
    *,
    finished: bool = True,
    torn: bool = False,
    writer: str = "host-1",
    report: dict[str, int] | None = None,
) -> CrawlSpool:
    """A crawl's spool as a crawl leaves it when its store was out of reach: its started marker,
    two WARC files (one journaled at close, one not) with their indexes, a records part, and the
    report (``report``: its stats) if it finished. ``writer`` names the process that wrote it."""
    spool = CrawlSpool(root, crawl_id, process=writer)
    spool.write_info(
        {
            "crawl_id": crawl_id,
            "seedset": "demo",
            "writer": writer,
            "store": store_uri,
            "started_at": "2022-10-12T00:00:00+00:00",
            "settings": {"DOWNLOAD_DELAY": 0.5, "ROBOTSTXT_OBEY": True},
        }
    )
    warcs = spool.kind_folder("warc")
    first = warcs / f"newsarchive-20221012000000000-00001-{writer}.warc.gz"
    first.write_bytes(warc_bytes({"http://127.0.0.1/a": b"<p>first</p>" * 50}))
    spool.note_closed(first, "warc", 2)
    second = warcs / f"newsarchive-20221012000001000-00002-{writer}.warc.gz"
    second.write_bytes(warc_bytes({"http://127.0.0.1/b": b"<p>b</p>", "http://127.0.0.1/c": b"c"}))
    for warc in (first, second):
        index = spool.kind_folder("indexes") / cdxj.index_name(warc.name)
        with open(warc, "rb") as stream:
            spool.note_closed(
                index, "indexes", cdxj.write_index(index, cdxj.index_warc(stream, warc.name))
            )
    part = spool.kind_folder("records") / f"part-00001-{writer}.jsonl.gz"
    part.write_bytes(records_part(3))
    spool.note_closed(part, "records", 3)
    if torn:
        (warcs / f"newsarchive-20221012000002000-00003-{writer}.warc.gz.open").write_bytes(
            warc_bytes({"http://127.0.0.1/d": b"d"})[:-10]
        )
    if finished:
        stats = {"records/written": 3, "warc/files": 2} if report is None else report
        spool.finish({"finished_at": "2022-10-12T00:10:00+00:00"}, json_bytes({"stats": stats}))
    return spool


def overwrite(store: Store, key: str, data: bytes) -> None:
    """Change an object behind the store's back, as an editor or damage would (a store itself
    never overwrites)."""
    if isinstance(store, LocalStore):
        (store.root / key).write_bytes(data)
    else:
        s3: Any = store
        s3.client.put_object(Bucket=s3.bucket, Key=s3.prefix + key, Body=data)
