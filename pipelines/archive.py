"""The archive of one crawl: its store, its crawl id, and the ledger of what it stored.

Components that produce files (WARC writer, records pipeline) write them into the local
spool and hand them to :meth:`ArchiveExtension.publish`, which moves them into the store
in a thread, off the reactor, and notes key, size and sha256. When the engine stops, after
every component has closed and every upload has settled, the crawl report and then the
manifest are written: the manifest is last, so its presence means the crawl's objects are
all there.

Archive layout under ``ARCHIVE_URI`` (see README):
``warc/{crawl}/*.warc.gz``, ``records/{crawl}/part-*.jsonl.gz``,
``reports/{crawl}.json``, ``manifests/{crawl}.json``.
"""

from __future__ import annotations

import json
import logging
import platform
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any, Self

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.statscollectors import StatsCollector
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.defer import Deferred, DeferredList
from twisted.internet.threads import deferToThread

from pipelines.storage import Store, StoredObject, open_store
from settings.config import ArchiveConfig, redacted_settings

logger = logging.getLogger(__name__)

MANIFEST_VERSION = 1
SOFTWARE = ("newsarchive", "scrapy", "twisted", "warcio", "trafilatura", "lxml", "boto3")


def software_versions() -> dict[str, str]:
    versions = {"python": platform.python_version()}
    for name in SOFTWARE:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "unknown"
    return versions


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    kind: str  # "warc", "records", "report"
    key: str
    size: int
    sha256: str
    records: int | None  # WARC records or clean records in the object


class ArchiveExtension:
    def __init__(
        self, config: ArchiveConfig, store: Store, stats: StatsCollector, settings: dict[str, Any]
    ) -> None:
        self.config = config
        self.store = store
        self.stats = stats
        self.settings = settings
        self.ledger: list[LedgerEntry] = []
        self._pending: set[Deferred[Any]] = set()
        self.started_at = datetime.now(UTC)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        config = ArchiveConfig.from_settings(crawler.settings)
        ext = cls(
            config, open_store(config.uri), crawler.stats, redacted_settings(crawler.settings)
        )
        crawler.signals.connect(ext.engine_stopped, signal=signals.engine_stopped)
        logger.info("crawl %s archiving into %s", config.crawl_id, ext.store.uri)
        return ext

    @property
    def crawl_id(self) -> str:
        return self.config.crawl_id

    def spool(self, kind: str) -> Path:
        """The local folder where files of this kind are written before they are stored."""
        folder = self.config.spool_dir / self.crawl_id / kind
        folder.mkdir(parents=True, exist_ok=True)
        return folder

    def key(self, kind: str, name: str) -> str:
        return f"{kind}/{self.crawl_id}/{name}"

    def publish(self, path: Path, kind: str, records: int | None = None) -> Deferred[Any]:
        """Store a closed spool file under ``{kind}/{crawl}/{name}``, off the reactor.

        On success the spool copy is deleted; on failure it stays in the spool, the error
        is logged with the file and key, and counted. Never raises into the caller."""
        key = self.key(kind, path.name)
        d = deferToThread(self.store.put_file, path, key)
        d.addCallback(self._stored, path, kind, records)
        d.addErrback(self._failed, path, key, kind)
        self._pending.add(d)
        d.addBoth(self._settled, d)
        return d

    def _stored(self, obj: StoredObject, path: Path, kind: str, records: int | None) -> None:
        self.ledger.append(LedgerEntry(kind, obj.key, obj.size, obj.sha256, records))
        self.stats.inc_value(f"archive/stored/{kind}")
        self.stats.inc_value(f"archive/stored_bytes/{kind}", obj.size)
        path.unlink()
        logger.info("stored %s (%d bytes, sha256 %s)", obj.key, obj.size, obj.sha256)

    def _failed(self, failure: Any, path: Path, key: str, kind: str) -> None:
        self.stats.inc_value(f"archive/store_failed/{kind}")
        logger.error(
            "could not store %s as %s in %s: %s; the file stays in the spool",
            path, key, self.store.uri, failure.getErrorMessage(),
        )

    def _settled(self, result: Any, d: Deferred[Any]) -> Any:
        self._pending.discard(d)
        return result

    async def engine_stopped(self) -> None:
        while self._pending:
            await maybe_deferred_to_future(DeferredList(list(self._pending)))
        await maybe_deferred_to_future(deferToThread(self._finish))

    def _finish(self) -> None:
        report = {
            "crawl_id": self.crawl_id,
            "seedset": self.config.seedset,
            "stats": json.loads(json.dumps(self.stats.get_stats(), default=str)),
        }
        try:
            obj = self.store.put_bytes(_json(report), self.key_for("reports"))
            self.ledger.append(LedgerEntry("report", obj.key, obj.size, obj.sha256, None))
            obj = self.store.put_bytes(_json(self.manifest()), self.key_for("manifests"))
        except Exception:
            logger.exception("could not write the report and manifest of %s", self.crawl_id)
            return
        logger.info("manifest %s lists %d objects", obj.key, len(self.ledger))
        self._prune_spool()

    def _prune_spool(self) -> None:
        """Remove the crawl's spool folders once they are empty; files left there are kept."""
        folder = self.config.spool_dir / self.crawl_id
        for path in [*sorted(folder.glob("*"), reverse=True), folder, self.config.spool_dir]:
            try:
                path.rmdir()
            except OSError:
                continue  # not empty (a file awaits upload, or another crawl's folder), or gone

    def key_for(self, kind: str) -> str:
        return f"{kind}/{self.crawl_id}.json"

    def manifest(self) -> dict[str, Any]:
        counts: dict[str, int] = {}
        for entry in self.ledger:
            counts[f"{entry.kind}_objects"] = counts.get(f"{entry.kind}_objects", 0) + 1
            if entry.records is not None:
                counts[f"{entry.kind}_records"] = counts.get(f"{entry.kind}_records", 0) + (
                    entry.records
                )
        return {
            "manifest_version": MANIFEST_VERSION,
            "crawl_id": self.crawl_id,
            "seedset": self.config.seedset,
            "writer": self.config.writer_id,
            "started_at": self.started_at.isoformat(),
            "finished_at": datetime.now(UTC).isoformat(),
            "store": self.store.uri,
            "counts": counts,
            "objects": [asdict(entry) for entry in self.ledger],
            "software": software_versions(),
            "settings": self.settings,
        }


def _json(value: Any) -> bytes:
    return json.dumps(value, indent=2, sort_keys=True, default=str).encode() + b"\n"
