"""Crash-resume: a crawl run with JOBDIR and SIGKILLed at any moment finishes when the same command
runs again; every page is archived once, every article has one clean record, every WARC file is
whole (the one torn by the kill repaired), and the repair is logged.

One crawl of a slow synthetic site of a few hundred articles is killed three times, each run with
the same command and JOBDIR: halfway through writing a WARC record (the test-only fault
``warc:N`` of ``tests.faults``, installed with ``-s``), by an external SIGKILL once the site has
served more pages, and halfway through flushing a records part (``records:N``); the fourth run
finishes it.
"""

from __future__ import annotations

import io
import json
import re
import signal
import socket
import subprocess
from collections import Counter
from pathlib import Path
from typing import BinaryIO
from urllib.parse import urlsplit

import pytest

from crawler.config import ConfigError
from pipelines.archive.config import ArchiveConfig
from pipelines.archive.identity import RESUME_FILE, identify, writer_id
from pipelines.archive.liveness import WriterLock, writer_is_live
from pipelines.archive.spool import OPEN_SUFFIX, CrawlSpool
from pipelines.resume.repair import index_closed_warcs, repair_spool
from pipelines.resume.state import ResumeState, replay_index
from pipelines.storage.local import LocalStore
from pipelines.warc import cdxj
from pipelines.warc.capture import HTTP_RESPONSE
from pipelines.warc.record import build_record, http_head, new_record_id
from tests.faults import crash_settings
from tests.jobdir_crawl import kill, start, wait
from tests.resume_site import article_path, generate
from tests.servers.http import HttpServer
from tests.warcs import read_records, read_warc, warcio_check

ARTICLES = 240


def run(
    site: HttpServer,
    tmp: Path,
    log: Path,
    crash: str = "",
    kill_after_requests: int | None = None,
) -> int:
    """One run of the crawl; its exit code. ``crash``: it kills itself mid-write
    (tests/faults.py); ``kill_after_requests``: SIGKILL from outside once the site has served
    that many."""
    process = start(site, tmp, log, extra=crash_settings(crash) if crash else None)
    if kill_after_requests is None:
        return wait(process)
    served = kill_after_requests
    return wait(process, lambda: len(site.requests()) >= served, kill(process))


def test_a_crawl_killed_three_times_finishes_with_everything_once(tmp_path: Path) -> None:
    with HttpServer(site=generate(tmp_path / "site", ARTICLES), delay_ms=20) as site:
        logs = [tmp_path / f"crawl-{n}.log" for n in range(4)]
        assert run(site, tmp_path, logs[0], crash="warc:90") == -signal.SIGKILL
        crawl_id = json.loads((tmp_path / "job" / RESUME_FILE).read_text())["crawl_id"]
        served = len(site.requests())
        code = run(site, tmp_path, logs[1], kill_after_requests=served + 60)
        assert code == -signal.SIGKILL
        assert run(site, tmp_path, logs[2], crash="records:2") == -signal.SIGKILL
        assert run(site, tmp_path, logs[3]) == 0, logs[3].read_text("utf-8")[-3000:]
        again = tmp_path / "crawl-again.log"
        assert run(site, tmp_path, again) == 1  # a finished crawl is not run again
        assert "has finished" in again.read_text("utf-8")
        fetched = Counter(urlsplit(r.path).path for r in site.requests() if r.method == "GET")

    log = [path.read_text("utf-8") for path in logs]
    assert "was torn by a crash" in log[1] and "byte(s) of a torn record cut off" in log[1]
    cut = re.search(r"(\d+) byte\(s\) of a torn record cut off", log[1])
    assert cut is not None and int(cut.group(1)) > 0  # the record being written was cut off
    assert "records part" in log[3] and "was torn by a crash: removed" in log[3]
    assert "resume/replayed" in log[3]
    pages = {"/", "/robots.txt", *(article_path(n) for n in range(ARTICLES))}
    assert set(fetched) == pages  # the kills cost a few refetches, nothing was skipped

    archive = tmp_path / "archive"
    manifest = json.loads((archive / "manifests" / f"{crawl_id}.json").read_text())
    assert manifest["complete"]
    warcs = sorted((archive / "warc" / crawl_id).glob("*.warc.gz"))
    assert {o["key"].rpartition("/")[2] for o in manifest["objects"] if o["kind"] == "warc"} == {
        path.name for path in warcs
    }
    warcio_check(warcs)
    responses = Counter(
        urlsplit(record.uri).path
        for path in warcs
        for record in read_warc(path)
        if record.rec_type == "response"
    )
    assert responses == Counter(pages)  # every page archived, and once

    records = list(read_records(sorted((archive / "records" / crawl_id).glob("*.jsonl.gz"))))
    assert Counter(urlsplit(record["url"]).path for record in records) == Counter(
        article_path(n) for n in range(ARTICLES)
    )
    assert len({record["record_id"] for record in records}) == ARTICLES
    assert manifest["counts"]["records_records"] == ARTICLES
    assert not list((tmp_path / "spool").rglob("*.open"))


# --- the pieces, without a crawl ----------------------------------------------------------------


def response_record(number: int) -> bytes:
    head = http_head(b"HTTP/1.1 200 OK", [(b"Content-Type", b"text/html")])
    return build_record(
        "response",
        head + b"<p>page %d</p>" % number,
        record_id=new_record_id(),
        date="2022-10-12T12:00:00.000000Z",
        content_type=HTTP_RESPONSE,
        target_uri=f"http://127.0.0.1/{number}",
        payload_offset=len(head),
    ).data


def dead_writer_id() -> str:
    child = subprocess.Popen(["true"])
    child.wait()
    return f"{re.sub(r'[^A-Za-z0-9.-]', '-', socket.gethostname())}-{child.pid}"


def torn_spool(tmp_path: Path, whole: int) -> tuple[CrawlSpool, Path, int]:
    """A spool whose one WARC has `whole` complete records and half of one more."""
    spool = CrawlSpool(tmp_path / "spool", "demo-20221012000000")
    name = f"newsarchive-20221012120000000-00001-{dead_writer_id()}.warc.gz"
    records = [response_record(n) for n in range(whole + 1)]
    kept = sum(len(data) for data in records[:-1])
    torn = spool.kind_folder("warc") / (name + OPEN_SUFFIX)
    torn.write_bytes(b"".join(records)[: kept + len(records[-1]) // 2])
    return spool, torn, kept


def test_a_torn_warc_keeps_its_whole_records_and_is_closed_and_indexed(tmp_path: Path) -> None:
    spool, torn, kept = torn_spool(tmp_path, whole=3)
    (spool.kind_folder("records") / f"part-00001-{dead_writer_id()}.jsonl.gz.open").write_bytes(
        b"\x1f\x8b torn"
    )
    store = LocalStore(tmp_path / "archive")
    [repaired] = repair_spool(spool, store)
    final = torn.with_name(torn.name.removesuffix(OPEN_SUFFIX))
    assert (repaired.path, repaired.records, repaired.kept) == (final, 3, kept)
    assert repaired.cut > 0
    assert final.stat().st_size == kept and not torn.exists()
    warcio_check([final])
    assert len(read_warc(final)) == 3
    assert not list(spool.folder.rglob("*.open"))  # the torn records part is gone too
    index = spool.kind_folder("indexes") / cdxj.index_name(final.name)
    with open(final, "rb") as stream:
        assert index.read_text() == "".join(cdxj.sorted_lines(cdxj.index_warc(stream, final.name)))
    assert {path.name for path in spool.waiting()} == {final.name, index.name}
    assert spool.records_of(final) == 3
    assert set(replay_index(spool, store)) == {f"http://127.0.0.1/{n}" for n in range(3)}


def test_a_file_of_a_live_writer_is_left_alone(tmp_path: Path) -> None:
    spool = CrawlSpool(tmp_path / "spool", "demo-20221012000000")
    live = spool.kind_folder("warc") / f"newsarchive-1-00001-{writer_id()}.warc.gz.open"
    live.write_bytes(response_record(0)[:50])
    lock = WriterLock(spool.root, writer_id())  # a live writer holds its lock
    assert lock.take()
    try:
        assert writer_is_live(spool.root, live.name)
        assert repair_spool(spool, LocalStore(tmp_path / "archive")) == []
    finally:
        lock.release()
    assert live.exists()


def test_the_crawl_id_is_kept_in_jobdir(tmp_path: Path) -> None:
    from scrapy.settings import Settings

    def config(**values: str) -> ArchiveConfig:
        settings = Settings(
            {
                "JOBDIR": str(tmp_path / "job"),
                "RESUME_ENABLED": True,
                "ARCHIVE_URI": "archive/",
                "STORE_SPOOL_DIR": "spool/",
                **values,
            }
        )
        return ArchiveConfig.from_settings(settings)

    jobdir = tmp_path / "job"
    config()  # reading settings keeps nothing
    assert not (jobdir / RESUME_FILE).exists()
    first = identify(config(SEEDSET_NAME="world"), jobdir).crawl_id
    assert first.startswith("world-")
    again = identify(config(SEEDSET_NAME="world"), jobdir).crawl_id
    assert again == first == identify(config(CRAWL_ID=first), jobdir).crawl_id
    with pytest.raises(ConfigError, match="belongs to crawl"):
        identify(config(SEEDSET_NAME="world", CRAWL_ID="other-1"), jobdir)


class StreamingStore(LocalStore):
    """A folder store whose reads cannot seek, as S3's cannot."""

    def get(self, key: str) -> BinaryIO:
        with super().get(key) as stream:
            data = stream.read()

        class Unseekable(io.BytesIO):
            def seekable(self) -> bool:
                return False

        return Unseekable(data)


def test_a_stored_warc_is_replayed_from_a_store_that_cannot_seek(tmp_path: Path) -> None:
    from scrapy import Request

    from pipelines.resume.replay import replayed_response

    spool, _, _ = torn_spool(tmp_path, whole=2)
    store = StreamingStore(tmp_path / "archive")
    repair_spool(spool, store)
    for path in spool.waiting():
        spool.store_file(store, path, None)  # now only in the store
    index = replay_index(spool, store)
    resume = ResumeState(tmp_path / "job", spool, store, None)  # type: ignore[arg-type]
    request = Request("http://127.0.0.1/1")
    entry = index.get(request.url)
    assert entry is not None
    response = replayed_response(request, resume.read(entry), entry)
    assert (response.status, response.body, response.flags) == (200, b"<p>page 1</p>", ["replayed"])
    assert request.meta["warc"].record_id.startswith("<urn:uuid:")
    assert list((tmp_path / "job" / "replay-cache").iterdir())  # fetched once, then read there
    resume.close()
    assert not (tmp_path / "job" / "replay-cache").exists()


def test_a_closed_warc_whose_index_a_crash_tore_is_indexed_again(tmp_path: Path) -> None:
    spool = CrawlSpool(tmp_path / "spool", "demo-20221012000000")
    warc = spool.kind_folder("warc") / "newsarchive-20221012120000000-00001-host-1.warc.gz"
    warc.write_bytes(b"".join(response_record(n) for n in range(3)))
    index = spool.kind_folder("indexes") / cdxj.index_name(warc.name)
    index.write_text('org,0,1)/0 20221012120000 {"url": "http://127.0.0.1/0", "sta')  # torn
    repair_spool(spool, LocalStore(tmp_path / "archive"))
    with open(warc, "rb") as stream:
        assert index.read_text() == "".join(cdxj.sorted_lines(cdxj.index_warc(stream, warc.name)))
    assert spool.records_of(index) == 3


def test_a_closed_warc_of_another_live_writer_is_left_to_it_to_index(tmp_path: Path) -> None:
    spool = CrawlSpool(tmp_path / "spool", "demo-20221012000000")
    other = dead_writer_id()  # its pid is gone: the lock below makes it live
    warc = spool.kind_folder("warc") / f"newsarchive-20221012120000000-00001-{other}.warc.gz"
    warc.write_bytes(b"".join(response_record(n) for n in range(3)))
    store = LocalStore(tmp_path / "archive")
    lock = WriterLock(spool.root, other)
    assert lock.take()
    try:
        assert index_closed_warcs(spool, store=store) == []  # it writes the index on close
    finally:
        lock.release()
    index = spool.kind_folder("indexes") / cdxj.index_name(warc.name)
    assert index_closed_warcs(spool, [warc], store=store) == [index]  # its writer is gone
    assert spool.records_of(index) == 3
