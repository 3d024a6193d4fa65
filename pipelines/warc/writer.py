"""Rotating WARC files in the local spool: open, append records, close, hand over.

A file is written as ``NAME.warc.gz.open`` and renamed to ``NAME.warc.gz`` when it closes (the
Heritrix convention), so a reader of the spool never mistakes a file still being written, or torn
by a crash, for a finished one. Every file starts with a warcinfo record. Names follow the WARC
specification's annex C: ``{prefix}-{timestamp}-{serial:05d}-{writer}.warc.gz``, where the writer
is ``{host}-{pid}`` so that several crawler processes can share one crawl id and one store.

This module knows nothing of Scrapy or of stores: a closed file goes to the ``on_close`` callback.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from crawler.items import WarcPointer
from pipelines.archive.spool import OPEN_SUFFIX
from pipelines.warc.record import Record, RecordFactory, build_record, warc_date, warc_fields


@dataclass(frozen=True, slots=True)
class ClosedWarc:
    path: Path
    records: int  # records in the file, warcinfo included


class WarcFile:
    """One open WARC file. Appends go straight to disk; nothing is buffered in memory."""

    def __init__(self, path: Path, stream: BinaryIO) -> None:
        self.path = path  # the final name; the file is at path + OPEN_SUFFIX until closed
        self._stream = stream
        self.size = 0
        self.records = 0
        self.opened = time.monotonic()
        self.notes: dict[str, str] = {}  # records written once per file (TLS chains): key -> id

    def append(self, records: Iterable[Record]) -> list[WarcPointer]:
        pointers = []
        for record in records:
            pointers.append(
                WarcPointer(
                    self.path.name,
                    self.size,
                    len(record.data),
                    record.record_id,
                    record.payload_digest,
                    record.date,
                )
            )
            self._write(record.data)
            self.size += len(record.data)
            self.records += 1
        # Flushed per exchange so that a crash loses at most the exchange being written.
        self._stream.flush()
        return pointers

    def _write(self, data: bytes) -> None:
        """One record's bytes, whole (the crash-resume tests tear one here, in tests/faults.py)."""
        self._stream.write(data)

    def close(self) -> ClosedWarc:
        self._stream.flush()
        os.fsync(self._stream.fileno())
        self._stream.close()
        os.replace(self.path.with_name(self.path.name + OPEN_SUFFIX), self.path)
        return ClosedWarc(self.path, self.records)


class RotatingWarcWriter:
    """Appends exchanges to the current file and rotates by size and age.

    ``max_size`` is checked before each append: a file is closed once it has reached the size,
    so no file grows past it by more than one exchange. ``max_age`` (seconds, 0 = never)
    is checked on each append and by :meth:`rotate_if_old`, which a timer can call.
    """

    file_class: type[WarcFile] = WarcFile  # the class of each file opened

    def __init__(
        self,
        folder: Path,
        *,
        prefix: str,
        writer_id: str,
        max_size: int,
        max_age: float,
        warcinfo: Iterable[tuple[str, str]],
        on_close: Callable[[ClosedWarc], None],
        factory: RecordFactory | None = None,
    ) -> None:
        self.folder = folder
        self.prefix = prefix
        self.writer_id = writer_id
        self.max_size = max_size
        self.max_age = max_age
        self.warcinfo = tuple(warcinfo)
        self.on_close = on_close
        self.factory = factory or RecordFactory()
        self.serial = 0
        self.current: WarcFile | None = None

    def write(self, records: Callable[[RecordFactory], Iterable[Record]]) -> list[WarcPointer]:
        """Append the records that ``records`` builds; they always land in one file together."""
        if self.current is not None and self._due(self.current):
            self.close()
        if self.current is None:
            self.current = self._open()
        return self.current.append(records(self.factory))

    def rotate_if_old(self) -> None:
        if self.current is not None and self.max_age and self._age(self.current) >= self.max_age:
            self.close()

    def close(self) -> None:
        if self.current is None:
            return
        closed, self.current = self.current.close(), None
        self.on_close(closed)

    def _due(self, warc: WarcFile) -> bool:
        return warc.size >= self.max_size or bool(self.max_age and self._age(warc) >= self.max_age)

    @staticmethod
    def _age(warc: WarcFile) -> float:
        return time.monotonic() - warc.opened

    def _open(self) -> WarcFile:
        self.folder.mkdir(parents=True, exist_ok=True)
        moment = self.factory.now()
        while True:
            self.serial += 1
            stamp = moment.strftime("%Y%m%d%H%M%S%f")[:17]
            name = f"{self.prefix}-{stamp}-{self.serial:05d}-{self.writer_id}.warc.gz"
            path = self.folder / name
            try:
                stream = open(path.with_name(name + OPEN_SUFFIX), "xb")  # noqa: SIM115
            except FileExistsError:
                continue  # a file left by an earlier run of this process id: take the next serial
            break
        warc = self.file_class(path, stream)
        info = warc_fields([*self.warcinfo, ("filename", name)])
        record = build_record(
            "warcinfo",
            info,
            record_id=self.factory.make_id(),
            date=warc_date(moment),
            content_type="application/warc-fields",
        )
        warc.append([record])
        return warc
