"""The embedded crawl state: one SQLite file per seed set, ``{STATE_DIR}/{seed set}.sqlite``.

One run of a seed set at a time: the run holds an exclusive ``flock`` on the lock file next to
the state (``{seed set}.sqlite.lock``) for its whole life, and a second run is refused with
:class:`~crawler.state.base.StateError` naming the process that holds it (or waits for it, with
``STATE_WAIT``). The kernel lets go of the lock when the process dies, so a crash never leaves
a stale lock behind. The database runs in WAL mode with ``synchronous=NORMAL``: a ``put`` is one
small transaction, durable across a process crash (the state is rebuilt from the archive after
a power loss, which can lose the last ones).

A file that is not a SQLite database, is torn (truncated mid-page) or fails SQLite's
``quick_check`` stops the crawl before it starts, naming the file and ``scrapy state rebuild``.
Each URL is one row: its kind and due time as columns (for ``due``), the rest as the JSON of
``UrlState.to_json``.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections import OrderedDict
from collections.abc import Collection, Iterator
from datetime import datetime
from pathlib import Path

from crawler.locks import LockHeld, hold_lock
from crawler.state.base import StateError, UrlState
from crawler.timestamps import rfc3339

SCHEMA_VERSION = 1
LOCK_SUFFIX = ".lock"
_SCHEMA = """
CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS urls (
    url TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    next_due TEXT,
    state TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS urls_due ON urls (next_due) WHERE next_due IS NOT NULL;
"""


def state_path(state_dir: Path, seedset: str) -> Path:
    return state_dir / f"{seedset}.sqlite"


def rebuild_hint(path: Path) -> str:
    return (
        f"rebuild it from the archive: scrapy state rebuild ARCHIVE_URI --seeds seeds/<set>.toml "
        f"(or move {str(path)!r} away to start the seed set afresh)"
    )


class SqliteState:
    """The ``CrawlState`` of one seed set in one SQLite file, held by this process.

    Nobody else writes the file while this process holds its lock, so the last `RECENT` URLs'
    states it read or wrote are what the file holds: they are answered from memory. A page
    is read about five times on its way through the crawl (discovery, the downloader
    middleware, the tracker after the fetch, the WARC metadata record, the records pipeline's
    versions), and each read was a query and a JSON parse of the article's last text."""

    RECENT = 1024

    def __init__(self, path: Path, connection: sqlite3.Connection, lock_fd: int) -> None:
        self.path = path
        self._db = connection
        self._lock_fd = lock_fd
        self._recent: OrderedDict[str, UrlState | None] = OrderedDict()  # None: no row

    @classmethod
    def open(cls, path: Path, *, wait: bool = False) -> SqliteState:
        """Take the seed set's lock, then open (or create) and check its state file."""
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            lock_fd = hold(path.with_name(path.name + LOCK_SUFFIX), path, wait)
        except OSError as exc:  # read-only, not a folder, no permission: one line, exit 2
            raise StateError(
                f"setting STATE_DIR: cannot use the state folder {str(path.parent)!r}: "
                f"{exc.strerror or exc}"
            ) from exc
        try:
            return cls(path, _connect(path), lock_fd)
        except BaseException:
            os.close(lock_fd)
            raise

    @property
    def location(self) -> str:
        return str(self.path)

    def get(self, url: str) -> UrlState | None:
        if url in self._recent:
            self._recent.move_to_end(url)
            return self._recent[url]
        row = self._db.execute("SELECT state FROM urls WHERE url = ?", (url,)).fetchone()
        state = None if row is None else self._load(row[0])
        self._remember(url, state)
        return state

    def get_many(self, urls: Collection[str]) -> dict[str, UrlState | None]:
        return {url: self.get(url) for url in urls}  # a local file: no round trip to save

    def put(self, state: UrlState) -> None:
        self._recent.pop(state.url, None)  # a write that fails: the next read asks the file
        due = None if state.next_due is None else _key(state.next_due)
        with self._db:
            self._db.execute(
                "INSERT OR REPLACE INTO urls (url, kind, next_due, state) VALUES (?, ?, ?, ?)",
                (state.url, state.kind, due, state.to_json()),
            )
        self._remember(state.url, state)

    def _remember(self, url: str, state: UrlState | None) -> None:
        self._recent[url] = state
        if len(self._recent) > self.RECENT:
            self._recent.popitem(last=False)

    def due(self, now: datetime) -> Iterator[UrlState]:
        rows = self._db.execute(
            "SELECT state FROM urls WHERE next_due IS NOT NULL AND next_due <= ? "
            "AND kind IN ('article', 'page') ORDER BY next_due, url",
            (_key(now),),
        ).fetchall()
        return (self._load(row[0]) for row in rows)

    def states(self) -> Iterator[UrlState]:
        rows = self._db.execute("SELECT state FROM urls ORDER BY url").fetchall()
        return (self._load(row[0]) for row in rows)

    def close(self) -> None:
        with contextlib.suppress(sqlite3.Error):
            self._db.close()
        if self._lock_fd >= 0:
            os.close(self._lock_fd)  # the lock goes with it
            self._lock_fd = -1

    def _load(self, text: str) -> UrlState:
        try:
            return UrlState.from_json(text)
        except ValueError as exc:
            raise StateError(
                f"state file {str(self.path)!r}: a bad row ({exc}); {rebuild_hint(self.path)}"
            ) from None


def hold(lock: Path, path: Path, wait: bool) -> int:
    """An exclusive lock on ``lock`` for this process, or StateError naming its holder."""
    try:
        return hold_lock(lock, wait=wait)
    except LockHeld as held:
        raise StateError(
            f"state {str(path)!r} is in use by another run of this seed set (pid {held.holder}): "
            "wait for it to end, or set STATE_WAIT = True to queue behind it"
        ) from None


def _connect(path: Path) -> sqlite3.Connection:
    """The state's database, created if new, checked if not."""
    new = not path.exists() or path.stat().st_size == 0
    try:
        db = sqlite3.connect(path, isolation_level="DEFERRED", check_same_thread=False)
        try:
            if not new:
                _check(db, path)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            with db:
                db.executescript(_SCHEMA)
                if db.execute("SELECT count(*) FROM schema_version").fetchone()[0] == 0:
                    db.execute("INSERT INTO schema_version VALUES (?)", (SCHEMA_VERSION,))
        except BaseException:
            db.close()
            raise
    except sqlite3.DatabaseError as exc:
        raise StateError(
            f"state file {str(path)!r} is corrupt or not a state file ({exc}); "
            + rebuild_hint(path)
        ) from None
    return db


def _check(db: sqlite3.Connection, path: Path) -> None:
    """Refuse a torn, corrupt or foreign file before anything is written to it."""
    problems = [row[0] for row in db.execute("PRAGMA quick_check")]
    if problems != ["ok"]:
        raise sqlite3.DatabaseError("; ".join(problems[:3]))
    tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    if not {"schema_version", "urls"} <= tables:
        raise sqlite3.DatabaseError("it has no urls and schema_version tables")
    version = db.execute("SELECT max(version) FROM schema_version").fetchone()[0]
    if version != SCHEMA_VERSION:
        raise StateError(
            f"state file {str(path)!r} has schema version {version}; this newsarchive reads "
            f"version {SCHEMA_VERSION}: {rebuild_hint(path)}"
        )


def _key(moment: datetime) -> str:
    """A time as sortable text (UTC, fixed width), for the due index."""
    return rfc3339(moment)
