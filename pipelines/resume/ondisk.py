"""Crash-resume's per-URL state on disk: the archived responses to replay, by URL, and the ids of
the records already written, in one SQLite file in JOBDIR (``resume-index.sqlite``).

A resumed crawl of 50,000 pages would otherwise hold 50,000 index entries and record ids in the
crawler's memory for its whole life; here they cost SQLite's page cache (a few MB) and one
indexed look-up per request and per article. The file is a cache of what the archive holds (the
CDXJ indexes and record parts are the truth): it is made again at every start, so it needs no
durability of its own (no journal, no fsync), and a crash while it is written loses nothing.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path

from pipelines.warc.cdxj import CdxjEntry

FILE_NAME = "resume-index.sqlite"
_CAPTURE_FIELDS = "url, date, mime, status, digest, length, offset, filename"
_SCHEMA = f"""
CREATE TABLE captures ({_CAPTURE_FIELDS}, PRIMARY KEY (url)) WITHOUT ROWID;
CREATE TABLE records (record_id TEXT PRIMARY KEY) WITHOUT ROWID;
"""
# A URL fetched again (a retry) keeps its last capture, as the CDXJ order says.
_UPSERT = f"""
INSERT INTO captures ({_CAPTURE_FIELDS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (url) DO UPDATE SET
    date = excluded.date, mime = excluded.mime, status = excluded.status,
    digest = excluded.digest, length = excluded.length, offset = excluded.offset,
    filename = excluded.filename
WHERE (excluded.date, excluded.filename, excluded.offset)
    > (captures.date, captures.filename, captures.offset)
"""


class ResumeIndex:
    """URL -> its last archived response, and the set of written record ids, on disk.

    Reads as a mapping of URLs (``get``, ``[url]``, ``in``, iteration, ``len``). Thread-safe:
    the replay reads it on the reactor while nothing else writes it."""

    def __init__(self, path: Path | None = None) -> None:
        """A new, empty index at `path` (anything there before is replaced); in memory without."""
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            for old in (path, path.with_name(path.name + "-journal")):
                old.unlink(missing_ok=True)
        self.path = path
        self._db = sqlite3.connect(
            str(path) if path is not None else ":memory:", check_same_thread=False
        )
        self._lock = threading.Lock()
        with self._lock:
            self._db.execute("PRAGMA journal_mode = OFF")  # a cache, rebuilt at every start
            self._db.execute("PRAGMA synchronous = OFF")
            self._db.executescript(_SCHEMA)

    def add_captures(self, entries: Iterable[CdxjEntry]) -> None:
        rows = (
            (e.url, e.date, e.mime, e.status, e.digest, e.length, e.offset, e.filename)
            for e in entries
        )
        with self._lock, self._db:
            self._db.executemany(_UPSERT, rows)

    def add_record_ids(self, ids: Iterable[str]) -> None:
        with self._lock, self._db:
            self._db.executemany("INSERT OR IGNORE INTO records VALUES (?)", ((i,) for i in ids))

    def record_done(self, record_id: str) -> bool:
        with self._lock:
            found = self._db.execute(
                "SELECT 1 FROM records WHERE record_id = ?", (record_id,)
            ).fetchone()
        return found is not None

    def records(self) -> int:
        with self._lock:
            return int(self._db.execute("SELECT count(*) FROM records").fetchone()[0])

    def get(self, url: str) -> CdxjEntry | None:
        with self._lock:
            row = self._db.execute(
                f"SELECT {_CAPTURE_FIELDS} FROM captures WHERE url = ?", (url,)
            ).fetchone()
        return None if row is None else CdxjEntry(*row)

    def __iter__(self) -> Iterator[str]:
        with self._lock:
            urls = [row[0] for row in self._db.execute("SELECT url FROM captures ORDER BY url")]
        return iter(urls)

    def __len__(self) -> int:
        with self._lock:
            return int(self._db.execute("SELECT count(*) FROM captures").fetchone()[0])

    def close(self) -> None:
        """Close and remove the file (the next start makes it again)."""
        with self._lock:
            self._db.close()
        if self.path is not None:
            self.path.unlink(missing_ok=True)
