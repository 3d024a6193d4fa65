"""What `scrapy verify` checks of a manifest itself: its digest, and its counts against the
objects' own and the crawl's reports.

- the digest: ``manifests/{crawl}.json.sha256`` holds the SHA-256 of the manifest's canonical
  form, written with it (under Object Lock where the store has it): an edit of any value shows;
- the counts: ``counts`` against the objects the manifest lists; each WARC file's captures
  (the records an index lists) against the lines of its CDXJ index, which must be listed too;
- the reports: when every run of every writer left its report, the records they say were
  written and the WARC files they say were closed against the manifest's.

Each mismatch names both numbers. The per-object counts (records per WARC, lines per record
part and index) are checked in pipelines/tools/verify.py as each object is read.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Protocol

from pipelines.archive.coordination import counts_of, digest_key, manifest_digest, parse_digest
from pipelines.storage import ObjectMissingError, Store, StoreError
from pipelines.tools.revisits import Revisit
from pipelines.warc.cdxj import index_name

REPORT_COUNTS = (  # a report's stat, the manifest's count it must equal, what they count
    ("records/written", "records_records", "records written"),
    ("warc/files", "warc_objects", "WARC files"),
)


class Findings(Protocol):
    def problem(self, kind: str, key: str, detail: str = "") -> None: ...

    def note(self, key: str, detail: str) -> None: ...


@dataclass
class Counted:
    """What reading the objects of one manifest found, by key."""

    records: dict[str, int] = field(default_factory=dict)  # WARC records, lines
    captures: dict[str, int] = field(default_factory=dict)  # WARC: the records an index lists
    stats: dict[str, dict[str, Any]] = field(default_factory=dict)  # reports
    unverified: list[str] = field(default_factory=list)  # https captures without TLS verification
    revisits: list[Revisit] = field(default_factory=list)  # checked once every WARC is read


def check_digest(store: Store, crawl: str, manifest: dict[str, Any], found: Findings) -> None:
    key = digest_key(crawl)
    try:
        with store.get(key) as stream:
            stated = parse_digest(stream.read(4096))
    except ObjectMissingError:
        found.problem("missing", key, "no digest of the manifest: an edit could not be told")
        return
    except StoreError as exc:
        found.problem("missing", key, f"cannot be read: {exc}")
        return
    actual = manifest_digest(manifest)
    if stated is None:
        found.problem("corrupt", key, "holds no SHA-256")
    elif stated != actual:
        found.problem(
            "corrupt",
            f"manifests/{crawl}.json",
            f"edited: its canonical form has sha256 {actual}, {key} says {stated}",
        )


def check_counts(key: str, manifest: dict[str, Any], counted: Counted, found: Findings) -> None:
    objects: list[dict[str, Any]] = manifest.get("objects", [])
    stated, actual = manifest.get("counts", {}), counts_of(objects)
    for name in sorted(set(stated) | set(actual)):
        if stated.get(name) != actual.get(name):
            found.problem(
                "mismatch",
                key,
                f"counts {name}: manifest says {stated.get(name)}, its objects list "
                f"{actual.get(name, 0)}",
            )
    _check_indexes(objects, counted, found)
    _check_reports(key, manifest, counted, found)


def _check_indexes(objects: list[dict[str, Any]], counted: Counted, found: Findings) -> None:
    listed = {entry["key"] for entry in objects}
    for warc, captures in sorted(counted.captures.items()):
        folder, _, name = warc.partition("/")[2].rpartition("/")
        index = f"indexes/{folder}/{index_name(name)}"
        if index not in listed:
            found.problem("mismatch", warc, f"{captures} captures, and no CDXJ index listed")
        elif (lines := counted.records.get(index)) is not None and lines != captures:
            found.problem(
                "mismatch", index, f"{lines} lines, its WARC {warc} holds {captures} captures"
            )


def _check_reports(key: str, manifest: dict[str, Any], counted: Counted, found: Findings) -> None:
    writers: dict[str, Any] = manifest.get("writers") or {}
    reports = [e["key"] for e in manifest.get("objects", []) if e["kind"] == "reports"]
    runs = sum(int(writer.get("runs", 0)) for writer in writers.values())
    if not writers or runs != len(reports) or any(r not in counted.stats for r in reports):
        found.note(
            key,
            f"{runs} run(s) and {len(reports)} readable report(s): the reports, which "
            "cover part of the crawl, are not compared with it",
        )
        return
    counts = manifest.get("counts", {})
    for stat, name, what in REPORT_COUNTS:
        said = sum(int(counted.stats[report].get(stat, 0)) for report in reports)
        if said != counts.get(name, 0):
            found.problem(
                "mismatch",
                key,
                f"the report(s) say {said} {what}, the manifest {counts.get(name, 0)}",
            )


def report_stats(data: bytes) -> dict[str, Any]:
    """The stats of a report object; ValueError if it is not one."""
    stats = json.loads(data)["stats"]
    if not isinstance(stats, dict):
        raise ValueError("its stats are not an object")
    return stats
