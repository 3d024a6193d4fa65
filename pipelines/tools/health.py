"""`scrapy report`: the health of each source (host) of a crawl, and across a seed set's crawls.

Computed from the archive alone, so it works on any past crawl, complete or not:

- the CDXJ indexes (``indexes/{crawl}/*.cdxj``) give every archived response, so the pages and
  the status mix (403, 429, 5xx rates) of each host;
- the clean records (``records/{crawl}/*.jsonl.gz``) give the article yield (records per 2xx
  page), the missing-date and missing-author rates and the median text length;
- the reports (``reports/{crawl}/*.json``, one per crawl process) give what only the crawl saw:
  robots.txt exclusions, the article pages sent to extraction, empty texts, extraction failures
  and encoding fallbacks, from their ``hosts`` section (pipelines/observe/hosts.py). A crawl
  made before reports had it, or a process that left no report (a crawl still paused), has
  these as ``None``: unknown, not zero.

The figures are those of ``pipelines.observe.figures`` (the crawl's own report uses the same).
Crawls of one seed set are ordered by the timestamp in their id (``{seedset}-{UTC timestamp}``),
which the yield-over-time plot follows. Objects are read as streams, a line at a time.
"""

from __future__ import annotations

import gzip
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from pipelines.observe.figures import CRAWL_COUNTS, HostCounts, count_record, figures, host_of
from pipelines.storage import Store
from pipelines.warc import cdxj

CRAWL_TIME = re.compile(r"-(\d{14})$")


class NoCrawlError(LookupError):
    """The archive holds no crawl (or not the one asked for)."""


@dataclass
class CrawlHealth:
    crawl_id: str
    seedset: str
    complete: bool  # its manifest is written
    hosts: dict[str, HostCounts] = field(default_factory=dict)

    @property
    def started(self) -> str | None:
        """The UTC time in the crawl id, as ISO 8601 (``2026-12-04T15:59:26Z``)."""
        found = CRAWL_TIME.search(self.crawl_id)
        if found is None:
            return None
        t = found.group(1)
        return f"{t[:4]}-{t[4:6]}-{t[6:8]}T{t[8:10]}:{t[10:12]}:{t[12:]}Z"

    def total(self) -> HostCounts:
        total = HostCounts()
        for counts in self.hosts.values():
            total.add(counts)
        return total

    def to_dict(self) -> dict[str, Any]:
        return {
            "crawl_id": self.crawl_id,
            "seedset": self.seedset,
            "started": self.started,
            "complete": self.complete,
            "totals": figures(self.total()),
            "hosts": {host: figures(counts) for host, counts in sorted(self.hosts.items())},
        }


def crawl_ids(store: Store, crawl: str | None = None) -> list[str]:
    """The crawls of the archive (those with an index, a report or a manifest), by id."""
    if crawl is not None:
        prefixes = (f"indexes/{crawl}/", f"reports/{crawl}/", f"manifests/{crawl}.json")
        if not any(next(iter(store.list(prefix)), None) for prefix in prefixes):
            raise NoCrawlError(f"no crawl {crawl!r} in {store.uri}")
        return [crawl]
    found = {key.split("/")[1] for kind in ("indexes", "reports") for key in store.list(f"{kind}/")}
    found |= {
        key.removeprefix("manifests/").removesuffix(".json")
        for key in store.list("manifests/")
        if key.endswith(".json")
    }
    if not found:
        raise NoCrawlError(f"no crawl in {store.uri}: no indexes, reports or manifests")
    return sorted(found)


def crawl_health(store: Store, crawl_id: str) -> CrawlHealth:
    """One crawl's counts by host, read from its indexes, records and reports."""
    reports = [_json(store, key) for key in store.list(f"reports/{crawl_id}/")]
    seedset = next((str(r["seedset"]) for r in reports if r.get("seedset")), "")
    if not seedset:
        found = CRAWL_TIME.search(crawl_id)
        seedset = crawl_id[: found.start()] if found else crawl_id
    health = CrawlHealth(crawl_id, seedset, store.exists(f"manifests/{crawl_id}.json"))

    def host(url: str) -> HostCounts:
        return health.hosts.setdefault(host_of(url), HostCounts())

    for key in store.list(f"indexes/{crawl_id}/"):
        for line in _lines(store, key):
            entry = cdxj.parse_line(line)
            if entry is not None:  # a line torn by a crash counts nothing
                host(entry.url).statuses[entry.status or "-"] += 1
    for key in store.list(f"records/{crawl_id}/"):
        with store.get(key) as stream, gzip.open(stream, "rt", encoding="utf-8") as lines:
            for line in lines:
                record = json.loads(line)
                count_record(host(record["final_url"] or record["url"]), record)
    _crawl_counts(health, reports)
    return health


def _crawl_counts(health: CrawlHealth, reports: list[dict[str, Any]]) -> None:
    """Add what only the crawl saw, from every report's ``hosts`` section; unknown (None)
    when no report, or a report without that section, is there to say."""
    known = bool(reports) and all("hosts" in report for report in reports)
    for report in reports if known else []:
        for name, section in report["hosts"].items():
            counts = health.hosts.setdefault(name, HostCounts())
            for counter in CRAWL_COUNTS:
                value = section["counts"].get(counter)
                current = getattr(counts, counter)
                setattr(counts, counter, None if value is None else (current or 0) + value)
    if not known:
        for counts in health.hosts.values():
            for counter in CRAWL_COUNTS:
                setattr(counts, counter, None)


def health_report(store: Store, crawl: str | None = None) -> dict[str, Any]:
    """The whole report, JSON-ready: each crawl's figures by host, and each seed set's hosts
    across its crawls with the figures of each crawl in time order."""
    crawls = [crawl_health(store, crawl_id) for crawl_id in crawl_ids(store, crawl)]
    crawls.sort(key=lambda c: (c.seedset, c.started or "", c.crawl_id))
    seedsets: dict[str, list[CrawlHealth]] = {}
    for health in crawls:
        seedsets.setdefault(health.seedset, []).append(health)
    return {
        "archive": store.uri,
        "crawls": [health.to_dict() for health in crawls],
        "seedsets": {name: _seedset(members) for name, members in sorted(seedsets.items())},
    }


def _seedset(crawls: list[CrawlHealth]) -> dict[str, Any]:
    hosts: dict[str, HostCounts] = {}
    for health in crawls:
        for name, counts in health.hosts.items():
            hosts.setdefault(name, HostCounts()).add(counts)
    return {
        "crawls": [health.crawl_id for health in crawls],
        "hosts": {name: figures(counts) for name, counts in sorted(hosts.items())},
        "over_time": [
            {"crawl_id": h.crawl_id, "started": h.started, **_brief(figures(h.total()))}
            for h in crawls
        ],
    }


def _brief(figures_: dict[str, Any]) -> dict[str, Any]:
    names = ("pages", "records", "article_yield", "rate_5xx", "missing_date_rate")
    return {name: figures_[name] for name in names}


def _json(store: Store, key: str) -> dict[str, Any]:
    with store.get(key) as stream:
        value: dict[str, Any] = json.load(stream)
    return value


def _lines(store: Store, key: str) -> Iterator[str]:
    with store.get(key) as stream:
        for line in io.TextIOWrapper(stream, encoding="utf-8"):
            if line.strip():
                yield line.rstrip("\n")
