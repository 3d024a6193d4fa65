"""The spool: files wait here, closed, until a store holds them; and the journal of what it holds.

One folder per crawl, which any process can pick up where another left off (the crawl itself,
the next crawl's start, or ``scrapy upload-pending``)::

    {spool}/{crawl_id}/
        crawl.json       the crawl's id, seed set, writer, store, settings, software: its head
        journal.jsonl    one fsynced JSON line per event: a "run", a file "closed", "stored"
        lock             flock'd: shared by each live crawl process, exclusive for a recovery
        finished.json    written when the crawl ends: from then on the manifest may be written
        reports/{host}-{pid}.json      each process's report, stored as reports/{crawl_id}/...
        writers/{writer}.started.json  markers of this spool's writer in the store (see
        writers/{writer}.finished.json pipelines/archive/coordination.py)
        {kind}/{name}    closed files, stored as {kind}/{crawl_id}/{name}
        {kind}/{name}.open   files still being written: never touched here

A spool folder is one *writer* of its crawl, named after the process that created it; other
spools of the crawl id, here or on other machines, are other writers. Keys are deterministic, so
storing a file again after a crash is idempotent: a key already holding the same bytes counts as
stored. Once the crawl has finished here and every file is stored, the writer's finished marker
goes up, then the manifest if every writer has finished, and the folder is removed (torn files
excepted). Blocking code, run in threads; the journal is kept by pipelines/archive/journal.py.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from dataclasses import asdict
from pathlib import Path
from typing import Any

from pipelines.archive import coordination
from pipelines.archive.coordination import MANIFEST_VERSION, ConflictError
from pipelines.archive.identity import writer_id
from pipelines.archive.journal import (
    FileLock,
    Journal,
    LedgerEntry,
    count_records,
    read_json,
    sha256_of_file,
    write_atomic,
)
from pipelines.storage import ObjectExistsError, Store
from pipelines.storage.base import TEMP_PREFIX, json_bytes, sha256_of_stream

__all__ = [
    "JOURNAL",
    "MANIFEST_VERSION",
    "ConflictError",
    "CrawlSpool",
    "LedgerEntry",
    "count_records",
    "crawls",
    "sha256_of_file",
]

logger = logging.getLogger(__name__)

OPEN_SUFFIX = ".open"  # a file still being written; renamed without it when it closes
INFO, JOURNAL, LOCK, FINISHED = "crawl.json", "journal.jsonl", "lock", "finished.json"
REPORTS, MARKERS = "reports", coordination.MARKERS  # spool folders of reports and markers


class CrawlSpool:
    """The spool folder of one crawl. Thread-safe: uploads run in several threads.

    ``process`` names this process's report (default: ``{host}-{pid}``)."""

    def __init__(self, root: Path, crawl_id: str, process: str | None = None) -> None:
        self.root = root
        self.crawl_id = crawl_id
        self.folder = root / crawl_id
        self.process = process or writer_id()
        self._journal = Journal(self.folder / JOURNAL)
        self._lock = FileLock(self.folder / LOCK)
        self._announcing = threading.Lock()

    def __repr__(self) -> str:
        return f"CrawlSpool({str(self.folder)!r})"

    def kind_folder(self, kind: str) -> Path:
        folder = self.folder / kind
        folder.mkdir(parents=True, exist_ok=True)
        return folder

    @property
    def report_path(self) -> Path:
        """This process's report, stored as ``reports/{crawl_id}/{process}.json``."""
        return self.folder / REPORTS / f"{self.process}.json"

    @property
    def writer(self) -> str:
        """The writer this spool is: the process that created it."""
        return str((self.info() or {}).get("writer") or self.process)

    def marker_path(self, suffix: str) -> Path:
        return self.folder / MARKERS / f"{self.writer}{suffix}"

    def key_of(self, path: Path) -> tuple[str, str]:
        """(kind, key) of a closed spool file: its spool-relative path, crawl id second."""
        kind = path.relative_to(self.folder).parts[0]
        return kind, f"{kind}/{self.crawl_id}/{path.name}"

    def waiting(self) -> list[Path]:
        """Closed files not stored yet: the started marker first, then the data, the reports,
        and the finished marker last (it lists them all)."""
        files = [
            path
            for path in self.folder.glob("*/*")
            if path.is_file()
            and not path.name.endswith(OPEN_SUFFIX)
            and not path.name.startswith((".", TEMP_PREFIX))
        ]
        return sorted(files, key=upload_order)

    def torn(self) -> list[Path]:
        """Files left open by a process that is gone (crash-resume repairs them)."""
        return sorted(self.folder.glob(f"*/*{OPEN_SUFFIX}"))

    # --- the journal -----------------------------------------------------------------------

    def note_closed(self, path: Path, kind: str, records: int | None) -> None:
        self._journal.append(
            {"event": "closed", "name": path.name, "kind": kind, "records": records}
        )

    def stored(self) -> list[LedgerEntry]:
        return self._journal.stored()

    def entry_of(self, path: Path) -> LedgerEntry | None:
        key = self.key_of(path)[1]
        return next((entry for entry in self.stored() if entry.key == key), None)

    def records_of(self, path: Path) -> int | None:
        """The record count noted when the file closed, or counted in the file itself."""
        kind, _ = self.key_of(path)
        noted, count = self._journal.closed_records(path.name, kind)
        return count if noted else count_records(path, kind)

    # --- storing ---------------------------------------------------------------------------

    def store_file(self, store: Store, path: Path, records: int | None) -> LedgerEntry:
        """Store a closed file under its key, journal it, delete the spool copy (blocking)."""
        kind, key = self.key_of(path)
        try:
            obj = store.put_file(path, key)
            entry = LedgerEntry(kind, obj.key, obj.size, obj.sha256, records)
        except ObjectExistsError:
            entry = self._already_stored(store, path, kind, key, records)
        self._journal.append({"event": "stored", **asdict(entry)})
        path.unlink()
        return entry

    def _already_stored(
        self, store: Store, path: Path, kind: str, key: str, records: int | None
    ) -> LedgerEntry:
        """A retry after the store took the file but before we knew (crash, lost response)."""
        local, size = sha256_of_file(path)
        with store.get(key) as stream:
            remote = sha256_of_stream(stream)
        if remote != local:
            raise ConflictError(
                f"holds other bytes than {path} (sha256 {remote}, the file's {local}); the "
                "file stays in the spool",
                uri=store.uri,
                key=key,
            )
        logger.info("%s%s already held %s: counted as stored", store.uri, key, path.name)
        return LedgerEntry(kind, key, size, local, records)

    # --- the crawl's head, end and manifest ------------------------------------------------

    def write_info(self, info: dict[str, Any]) -> None:
        """Note who runs the crawl and where it stores, once (a resumed crawl keeps the first),
        with this spool's started marker; and journal this process's run."""
        if not (self.folder / INFO).exists():
            with contextlib.suppress(FileNotFoundError):
                (self.folder / FINISHED).unlink()  # left by a finalised spool of this crawl id
            info = {**info, "writer": info.get("writer") or self.process}
            write_atomic(self.folder / INFO, json_bytes(info))
            started = {k: info.get(k) for k in ("crawl_id", "writer", "seedset", "started_at")}
            write_atomic(self.marker_path(coordination.STARTED), json_bytes(started))
        self._journal.append({"event": "run", "process": self.process})

    def announce(self, store: Store) -> LedgerEntry | None:
        """Store this spool's started marker if it still waits, so that no other writer of the
        crawl writes its manifest without this one's objects: the uploader calls it before any
        file of the spool goes up. Refused (ConflictError) when the crawl already has a
        manifest: it is complete. Returns the marker's entry if this call stored it."""
        with self._announcing:
            path = self.marker_path(coordination.STARTED)
            if not path.exists():
                return None
            if store.exists(coordination.manifest_key(self.crawl_id)):
                raise ConflictError(
                    f"crawl {self.crawl_id} is complete (it has a manifest): a process cannot "
                    "join it; give this crawl another CRAWL_ID",
                    uri=store.uri,
                    key=coordination.manifest_key(self.crawl_id),
                )
            return self.store_file(store, path, None)

    def info(self) -> dict[str, Any] | None:
        return read_json(self.folder / INFO)

    def finish(self, finished: dict[str, Any], report: bytes | None) -> None:
        """The crawl is over: its report joins the waiting files, the manifest may follow.
        An interrupted crawl closed by hand has no report and ``"interrupted": true``."""
        if report is not None and not self.report_path.exists():
            write_atomic(self.report_path, report)
        write_atomic(self.folder / FINISHED, json_bytes(finished))

    def finished(self) -> dict[str, Any] | None:
        return read_json(self.folder / FINISHED)

    def finished_marker(self) -> dict[str, Any]:
        """What this writer's finished marker says: its head, its end, its runs, its objects."""
        runs = {e["process"] for e in self._journal.events() if e["event"] == "run"}
        return {
            "crawl_id": self.crawl_id,
            "writer": self.writer,
            "head": self.info() or {},
            "finished": self.finished() or {},
            "runs": len(runs),
            "objects": [asdict(e) for e in sorted(self.stored(), key=lambda e: e.key)],
            "torn": [p.relative_to(self.folder).as_posix() for p in self.torn()],
        }

    def manifest(self) -> dict[str, Any]:
        """The manifest as this writer alone would make it now."""
        return coordination.build_manifest([(None, self.finished_marker())])

    def finalise(self, store: Store) -> str | None:
        """If the crawl is over here and all its files are stored: store this writer's finished
        marker, then the manifest if every writer of the crawl has finished, and remove the
        folder. Returns the key of the manifest, or of the finished marker while other writers
        have yet to finish (the last of them writes the manifest); None when it is not time."""
        marker = self.marker_path(coordination.FINISHED)
        if self.finished() is None or [p for p in self.waiting() if p != marker]:
            return None
        marker_key = coordination.finished_key(self.crawl_id, self.writer)
        if not marker.exists() and marker_key not in {e.key for e in self.stored()}:
            write_atomic(marker, json_bytes(self.finished_marker()))
        if marker.exists():
            self.store_file(store, marker, None)
        outcome = coordination.write_manifest(store, self.crawl_id)
        if outcome.key is None:
            logger.info(
                "crawl %s: writer %s has stored everything (%s%s); the manifest waits for "
                "writer(s) %s, the last of which writes it",
                self.crawl_id,
                self.writer,
                store.uri,
                marker_key,
                ", ".join(outcome.waiting_for),
            )
        for name in (INFO, JOURNAL):  # finished.json goes with the lock (see unlock)
            with contextlib.suppress(FileNotFoundError):
                (self.folder / name).unlink()
        self._remove_empty_folders()
        return outcome.key or marker_key

    def _remove_empty_folders(self) -> None:
        for path in [*sorted(self.folder.glob("*"), reverse=True), self.folder]:
            with contextlib.suppress(OSError):
                path.rmdir()  # fails while torn files, or the lock of a live process, remain

    # --- who is working on it --------------------------------------------------------------

    def lock(self, *, exclusive: bool) -> bool:
        """Take the crawl's lock without waiting: shared for a crawl process (several may write
        one crawl), exclusive for a recovery. The kernel drops it when the process dies."""
        self.folder.mkdir(parents=True, exist_ok=True)
        return self._lock.take(exclusive=exclusive)

    def unlock(self) -> None:
        if self._lock.held and self.info() is None:  # finalised: only the lock is left
            for name in (FINISHED, LOCK):
                with contextlib.suppress(FileNotFoundError):
                    (self.folder / name).unlink()
            self._remove_empty_folders()
        self._lock.release()


def upload_order(path: Path) -> tuple[int, Path]:
    """The order files go up in: started marker, data, reports, finished marker."""
    kind = path.parent.name
    if kind == MARKERS:
        return (0 if path.name.endswith(coordination.STARTED) else 3), path
    return (2 if kind == REPORTS else 1), path


def crawls(root: Path) -> list[CrawlSpool]:
    """The crawls in the spool that a store can take: those with a crawl.json."""
    if not root.is_dir():
        return []
    return [CrawlSpool(root, path.parent.name) for path in sorted(root.glob(f"*/{INFO}"))]
