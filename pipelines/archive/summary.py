"""The human summary of a crawl: what it fetched, wrote and stored, in a few lines.

One piece of code serves every place that shows it: the end of every ``scrapy crawl`` (logged
by the archive when it closes, with the outcome), the crawl's report
(``reports/{crawl}/{host}-{pid}.json``, key ``summary``: the lines and the figures behind them),
and ``make demo``, which reads it back from the store (the manifest's objects and the reports of
every process of the crawl), so that it shows what was stored, not what was meant to be::

    crawl id:        demo-20261121202108
    pages fetched:   11 x 200, 1 x 301, 1 x 404, 3 x 500
    WARC files:      1 (69,081 bytes, 16 exchanges)
    records written: 5 in 1 part(s) (no article text: 0, extraction failed: 0)
    stored in:       file:///home/you/newsarchive/archive/
      warc/demo-20261121202108/   indexes/demo-20261121202108/   records/demo-20261121202108/ ...
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pipelines.archive.session import Archive

STATUS_PREFIX = "downloader/response_status_count/"


@dataclass(frozen=True, slots=True)
class Summary:
    crawl_id: str
    statuses: dict[str, int]  # HTTP status -> responses
    warc_files: int
    warc_bytes: int
    exchanges: int
    records: int
    record_parts: int
    empty: int  # articles with no article text
    failed: int  # articles whose extraction failed
    store: str  # the store's URI
    outcome: str | None = None  # complete, stopped, spooled; None: not known yet
    waiting: int = 0  # files still in the spool

    def lines(self) -> list[str]:
        pages = ", ".join(f"{n} x {s}" for s, n in sorted(self.statuses.items())) or "none"
        crawl = self.crawl_id
        lines = [
            f"crawl id:        {crawl}",
            f"pages fetched:   {pages}",
            f"WARC files:      {self.warc_files} ({self.warc_bytes:,} bytes, "
            f"{self.exchanges} exchanges)",
            f"records written: {self.records} in {self.record_parts} part(s) "
            f"(no article text: {self.empty}, extraction failed: {self.failed})",
            f"stored in:       {self.store}",
            f"  warc/{crawl}/   indexes/{crawl}/   records/{crawl}/ ...",
        ]
        if self.outcome is not None:
            lines.append(f"outcome:         {self.outcome}")
        if self.waiting:
            lines.append(f"left in spool:   {self.waiting} file(s)")
        return lines

    def text(self) -> str:
        return "\n".join(self.lines())

    def to_dict(self) -> dict[str, Any]:
        """The figures and the lines, for the JSON report."""
        return {**asdict(self), "lines": self.lines()}


def summed_stats(reports: Iterable[Mapping[str, Any]]) -> dict[str, int | float]:
    """The numeric stats of several processes' reports (``report["stats"]``), added up."""
    total: dict[str, int | float] = {}
    for stats in reports:
        for name, value in stats.items():
            if isinstance(value, int | float) and not isinstance(value, bool):
                total[name] = total.get(name, 0) + value
    return total


def summarise(
    crawl_id: str,
    stats: Mapping[str, Any],
    store: str,
    objects: Iterable[Mapping[str, Any]] | None = None,
    *,
    outcome: str | None = None,
    waiting: int = 0,
) -> Summary:
    """The summary from a crawl's stats; with ``objects`` (the manifest's: ``kind``, ``size``,
    ``records``), the WARC files and records are counted as stored rather than as written."""

    def count(name: str) -> int:
        return int(stats.get(name, 0) or 0)

    statuses = {
        name.removeprefix(STATUS_PREFIX): int(value)
        for name, value in stats.items()
        if name.startswith(STATUS_PREFIX)
    }
    if objects is None:
        warc_files, warc_bytes = count("warc/files"), count("warc/bytes")
        records, parts = count("records/written"), count("archive/stored/records")
    else:
        listed = list(objects)
        warcs = [o for o in listed if o["kind"] == "warc"]
        parts_listed = [o for o in listed if o["kind"] == "records"]
        warc_files, warc_bytes = len(warcs), sum(int(o["size"]) for o in warcs)
        records = sum(int(o.get("records") or 0) for o in parts_listed)
        parts = len(parts_listed)
    return Summary(
        crawl_id=crawl_id,
        statuses=statuses,
        warc_files=warc_files,
        warc_bytes=warc_bytes,
        exchanges=count("warc/exchanges"),
        records=records,
        record_parts=parts,
        empty=count("extract/empty"),
        failed=count("extract/failed"),
        store=store,
        outcome=outcome,
        waiting=waiting,
    )


def archive_summary(archive: Archive, outcome: str | None = None) -> Summary:
    """What one process of the crawl fetched, wrote and stored; with the outcome, at its end,
    also the files left in the spool."""
    waiting = len(archive.crawl_spool.waiting()) if outcome is not None else 0
    stats = archive.stats.get_stats()
    return summarise(archive.crawl_id, stats, archive.store.uri, outcome=outcome, waiting=waiting)
