"""What counts as a full disk, and a log file on one: real refusals (``/dev/full``, a SQLite
database at its page limit), no stand-ins. The crawls that stop on one: tests/e2e/test_disk_full.py.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from pipelines.archive.diskfull import is_disk_full, notice, watch_log_files

FULL = Path("/dev/full")  # every write to it fails with ENOSPC


def test_a_write_refused_for_want_of_space_is_a_full_disk(tmp_path: Path) -> None:
    with pytest.raises(OSError) as full, open(FULL, "wb", buffering=0) as out:
        out.write(b"x")
    assert full.value.errno == errno.ENOSPC and is_disk_full(full.value)
    database = sqlite3.connect(tmp_path / "state.sqlite")
    try:
        database.execute("PRAGMA max_page_count = 2")
        database.execute("CREATE TABLE t (x BLOB)")
        with pytest.raises(sqlite3.OperationalError) as refused:
            database.execute("INSERT INTO t VALUES (zeroblob(100000))")
    finally:
        database.close()
    assert is_disk_full(refused.value), refused.value
    with pytest.raises(OSError) as missing:
        (tmp_path / "no" / "such").write_bytes(b"x")
    assert not is_disk_full(missing.value)


def test_the_line_names_the_folder_and_how_to_go_on(tmp_path: Path) -> None:
    warc = tmp_path / "spool" / "x-1" / "warc"
    warc.mkdir(parents=True)
    path = warc / "a.warc.gz.open"
    assert notice("x-1", path, Path("jobs/x-1")) == (
        f"crawl x-1 stopped: disk full: no space left in {warc} (writing a.warc.gz.open); free "
        "space there and run the same command again: with the same JOBDIR (jobs/x-1) it "
        "resumes where it stopped"
    )
    assert notice("x-1", warc, None).endswith(
        "with -s CRAWL_ID=x-1 -s JOBDIR=<a new folder> it resumes where it stopped"
    )


@pytest.fixture
def full_log() -> Iterator[logging.FileHandler]:
    handler = logging.FileHandler(FULL)
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield handler
    finally:
        root.removeHandler(handler)
        with contextlib.suppress(OSError):  # what it still holds cannot be written either
            handler.close()


def test_a_log_file_on_a_full_disk_is_reported_once_without_tracebacks(
    full_log: logging.FileHandler, capsys: pytest.CaptureFixture[str]
) -> None:
    reported: list[tuple[Path, OSError]] = []
    watch_log_files(lambda path, error: reported.append((path, error)))
    watch_log_files(lambda path, error: reported.append((path, error)))  # a second crawl
    logger = logging.getLogger("tests.diskfull")
    logger.warning("first line")
    logger.warning("second line")
    assert [(path, error.errno) for path, error in reported] == [(FULL, errno.ENOSPC)]
    assert "Logging error" not in capsys.readouterr().err
