"""Crash-resume's per-URL state lives on disk in JOBDIR, not in the crawler's memory: the record
ids written and the responses to replay are read from a SQLite file that every start makes again
from what the archive holds (spool and store)."""

from __future__ import annotations

import gzip
import json
import sqlite3
from pathlib import Path

from pipelines.archive.spool import CrawlSpool
from pipelines.resume.ondisk import FILE_NAME
from pipelines.resume.state import ResumeState
from pipelines.storage.local import LocalStore
from pipelines.warc import cdxj
from tests.pipelines.records.test_versions import record

CRAWL = "demo-20221012000000"
URL = "http://127.0.0.1/1"


def records_part(spool: CrawlSpool, name: str, numbers: list[int]) -> Path:
    """A part of schema-valid records (the suite checks every stored part) numbered `numbers`."""
    lines = b"".join(json.dumps(record(n=n)).encode() + b"\n" for n in numbers)
    path = spool.kind_folder("records") / name
    path.write_bytes(gzip.compress(lines, mtime=0))
    return path


def capture(date: str, offset: int, status: str | None = "200") -> cdxj.CdxjEntry:
    return cdxj.CdxjEntry(URL, date, "text/html", status, "sha1:X", 100, offset, "a.warc.gz")


def crawl_archive(tmp_path: Path) -> tuple[CrawlSpool, LocalStore]:
    """A crawl with one records part still in the spool, one stored, and an index whose URL
    was fetched twice (a retry), beside a metadata line."""
    spool = CrawlSpool(tmp_path / "spool", CRAWL)
    store = LocalStore(tmp_path / "archive")
    stored = records_part(spool, "part-00001-host-1.jsonl.gz", [1, 2])
    spool.store_file(store, stored, 2)
    records_part(spool, "part-00002-host-1.jsonl.gz", [3])
    lines = [
        capture("2022-10-12T12:00:00Z", 0).line(),
        capture("2022-10-12T12:00:05Z", 500).line(),  # the retry: the one replayed
        capture("2022-10-12T12:00:06Z", 900, status=None).line(),  # metadata: not a response
    ]
    (spool.kind_folder("indexes") / cdxj.index_name("a.warc.gz")).write_text("".join(lines))
    return spool, store


def opened(tmp_path: Path, spool: CrawlSpool, store: LocalStore) -> ResumeState:
    resume = ResumeState(tmp_path / "job", spool, store, None)  # type: ignore[arg-type]
    resume.open()
    return resume


def test_record_ids_and_replay_index_are_read_from_disk(tmp_path: Path) -> None:
    spool, store = crawl_archive(tmp_path)
    resume = opened(tmp_path, spool, store)
    on_disk = tmp_path / "job" / FILE_NAME
    with sqlite3.connect(on_disk) as db:
        ids = {row[0] for row in db.execute("SELECT record_id FROM records")}
        urls = [row[0] for row in db.execute("SELECT url FROM captures")]
    assert ids == {record(n=n)["record_id"] for n in (1, 2, 3)}
    assert urls == [URL]
    assert all(resume.record_done(i) for i in ids)
    assert not resume.record_done(record(n=9)["record_id"])
    replayed = resume.index.get(URL)
    assert replayed is not None and (replayed.offset, replayed.status) == (500, "200")
    assert resume.index.get("http://127.0.0.1/2") is None
    resume.close()
    assert not on_disk.exists()


def test_a_second_resume_makes_the_file_again_from_the_archive(tmp_path: Path) -> None:
    spool, store = crawl_archive(tmp_path)
    opened(tmp_path, spool, store)  # killed: never closed, its file stays
    records_part(spool, "part-00003-host-1.jsonl.gz", [4])
    resume = opened(tmp_path, spool, store)
    assert all(resume.record_done(record(n=n)["record_id"]) for n in (1, 4))
    assert (resume.index.records(), len(resume.index)) == (4, 1)  # nothing counted twice
    resume.close()
