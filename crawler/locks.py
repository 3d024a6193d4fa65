"""Exclusive locks a process holds for the rest of its life: an ``flock`` on a lock file that
names the holder's pid (for the message of whoever is refused). The kernel lets go when the
process dies, so a crash never leaves a lock behind. Used for a crawl's JOBDIR
(``pipelines.archive.identity``) and a seed set's crawl state (``crawler.state.sqlite``)."""

from __future__ import annotations

import contextlib
import fcntl
import os
from pathlib import Path


class LockHeld(Exception):
    """Another process holds the lock; ``holder`` is the pid it wrote, or "unknown"."""

    def __init__(self, holder: str) -> None:
        super().__init__(holder)
        self.holder = holder


def hold_lock(lock: Path, *, wait: bool = False) -> int:
    """The descriptor of an exclusive lock on `lock` (created if new), holding this process's
    pid; with `wait`, blocks until the holder lets go, else raises `LockHeld` at once."""
    fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = "unknown"
        with contextlib.suppress(OSError):
            holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or holder
        os.close(fd)
        raise LockHeld(holder) from None
    os.ftruncate(fd, 0)
    os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
    return fd
