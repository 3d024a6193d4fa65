"""Test-only fault injection for crawls run in a subprocess: die halfway through a write.

A crawl started with ``crash_settings("warc:40")`` (as ``-s`` options) SIGKILLs itself halfway
through writing the 40th WARC record of the process; with ``"records:2"``, halfway through the
2nd flush of a records part; with ``"warc-closed:1"``, right after its 1st WARC file is closed
(renamed), before its index is written. The crawl then leaves exactly what a power cut there
would leave.

It is installed with the Scrapy add-on `CrashAt` (``ADDONS``), so production code only has the
seams: ``RotatingWarcWriter.file_class`` (whose ``WarcFile._write`` writes one record and
``WarcFile.close`` closes the file) and
``RecordsPipeline.batch_class`` (whose ``RecordBatch._commit`` makes a closed part durable).
The WARC writer is built deep inside the archive extension, so the add-on sets the writer's
``file_class`` for the whole process: the crawl process is the test's own, and dies anyway.
"""

from __future__ import annotations

import json
import os
import signal
from pathlib import Path
from typing import IO, TYPE_CHECKING, Self

from pipelines.records.pipeline import RecordBatch, RecordsPipeline
from pipelines.warc.writer import ClosedWarc, RotatingWarcWriter, WarcFile

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.settings import BaseSettings

SETTING = "NEWSARCHIVE_CRASH_AT"  # "warc:N", "warc-closed:N" or "records:N"
KINDS = ("warc", "warc-closed", "records")


def crash_settings(crash: str) -> dict[str, str]:
    """The ``-s`` settings that make a crawl die at ``crash`` (``kind:N``, a kind of KINDS)."""
    return {"ADDONS": json.dumps({f"{__name__}.CrashAt": 0}), SETTING: crash}


def crash_point(settings: BaseSettings) -> tuple[str, int]:
    kind, _, at = str(settings.get(SETTING) or "").partition(":")
    if kind not in KINDS or not at.isdigit():
        raise ValueError(f"{SETTING} must be KIND:N of {KINDS}, not {settings.get(SETTING)!r}")
    return kind, int(at)


class Countdown:
    """Counts writes across every file of the process; true at the chosen one."""

    def __init__(self, at: int) -> None:
        self.at = at
        self.seen = 0

    def reached(self) -> bool:
        self.seen += 1
        return self.seen == self.at


def die(stream: IO[bytes]) -> None:
    stream.flush()  # what was written reaches the file, as it would have before a power cut
    os.kill(os.getpid(), signal.SIGKILL)


def tearing_warc_file(at: int) -> type[WarcFile]:
    """A WarcFile that writes half of the `at`-th record of the process, then dies."""
    countdown = Countdown(at)

    class TearingWarcFile(WarcFile):
        def _write(self, data: bytes) -> None:
            if countdown.reached():
                self._stream.write(data[: len(data) // 2])
                die(self._stream)
            super()._write(data)

    return TearingWarcFile


def dying_closed_warc_file(at: int) -> type[WarcFile]:
    """A WarcFile whose `at`-th close in the process renames the file, then dies: the file is
    whole and closed, its index not written."""
    countdown = Countdown(at)

    class DyingWarcFile(WarcFile):
        def close(self) -> ClosedWarc:
            closed = super().close()
            if countdown.reached():
                os.kill(os.getpid(), signal.SIGKILL)
            return closed

    return DyingWarcFile


def tearing_batch(at: int) -> type[RecordBatch]:
    """A RecordBatch whose `at`-th flush in the process cuts the part in half and dies."""
    countdown = Countdown(at)

    class TearingBatch(RecordBatch):
        def _commit(self) -> Path:
            if countdown.reached():
                self._raw.flush()
                self._raw.truncate(self._raw.tell() // 2)
                die(self._raw)
            return super()._commit()

    return TearingBatch


class CrashingRecordsPipeline(RecordsPipeline):
    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        pipeline = super().from_crawler(crawler)
        pipeline.batch_class = tearing_batch(crash_point(crawler.settings)[1])
        return pipeline


class CrashAt:
    """Scrapy add-on installing the crash that the ``NEWSARCHIVE_CRASH_AT`` setting names."""

    def update_settings(self, settings: BaseSettings) -> None:
        kind, at = crash_point(settings)
        if kind == "warc":
            RotatingWarcWriter.file_class = tearing_warc_file(at)
        elif kind == "warc-closed":
            RotatingWarcWriter.file_class = dying_closed_warc_file(at)
        else:
            settings.replace_in_component_priority_dict(
                "ITEM_PIPELINES", RecordsPipeline, CrashingRecordsPipeline
            )
