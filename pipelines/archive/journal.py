"""The spool's bookkeeping on disk: the journal of a crawl's files, and its small JSON files.

The journal is one fsynced JSON line per event (a file "closed", an object "stored"), appended by
several upload threads and read back by whichever process picks the crawl up; a line torn by a
crash is skipped, as its event never completed. The JSON files (crawl.json, finished.json) are
replaced atomically, so a reader sees the old content or the new, never half of one. Closed
files whose close was not journaled are counted and hashed here.
"""

from __future__ import annotations

import fcntl
import gzip
import json
import logging
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from warcio.archiveiterator import ArchiveIterator

from pipelines.storage.base import sha256_of_stream

__all__ = [
    "FileLock",
    "Journal",
    "LedgerEntry",
    "count_records",
    "read_json",
    "sha256_of_file",
    "write_atomic",
]

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    kind: str  # "warc", "records", "report", "indexes", ...
    key: str
    size: int
    sha256: str
    records: int | None  # WARC records or clean records in the object


class Journal:
    """The journal file of one crawl. Thread-safe: uploads run in several threads."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()

    def append(self, event: dict[str, Any]) -> None:
        line = json.dumps(event, sort_keys=True).encode() + b"\n"
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._lock:
            fd = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o644)
            try:
                size = os.fstat(fd).st_size
                if size and os.pread(fd, 1, size - 1) != b"\n":
                    line = b"\n" + line  # a crash tore the last line: keep this one whole
                os.write(fd, line)
                os.fsync(fd)
            finally:
                os.close(fd)

    def events(self) -> list[dict[str, Any]]:
        try:
            lines = self.path.read_bytes().splitlines()
        except FileNotFoundError:
            return []
        events = []
        for line in lines:
            try:
                events.append(json.loads(line))
            except json.JSONDecodeError:
                continue  # a line torn by a crash: its event did not complete
        return events

    def closed_records(self, name: str, kind: str) -> tuple[bool, int | None]:
        """Whether the close of a file was journaled, and the record count noted with it."""
        for event in self.events():
            if event["event"] == "closed" and event["name"] == name and event["kind"] == kind:
                return True, event["records"]
        return False, None

    def stored(self) -> list[LedgerEntry]:
        """The stored objects, the last event per key winning (a retry journals it again)."""
        entries = {}
        for event in self.events():
            if event["event"] == "stored":
                entries[event["key"]] = LedgerEntry(
                    event["kind"], event["key"], event["size"], event["sha256"], event["records"]
                )
        return list(entries.values())


class FileLock:
    """An flock on a file, shared or exclusive, taken without waiting; taking it again changes
    its mode. The kernel drops it when the process dies."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def take(self, *, exclusive: bool) -> bool:
        fd = self._fd if self._fd is not None else os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, (fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH) | fcntl.LOCK_NB)
        except BlockingIOError:
            if self._fd is None:
                os.close(fd)
            return False
        self._fd = fd
        return True

    def release(self) -> None:
        fd, self._fd = self._fd, None
        if fd is not None:
            os.close(fd)


def read_json(path: Path) -> dict[str, Any] | None:
    try:
        value: dict[str, Any] = json.loads(path.read_bytes())
    except FileNotFoundError:
        return None
    return value


def write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".{path.name}.tmp")
    with open(temp, "wb") as out:
        out.write(data)
        out.flush()
        os.fsync(out.fileno())
    os.replace(temp, path)


def count_records(path: Path, kind: str) -> int | None:
    """Records in a closed WARC or records part, for a file whose close was not journaled."""
    try:
        if kind == "warc":
            with open(path, "rb") as stream:
                return sum(1 for _ in ArchiveIterator(stream))
        if kind == "records":
            with gzip.open(path, "rb") as lines:
                return sum(1 for _ in lines)
    except (OSError, EOFError, ValueError) as exc:
        logger.warning("could not count the records of %s: %s", path, exc)
    return None


def sha256_of_file(path: Path) -> tuple[str, int]:
    with open(path, "rb") as stream:
        return sha256_of_stream(stream), path.stat().st_size
