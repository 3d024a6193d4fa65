"""Liveness by lock, not pid: a torn spool file is repaired once its writer's lock is free, even
while the writer's pid still exists (killed, not yet reaped: a zombie), and never while a live
writer in another process holds its lock. Real writer processes, real flocks; no mocks."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from pipelines.archive.identity import writer_id
from pipelines.archive.liveness import WriterLock, writer_is_live
from pipelines.archive.spool import OPEN_SUFFIX, CrawlSpool
from pipelines.resume.repair import repair_spool
from pipelines.storage.local import LocalStore
from tests.e2e.test_crash_resume import response_record
from tests.servers.demo import ROOT

CRAWL_ID = "demo-20221012000000"

# A writer: takes its lock, leaves a WARC with two whole records and half a third at its .open
# name, says the file's name, and waits (holding the lock) until its stdin closes.
WRITER = """
import os
import sys
from pathlib import Path
from pipelines.archive.identity import writer_id
from pipelines.archive.liveness import WriterLock
root, folder, torn = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
lock = WriterLock(root, writer_id())
assert lock.take()
name = f"newsarchive-20221012120000000-00001-{writer_id()}.warc.gz.open"
(folder / name).write_bytes(torn.read_bytes())
print(name, flush=True)
if sys.argv[4:] == ["fork"]:
    child = os.fork()
    if child == 0:
        os.write(1, b"child-ready\\n")  # past the at-fork hooks: its copy of the lock closed
        sys.stdin.read()
        os._exit(0)
    os.write(1, f"{child}\\n".encode())  # one write each: the two lines never interleave
sys.stdin.read()
"""


def torn_bytes(tmp: Path) -> Path:
    records = [response_record(n) for n in range(3)]
    path = tmp / "torn.bin"
    path.write_bytes(b"".join(records)[: -len(records[-1]) // 2])
    return path


@contextmanager
def writer(
    tmp: Path, spool: CrawlSpool, *, fork: bool = False
) -> Iterator[tuple[subprocess.Popen[str], Path]]:
    """A writer process holding its lock (``fork``: with a child it forked after taking it), and
    the torn file it left; killed and reaped at the end, its child ended with its stdin."""
    folder = spool.kind_folder("warc")
    arguments = [str(spool.root), str(folder), str(torn_bytes(tmp)), *(["fork"] if fork else [])]
    process = subprocess.Popen(
        [sys.executable, "-c", WRITER, *arguments],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        name = process.stdout.readline().strip()
        assert name.endswith(f"-{process.pid}.warc.gz.open"), name
        yield process, spool.kind_folder("warc") / name
    finally:
        process.kill()
        process.wait()
        for pipe in (process.stdin, process.stdout):
            if pipe is not None:
                pipe.close()


def test_a_killed_writer_not_yet_reaped_is_repaired(tmp_path: Path) -> None:
    spool = CrawlSpool(tmp_path / "spool", CRAWL_ID)
    with writer(tmp_path, spool) as (process, torn):
        process.send_signal(signal.SIGKILL)
        # Wait for its death without reaping it: the pid stays, as a zombie's does.
        os.waitid(os.P_PID, process.pid, os.WEXITED | os.WNOWAIT)
        os.kill(process.pid, 0)  # the pid exists: a check by pid would call it live
        assert _state(process.pid) == "Z"
        assert not writer_is_live(spool.root, torn.name)
        [repaired] = repair_spool(spool, LocalStore(tmp_path / "archive"))
        assert repaired.records == 2 and repaired.cut > 0
        assert repaired.path == torn.with_name(torn.name.removesuffix(OPEN_SUFFIX))
        assert not torn.exists() and repaired.path.exists()


def test_a_live_writer_in_another_process_is_left_alone(tmp_path: Path) -> None:
    spool = CrawlSpool(tmp_path / "spool", CRAWL_ID)
    store = LocalStore(tmp_path / "archive")
    with writer(tmp_path, spool) as (process, torn):
        before = torn.read_bytes()
        assert writer_is_live(spool.root, torn.name)
        assert repair_spool(spool, store) == []
        assert torn.read_bytes() == before
        assert process.stdin is not None
        process.stdin.close()  # the writer ends normally: its lock is let go
        assert process.wait() == 0
        [repaired] = repair_spool(spool, store)
    assert repaired.records == 2


def test_a_file_named_after_this_pid_without_its_lock_is_repaired(tmp_path: Path) -> None:
    """A pid reused: an earlier process with this process's pid left the file. This process
    has not taken its lock yet, so the file is no one's; once it holds its lock, the files named
    after it are its own and left alone."""
    spool = CrawlSpool(tmp_path / "spool", CRAWL_ID)
    torn = spool.kind_folder("warc") / f"newsarchive-1-00001-{writer_id()}.warc.gz{OPEN_SUFFIX}"
    torn.write_bytes(torn_bytes(tmp_path).read_bytes())
    lock = WriterLock(spool.root, writer_id())
    try:
        assert lock.take()
        assert writer_is_live(spool.root, torn.name)
    finally:
        lock.release()
    assert not lock.path.exists()
    [repaired] = repair_spool(spool, LocalStore(tmp_path / "archive"))
    assert repaired.records == 2


def test_a_child_the_writer_forked_does_not_keep_its_lock(tmp_path: Path) -> None:
    """The extraction workers are forked: a lock they inherited would outlive a killed writer."""
    spool = CrawlSpool(tmp_path / "spool", CRAWL_ID)
    with writer(tmp_path, spool, fork=True) as (process, torn):
        assert process.stdout is not None
        lines = {process.stdout.readline().strip() for _ in range(2)}  # in either order
        assert "child-ready" in lines, lines
        child = int((lines - {"child-ready"}).pop())
        process.send_signal(signal.SIGKILL)
        assert process.wait() == -signal.SIGKILL
        os.kill(child, 0)  # the forked child lives on
        assert not writer_is_live(spool.root, torn.name)
        [repaired] = repair_spool(spool, LocalStore(tmp_path / "archive"))
        assert repaired.records == 2


def _state(pid: int) -> str:
    """The process's state letter from /proc (``Z``: a zombie)."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    return stat.rpartition(")")[2].split()[0]
