"""The spool's bookkeeping on disk: the journal of a crawl's files, and its small JSON files.

The journal is one fsynced JSON line per event (a file "closed", an object "stored"), appended by
several upload threads and read back by whichever process picks the crawl up; a line torn by a
crash is skipped, as its event never completed. The JSON files (crawl.json, finished.json) are
replaced atomically, so a reader sees the old content or the new, never half of one.
"""

from __future__ import annotations

import json
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["Journal", "LedgerEntry", "read_json", "write_atomic"]


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

    def stored(self) -> list[LedgerEntry]:
        """The stored objects, the last event per key winning (a retry journals it again)."""
        entries = {}
        for event in self.events():
            if event["event"] == "stored":
                entries[event["key"]] = LedgerEntry(
                    event["kind"], event["key"], event["size"], event["sha256"], event["records"]
                )
        return list(entries.values())


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
