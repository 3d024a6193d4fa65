"""Whose is a file in the spool: a writer is live while it holds its lock, whatever its pid says.

A spool file being written (``{name}.open``) belongs to the writer whose id, ``{host}-{pid}``, ends
its name. Whether that writer still lives cannot be read from its pid: a process killed and not
yet reaped (a zombie) keeps its pid, and pids are reused (a crawl in a container is pid 1 again
after a restart). So each writer takes an flock on ``{spool}/.writers/{writer}.lock`` before it
creates a file in the spool and holds it for as long as it writes; the kernel lets go of it when
the process ends, however it ends (a zombie holds no lock). The lock file is not inherited by
the processes the writer forks (they would keep it held after the writer died).

A file whose writer's lock can be taken (or has no lock file) belongs to no one: crash-resume
repairs it (``pipelines.resume.repair``). Files of another host are left alone: its writers' locks
are held on its own kernel.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import time
import weakref
from pathlib import Path

from pipelines.archive.identity import host_name

__all__ = ["WRITERS", "WriterLock", "writer_is_live", "writer_of"]

WRITERS = ".writers"  # in the spool root: one lock file per writer
_ATTEMPTS = 100  # x 10 ms: how long a writer waits for a reader to let go of its lock


def lock_path(root: Path, writer: str) -> Path:
    return root / WRITERS / f"{writer}.lock"


class WriterLock:
    """The lock of one writer, held from :meth:`take` until :meth:`release` (or the process's
    end). Taken before the writer creates any file in the spool."""

    def __init__(self, root: Path, writer: str) -> None:
        self.path = lock_path(root, writer)
        self._fd: int | None = None
        forget = weakref.WeakMethod(self._forget)
        os.register_at_fork(after_in_child=lambda: (method := forget()) and method())

    @property
    def held(self) -> bool:
        return self._fd is not None

    def take(self) -> bool:
        """Hold the lock; False if another holder keeps it (another crawl of this process).
        A reader checking it holds it for a moment only: that is waited for, briefly."""
        if self._fd is not None:
            return True
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        for _ in range(_ATTEMPTS):
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                time.sleep(0.01)
                continue
            self._fd = fd
            return True
        os.close(fd)
        return False

    def release(self) -> None:
        """Let go once the writer has closed its files; its lock file goes too."""
        fd, self._fd = self._fd, None
        if fd is not None:
            with contextlib.suppress(OSError):
                self.path.unlink()  # still held: a reader that opened it finds it free after
            os.close(fd)

    def _forget(self) -> None:
        """In a forked child: close this copy, so that only the writer holds the lock."""
        fd, self._fd = self._fd, None
        if fd is not None:
            os.close(fd)


def writer_of(name: str) -> str | None:
    """The writer id (``{host}-{pid}``) that ends a spool file's name, if it is of this host."""
    stem = name.removesuffix(".open")
    for suffix in (".warc.gz", ".jsonl.gz"):
        stem = stem.removesuffix(suffix)
    head, _, pid = stem.rpartition("-")
    if not pid.isdigit() or not head.endswith(f"-{host_name()}"):
        return None
    return f"{host_name()}-{pid}"


def writer_is_live(root: Path, name: str) -> bool:
    """Whether the spool file ``name`` (under ``root``) belongs to a live writer: a file of
    another host counts as live (left alone), one of this host while its writer's lock is held."""
    writer = writer_of(name)
    if writer is None:
        return True
    try:
        fd = os.open(lock_path(root, writer), os.O_RDONLY | os.O_CLOEXEC)
    except FileNotFoundError:
        return False  # its writer never took a lock, or let go of it at its end
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False
