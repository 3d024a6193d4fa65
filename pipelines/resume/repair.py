"""Repair of what a killed crawl left half-written in its spool.

A ``*.warc.gz.open`` file whose writer is gone (its lock is free, see
``pipelines.archive.liveness``; never its pid, which a zombie keeps and a new process reuses) is
read gzip member by gzip member; every complete member that warcio reads as a valid record
(digests checked) is kept, the torn tail is cut off (logged with the file and the bytes cut,
counted as ``resume/bytes_cut``), and the file is closed as the writer would have: renamed,
journaled, its CDXJ index written. A torn records part (``*.jsonl.gz.open``) is removed: its
articles are replayed, so their records come again. A closed WARC whose index a crash prevented
is indexed. ``pipelines.resume.state`` runs this at start.
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING

from warcio.archiveiterator import ArchiveIterator

from pipelines.archive.identity import writer_id
from pipelines.archive.liveness import writer_is_live, writer_of
from pipelines.archive.spool import OPEN_SUFFIX, CrawlSpool
from pipelines.storage import Store, StoreError
from pipelines.warc import cdxj

if TYPE_CHECKING:
    from scrapy.statscollectors import StatsCollector

logger = logging.getLogger(__name__)

WARC_OPEN = ".warc.gz" + OPEN_SUFFIX
RECORDS_OPEN = ".jsonl.gz" + OPEN_SUFFIX
_READ = 1024 * 1024


@dataclass(frozen=True, slots=True)
class Repaired:
    path: Path  # the closed file, or the torn one if it held no complete record (then removed)
    records: int  # complete records kept
    kept: int  # bytes kept
    cut: int  # bytes cut off


def complete_members(stream: IO[bytes]) -> list[tuple[int, int]]:
    """(offset, length) of each complete gzip member from the start of the stream, up to the
    first one that is torn (no end, or a bad CRC) or is not gzip at all."""
    members: list[tuple[int, int]] = []
    start = position = 0
    decompressor = zlib.decompressobj(zlib.MAX_WBITS | 16)
    pending = b""
    while True:
        data = pending or stream.read(_READ)
        pending = b""
        if not data:
            return members
        try:
            decompressor.decompress(data)
        except zlib.error:
            return members
        if not decompressor.eof:
            position += len(data)
            continue
        used = len(data) - len(decompressor.unused_data)
        position += used
        members.append((start, position - start))
        start = position
        pending = decompressor.unused_data
        decompressor = zlib.decompressobj(zlib.MAX_WBITS | 16)


def _valid_record(member: bytes) -> bool:
    """One gzip member that warcio reads as exactly one WARC record with good digests."""
    try:
        iterator = ArchiveIterator(io.BytesIO(member), check_digests="raise")
        count = 0
        for record in iterator:
            record.content_stream().read()
            count += 1
        return count == 1
    except Exception:  # warcio raises many kinds on a damaged record: it is not kept
        return False


def repair_warc(torn: Path) -> Repaired:
    """Keep the complete, valid records of a WARC left open by a crash and cut the rest; the
    file stays at its ``.open`` name (the caller closes it)."""
    size = torn.stat().st_size
    kept = records = 0
    with open(torn, "rb") as stream:
        for offset, length in complete_members(stream):
            if offset != kept:
                break
            stream.seek(offset)
            if not _valid_record(stream.read(length)):
                break
            kept, records = offset + length, records + 1
    if kept < size:
        with open(torn, "r+b") as out:
            out.truncate(kept)
            out.flush()
            os.fsync(out.fileno())
    return Repaired(torn, records, kept, size - kept)


def repair_spool(
    spool: CrawlSpool, store: Store, stats: StatsCollector | None = None
) -> list[Repaired]:
    """Repair the crawl's WARC files torn by a crash, close them (renamed, journaled, indexed:
    the archive stores them as it stores any closed file), remove its torn record parts, and
    index the closed WARC files that a crash left without a whole index."""
    repaired = []
    for path in spool.torn():
        if writer_is_live(spool.root, path.name):
            continue  # its writer holds its lock: still being written
        if path.name.endswith(WARC_OPEN):
            repaired.append(_close_repaired(spool, repair_warc(path), stats))
        elif path.name.endswith(RECORDS_OPEN):
            path.unlink()
            _inc(stats, "resume/record_parts_removed")
            logger.warning(
                "records part %s was torn by a crash: removed; its articles are replayed and "
                "their records written again",
                path,
            )
        else:
            logger.warning("%s was left open by a crash and is not repaired here", path)
    index_closed_warcs(spool, store=store, stats=stats)
    return repaired


def index_closed_warcs(
    spool: CrawlSpool,
    warcs: list[Path] | None = None,
    *,
    store: Store,
    stats: StatsCollector | None = None,
) -> list[Path]:
    """Write the CDXJ index of each closed WARC in the spool (or of ``warcs``, listed before
    this process wrote any) whose index is neither stored nor whole in the spool: a crash
    between a WARC's close and its index, or a repaired WARC. A live writer's files are its own
    to index (this process's id on a file means an earlier process had it; another host's
    files are in this spool only if it was moved here). The indexes written."""
    if warcs is None:
        warcs = list(spool.kind_folder("warc").glob("*.warc.gz"))
    if not warcs:
        return []  # nothing to ask the store about
    done = _stored_keys(spool, store)
    folder = spool.kind_folder("indexes")
    written = []
    for warc in sorted(warcs):
        index = folder / cdxj.index_name(warc.name)
        if f"indexes/{spool.crawl_id}/{index.name}" in done or _live(spool, warc):
            continue
        with open(warc, "rb") as stream:
            lines = cdxj.sorted_lines(cdxj.index_warc(stream, warc.name))
        text = "".join(lines)
        with contextlib.suppress(FileNotFoundError):
            if index.read_text("utf-8") == text:
                continue
        temp = index.with_name(f".{index.name}.tmp")
        temp.write_text(text, "utf-8")
        os.replace(temp, index)
        spool.note_closed(index, "indexes", len(lines))
        written.append(index)
        _inc(stats, "resume/indexes_written")
        logger.info("CDXJ index of %s written at resume (%d lines)", warc.name, len(lines))
    return written


def _stored_keys(spool: CrawlSpool, store: Store) -> set[str]:
    """The keys of the crawl's stored indexes: the store's, or the spool's journal's when the
    store cannot say (an index stored but not journaled is then written again, the same)."""
    journaled = {entry.key for entry in spool.stored()}
    try:
        return journaled | set(store.list(f"indexes/{spool.crawl_id}/"))
    except StoreError as exc:
        logger.warning("listing the indexes stored for %s: %s", spool.crawl_id, exc)
        return journaled


def _live(spool: CrawlSpool, path: Path) -> bool:
    """Whether another live process of this host wrote the file: it writes the index itself."""
    writer = writer_of(path.name)
    return writer not in (None, writer_id()) and writer_is_live(spool.root, path.name)


def _close_repaired(spool: CrawlSpool, result: Repaired, stats: StatsCollector | None) -> Repaired:
    torn = result.path
    final = torn.with_name(torn.name.removesuffix(OPEN_SUFFIX))
    _inc(stats, "resume/warc_repaired")
    _inc(stats, "resume/bytes_cut", result.cut)
    if result.records == 0:  # not even its warcinfo record is whole
        torn.unlink()
        logger.warning(
            "WARC %s was torn by a crash before its first record was whole: removed (%d bytes)",
            torn,
            result.cut,
        )
        return result
    logger.warning(
        "WARC %s was torn by a crash: %d complete record(s) kept (%d bytes), %d byte(s) of a "
        "torn record cut off; closed as %s",
        torn,
        result.records,
        result.kept,
        result.cut,
        final.name,
    )
    os.replace(torn, final)
    spool.note_closed(final, "warc", result.records)
    return Repaired(final, result.records, result.kept, result.cut)


def _inc(stats: StatsCollector | None, key: str, count: int = 1) -> None:
    if stats is not None:
        stats.inc_value(key, count)
