"""A full disk stops the crawl: it must not go on fetching pages it can no longer keep.

A write that fails for want of space (``ENOSPC``, or ``EDQUOT``: a quota) anywhere the crawl
writes (the spool's WARC files, record parts, indexes and journal; the log file) stops the crawl
the way any failed write does (``Archive.write_failed``), but it is its own outcome,
``disk_full``, with its own exit status: the operator's fix is to free space, not to read a
traceback. It is said in one line, which names the folder and how to go on
(:func:`notice`); ``scrapy crawl`` repeats it on stderr when the log goes to a file, since that
file may be on the full disk.

Python's log handlers print a traceback to stderr for every line they cannot write; the log
files of the crawl instead report the first full disk here (:func:`watch_log_files`) and drop
the lines that cannot be written after it.
"""

from __future__ import annotations

import errno
import logging
import sqlite3
import sys
from collections.abc import Callable
from pathlib import Path

__all__ = ["DISK_FULL", "is_disk_full", "notice", "watch_log_files"]

DISK_FULL = "archive/disk_full"  # stats key: the folder whose file system is full


def is_disk_full(error: BaseException) -> bool:
    """A write refused for want of space: by the OS, or by SQLite (the crawl state's database
    says ``database or disk is full``)."""
    if isinstance(error, sqlite3.OperationalError):
        return getattr(error, "sqlite_errorcode", None) == sqlite3.SQLITE_FULL
    return isinstance(error, OSError) and error.errno in (errno.ENOSPC, errno.EDQUOT)


def folder_of(path: Path) -> Path:
    """The folder to free space in: the file's, or the folder itself."""
    return path if path.is_dir() else path.parent


def notice(crawl_id: str, path: Path, jobdir: Path | None) -> str:
    """The one line that says the crawl stopped on a full disk, where, and how to go on."""
    if jobdir is not None:
        how = f"with the same JOBDIR ({jobdir}) it resumes where it stopped"
    else:
        how = f"with -s CRAWL_ID={crawl_id} -s JOBDIR=<a new folder> it resumes where it stopped"
    return (
        f"crawl {crawl_id} stopped: disk full: no space left in {folder_of(path)} (writing "
        f"{path.name}); free space there and run the same command again: {how}"
    )


def watch_log_files(on_full: Callable[[Path, OSError], None]) -> None:
    """Have each log file of the process report a full disk to ``on_full`` (once, from the
    thread that logged: pass a thread-safe callable) instead of a traceback per line."""
    for handler in logging.getLogger().handlers:
        if isinstance(handler, logging.FileHandler):
            handler.handleError = _LogGuard(handler, on_full)  # type: ignore[method-assign]


class _LogGuard:
    """A log handler's ``handleError``: a full disk is reported once, then lines are dropped;
    any other error is handled as before."""

    original: Callable[[logging.LogRecord], None]  # the handler's own handleError

    def __init__(
        self, handler: logging.FileHandler, on_full: Callable[[Path, OSError], None]
    ) -> None:
        self.handler = handler
        self.on_full = on_full
        original: Callable[[logging.LogRecord], None] = handler.handleError
        if isinstance(original, _LogGuard):  # another crawl's guard, in a process that ran one
            original = original.original
        self.original = original
        self.full = False

    def __call__(self, record: logging.LogRecord) -> None:
        error = sys.exc_info()[1]
        if not isinstance(error, OSError) or not is_disk_full(error):  # not ours to handle
            self.original(record)
        elif not self.full:  # later lines, while the disk is full, are lost without a word
            self.full = True
            self.on_full(Path(self.handler.baseFilename), error)
