"""A crawl killed between closing a WARC file and writing its CDXJ index: the file is whole and
closed, its index never written. Whatever finishes the crawl (the same command without JOBDIR, or
``upload-pending --close-interrupted``) writes the index before the file goes up, so that the
manifest lists both and ``verify`` passes. The kill is the test-only fault ``warc-closed:1``
(tests/faults.py): the crawl SIGKILLs itself right after its first WARC file is renamed."""

from __future__ import annotations

import io
import signal
from pathlib import Path

from pipelines.archive.spool import CrawlSpool
from pipelines.storage.local import LocalStore
from pipelines.tools.upload_pending import upload_pending
from pipelines.tools.verify import verify
from pipelines.warc import cdxj
from tests.faults import crash_settings
from tests.jobdir_crawl import start, wait
from tests.resume_site import generate
from tests.servers.http import HttpServer

CRAWL_ID = "resume-20221012000000"
NO_JOBDIR = {"JOBDIR": "", "CRAWL_ID": CRAWL_ID}


def killed_after_the_first_close(site: HttpServer, tmp: Path) -> tuple[CrawlSpool, Path]:
    """Run the crawl until it dies after closing its first WARC file; the spool and that file."""
    log = tmp / "killed.log"
    process = start(site, tmp, log, extra={**NO_JOBDIR, **crash_settings("warc-closed:1")})
    assert wait(process) == -signal.SIGKILL, log.with_suffix(".stderr").read_text()[-3000:]
    spool = CrawlSpool(tmp / "spool", CRAWL_ID)
    [closed] = spool.kind_folder("warc").glob("*.warc.gz")
    assert not list(spool.kind_folder("indexes").iterdir())  # the kill came before the index
    return spool, closed


def assert_indexed_and_verified(archive: Path, warc: Path) -> None:
    """The manifest lists the WARC file and its index, which indexes it whole; verify is clean."""
    store = LocalStore(archive)
    index = f"indexes/{CRAWL_ID}/{cdxj.index_name(warc.name)}"
    with store.get(f"warc/{CRAWL_ID}/{warc.name}") as stream:
        expected = "".join(cdxj.sorted_lines(cdxj.index_warc(stream, warc.name)))
    with store.get(index) as stream:
        assert stream.read().decode("utf-8") == expected
    out = io.StringIO()
    assert not verify(store, CRAWL_ID, out).failed, out.getvalue()


def test_the_next_run_of_the_crawl_indexes_the_file_a_kill_left_unindexed(
    tmp_path: Path,
) -> None:
    with HttpServer(site=generate(tmp_path / "site", 120)) as site:
        _, closed = killed_after_the_first_close(site, tmp_path)
        log = tmp_path / "again.log"
        assert wait(start(site, tmp_path, log, extra=NO_JOBDIR)) == 0, log.with_suffix(
            ".stderr"
        ).read_text()[-3000:]
    assert_indexed_and_verified(tmp_path / "archive", closed)
    assert "resume/indexes_written': 1" in log.read_text("utf-8")


def test_upload_pending_indexes_the_file_a_kill_left_unindexed(tmp_path: Path) -> None:
    with HttpServer(site=generate(tmp_path / "site", 120)) as site:
        spool, closed = killed_after_the_first_close(site, tmp_path)
    out = io.StringIO()
    store = LocalStore(tmp_path / "archive")
    assert upload_pending(store, spool.root, out, close_interrupted=True) == 0, out.getvalue()
    assert_indexed_and_verified(tmp_path / "archive", closed)
