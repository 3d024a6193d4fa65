"""A failed write stops the crawl, it is never skipped: the spool's file system (a small tmpfs the
test mounts, as root) is filled by another writer once the crawl is under way; the crawl stops with
exit status 6 (disk full) and one line naming the folder, writes no manifest, and after the space
comes back the same command finishes it with every page accounted for (see test_stop_resume.py):
the pages it fetched and could not archive are fetched again, each is archived once, and each
article has one record.
"""

from __future__ import annotations

import contextlib
import errno
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

from tests.e2e.test_stop_resume import (
    ARTICLES,
    COMPLETE,
    account,
    crawl_id_of,
    fetched_paths,
    served,
)
from tests.jobdir_crawl import start, wait
from tests.resume_site import generate
from tests.servers.http import HttpServer

DISK_FULL = 6


@contextlib.contextmanager
def tmpfs(folder: Path, size: str) -> Iterator[Path]:
    """A tmpfs of ``size`` mounted on ``folder``; it must work (the suite runs as root)."""
    folder.mkdir(parents=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)], check=True)
    try:
        yield folder
    finally:
        if subprocess.run(["umount", str(folder)], check=False).returncode != 0:
            subprocess.run(["umount", "-l", str(folder)], check=True)


def fill(path: Path) -> None:
    """Write ``path`` until its file system is full."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    try:
        for chunk in (b"\0" * (1 << 16), b"\0" * 512, b"\0"):
            while True:
                try:
                    os.write(fd, chunk)
                except OSError as exc:
                    assert exc.errno == errno.ENOSPC, exc
                    break
    finally:
        os.close(fd)


def test_a_full_spool_stops_the_crawl_and_the_same_command_finishes_it(tmp_path: Path) -> None:
    logs = [tmp_path / "crawl-0.log", tmp_path / "crawl-1.log"]
    with (
        tmpfs(tmp_path / "spool", "4m") as spool,
        HttpServer(site=generate(tmp_path / "site", ARTICLES), delay_ms=20) as site,
    ):
        filler = spool / "filler"
        first = start(site, tmp_path, logs[0], spool=spool)
        assert wait(first, served(site, 60), lambda: fill(filler)) == DISK_FULL
        log = logs[0].read_text("utf-8")
        crawl_id = crawl_id_of(tmp_path)  # one line (tests/e2e/test_disk_full.py checks it all)
        assert f"ERROR: crawl {crawl_id} stopped: disk full: no space left in {spool}" in log
        assert not (tmp_path / "archive" / "manifests" / f"{crawl_id}.json").exists()
        assert "finish_reason': 'write_failed'" in log
        assert len(site.requests()) < ARTICLES  # it stopped fetching

        filler.unlink()  # the space comes back
        assert wait(start(site, tmp_path, logs[1], spool=spool)) == COMPLETE, logs[1].read_text()[
            -3000:
        ]
        fetched = fetched_paths(site)
        account(tmp_path, fetched, refetched=True)
    assert "resume/warc_repaired" in logs[1].read_text("utf-8")  # the torn file, cut and kept
