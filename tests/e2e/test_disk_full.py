"""A full disk stops the crawl, it does not thin the archive. The spool is a tmpfs this test mounts
(as root), small enough that the crawl itself fills it mid-crawl: the crawl stops fetching, exits
with status 6, and says so in one line naming the folder to free (in the log, and on stderr since
the log is a file); nothing it wrote is left beyond repair. Once the tmpfs is enlarged
(``mount -o remount,size=...``), the same command with the same JOBDIR finishes the crawl: every
page of the site archived exactly once across the two runs, every article one record,
``warcio check`` clean, ``scrapy verify`` OK. A full disk under the log file stops it the same way.
"""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

from pipelines.archive.liveness import writer_is_live
from pipelines.resume.repair import repair_warc
from tests.e2e.test_stop_resume import (
    ARTICLES,
    COMPLETE,
    PAGES,
    account,
    crawl_id_of,
    fetched_paths,
)
from tests.e2e.test_write_failure import fill, tmpfs
from tests.jobdir_crawl import start, wait
from tests.pipelines.tools.test_verify import scrapy
from tests.resume_site import generate
from tests.servers.http import HttpServer

DISK_FULL = 6


def one_line(tmp: Path, log: Path, folder: Path) -> str:
    """The crawl's one line about the full disk, the same in its log and on its stderr; it
    names ``folder`` or a folder in it (which write found the disk full first varies)."""
    crawl_id = crawl_id_of(tmp)
    text = log.read_text("utf-8")
    said = [line for line in text.splitlines() if "disk full" in line]
    assert len(said) == 1, said
    line = said[0].partition("ERROR: ")[2]
    assert line.startswith(f"crawl {crawl_id} stopped: disk full: no space left in {folder}")
    assert line.endswith(
        "; free space there and run the same command again: with the same JOBDIR "
        f"({tmp / 'job'}) it resumes where it stopped"
    )
    assert log.with_suffix(".stderr").read_text("utf-8").splitlines() == [line]
    assert "Traceback" not in text and "could not archive" not in text
    assert "finish_reason': 'write_failed'" in text  # it stopped fetching at once
    assert not (tmp / "archive" / "manifests" / f"{crawl_id}.json").exists()
    return line


def test_a_crawl_that_fills_its_spool_stops_with_status_6_and_resumes(tmp_path: Path) -> None:
    logs = [tmp_path / "crawl-0.log", tmp_path / "crawl-1.log"]
    with (
        tmpfs(tmp_path / "spool", "96k") as spool,
        HttpServer(site=generate(tmp_path / "site", ARTICLES), delay_ms=5) as site,
    ):
        first = start(site, tmp_path, logs[0], spool=spool, extra={"WARC_MAX_SIZE": "10000000"})
        assert wait(first) == DISK_FULL, logs[0].read_text("utf-8")[-3000:]
        crawl_id = crawl_id_of(tmp_path)
        one_line(tmp_path, logs[0], spool / crawl_id)
        assert len(site.requests()) < len(PAGES)  # it stopped fetching
        torn = sorted((spool / crawl_id).glob("*/*.open"))
        for path in torn:
            assert not writer_is_live(spool, path.name)  # its writer let go: repaired next
        for path in [path for path in torn if path.name.endswith(".warc.gz.open")]:
            copy = tmp_path / path.name
            copy.write_bytes(path.read_bytes())
            assert repair_warc(copy).records > 1  # its whole records are kept, the tail cut

        subprocess.run(["mount", "-o", "remount,size=16m", "tmpfs", str(spool)], check=True)
        second = start(site, tmp_path, logs[1], spool=spool)
        assert wait(second) == COMPLETE, logs[1].read_text("utf-8")[-3000:]
        fetched = fetched_paths(site)
    if any(path.name.endswith(".warc.gz.open") for path in torn):
        assert "resume/warc_repaired': 1" in logs[1].read_text("utf-8")
    account(tmp_path, fetched, refetched=True)  # once each, warcio check, verify, none torn
    verified = scrapy("verify", str(tmp_path / "archive"), "--crawl", crawl_id)
    assert verified.returncode == 0, verified.stdout + verified.stderr


def test_a_full_disk_under_the_log_stops_the_crawl(tmp_path: Path) -> None:
    with (
        tmpfs(tmp_path / "logs", "16k") as logs,
        HttpServer(site=generate(tmp_path / "site", ARTICLES), delay_ms=5) as site,
    ):
        run = tmp_path / "run.log"  # its stderr goes beside, off the full disk
        extra = {"LOG_FILE": str(logs / "crawl.log"), "LOG_LEVEL": "DEBUG"}
        assert wait(start(site, tmp_path, run, extra=extra)) == DISK_FULL
        stderr = run.with_suffix(".stderr").read_text("utf-8").splitlines()
        assert len(stderr) == 1, stderr  # one line, no traceback per log line
        assert stderr[0].startswith(
            f"crawl {crawl_id_of(tmp_path)} stopped: disk full: no space left in {logs} "
            "(writing crawl.log); free space there"
        )
        assert len(site.requests()) < len(PAGES)


def test_a_crawl_started_on_a_full_disk_stops_at_once_and_resumes(tmp_path: Path) -> None:
    logs = [tmp_path / "crawl-0.log", tmp_path / "crawl-1.log"]
    with (
        tmpfs(tmp_path / "spool", "1m") as spool,
        HttpServer(site=generate(tmp_path / "site", ARTICLES), delay_ms=5) as site,
    ):
        fill(spool / "filler")  # full before the crawl starts (cron ran it again too soon)
        assert wait(start(site, tmp_path, logs[0], spool=spool)) == DISK_FULL
        crawl_id = crawl_id_of(tmp_path)
        line = one_line(tmp_path, logs[0], spool / crawl_id)
        assert "(writing crawl.json)" in line
        assert len(site.requests()) < 10  # stopped as its engine started
        (spool / "filler").unlink()
        assert wait(start(site, tmp_path, logs[1], spool=spool)) == COMPLETE
        fetched = fetched_paths(site)
    account(tmp_path, fetched, refetched=True)


def test_a_full_disk_under_the_crawl_state_stops_the_crawl_and_resumes(tmp_path: Path) -> None:
    logs = [tmp_path / "crawl-0.log", tmp_path / "crawl-1.log"]
    with (
        tmpfs(tmp_path / "state", "8m") as state,  # SQLite's WAL grows to 4 MB before a checkpoint
        HttpServer(site=generate(tmp_path / "site", ARTICLES), delay_ms=20) as site,
    ):
        extra = {"STATE_DIR": str(state)}
        first = start(site, tmp_path, logs[0], extra=extra)
        deadline = time.monotonic() + 120
        while len(site.requests()) < 5:  # polling the server's log: mid-crawl
            assert first.poll() is None and time.monotonic() < deadline
            time.sleep(0.05)
        fill(state / "filler")  # the state file's next write finds the disk full
        assert wait(first) == DISK_FULL, logs[0].read_text("utf-8")[-3000:]
        one_line(tmp_path, logs[0], state)
        assert "state/write_failed" in logs[0].read_text("utf-8")
        assert len(site.requests()) < len(PAGES)  # it stopped fetching
        (state / "filler").unlink()
        assert wait(start(site, tmp_path, logs[1], extra=extra)) == COMPLETE
    verified = scrapy("verify", str(tmp_path / "archive"), "--crawl", crawl_id_of(tmp_path))
    assert verified.returncode == 0, verified.stdout + verified.stderr
