"""A source's health in figures: the counts of one host (or one crawl) and the rates made of them.

Counts add up (several processes of a crawl, several crawls of a seed set); rates are computed
from the sums, never averaged. The same figures go into the crawl's report (the ``hosts``
section, from the counters kept while crawling) and into ``scrapy report`` (from the archive:
CDXJ indexes, records and reports), so that both say the same thing about a host. A rate whose
denominator is zero, or a count the archive cannot tell (a crawl made before per-host counters
were kept), is ``None``.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

# counts kept from the crawl itself: the archive holds no trace of them
CRAWL_COUNTS = ("robots_excluded", "articles", "empty", "failed", "encoding_fallback")


def host_of(url: str) -> str:
    """The source a URL belongs to: its host name, lower case, without port."""
    try:
        return (urlsplit(url).hostname or "").lower() or "(none)"
    except ValueError:
        return "(invalid)"


@dataclass
class HostCounts:
    statuses: Counter[str] = field(default_factory=Counter)  # HTTP status -> responses
    records: int = 0  # clean records (articles with text)
    missing_date: int = 0  # records without published_at
    missing_author: int = 0  # records without authors
    # characters of a record's text -> records that long: a median without a number per record
    text_lengths: Counter[int] = field(default_factory=Counter)
    # from the crawl only; None when the archive's reports do not say
    robots_excluded: int | None = 0
    articles: int | None = 0  # article pages sent to extraction
    empty: int | None = 0  # ... that gave no article text
    failed: int | None = 0  # ... whose extraction failed (or timed out)
    encoding_fallback: int | None = 0  # ... whose charset was detected, not declared

    def add(self, other: HostCounts) -> None:
        self.statuses.update(other.statuses)
        self.records += other.records
        self.missing_date += other.missing_date
        self.missing_author += other.missing_author
        self.text_lengths.update(other.text_lengths)
        for name in CRAWL_COUNTS:
            mine, theirs = getattr(self, name), getattr(other, name)
            setattr(self, name, None if mine is None or theirs is None else mine + theirs)

    def crawl_counts(self) -> dict[str, int | None]:
        return {name: getattr(self, name) for name in CRAWL_COUNTS}


def _rate(part: int | None, whole: int | None) -> float | None:
    if part is None or not whole:
        return None
    return round(part / whole, 4)


def _median(counted: Counter[int]) -> int | None:
    """The median of the values counted (``statistics.median``'s, cut to an int)."""
    total = counted.total()
    if not total:
        return None
    low_at, high_at = (total - 1) // 2, total // 2
    seen, low = 0, 0
    for value in sorted(counted):
        if seen <= low_at < seen + counted[value]:
            low = value
        seen += counted[value]
        if seen > high_at:
            return int((low + value) / 2)
    raise AssertionError("unreachable: the counts add up to the total")


def figures(counts: HostCounts) -> dict[str, Any]:
    """The health figures of one host or crawl, JSON-ready."""
    pages = sum(counts.statuses.values())
    by_class = Counter(f"{status[:1]}xx" for status in counts.statuses.elements())
    ok = by_class["2xx"]
    lengths = counts.text_lengths
    return {
        "pages": pages,
        "statuses": dict(sorted(counts.statuses.items())),
        "status_classes": dict(sorted(by_class.items())),
        "rate_403": _rate(counts.statuses["403"], pages),
        "rate_429": _rate(counts.statuses["429"], pages),
        "rate_5xx": _rate(by_class["5xx"], pages),
        "robots_excluded": counts.robots_excluded,
        "articles": counts.articles,
        "records": counts.records,
        "article_yield": _rate(counts.records, ok),  # records per 2xx page
        "empty_text_rate": _rate(counts.empty, counts.articles),
        "extraction_failure_rate": _rate(counts.failed, counts.articles),
        "missing_date_rate": _rate(counts.missing_date, counts.records),
        "missing_author_rate": _rate(counts.missing_author, counts.records),
        "encoding_fallback_rate": _rate(counts.encoding_fallback, counts.articles),
        "median_text_length": _median(lengths),
    }


def count_record(counts: HostCounts, record: dict[str, Any]) -> None:
    """Count one clean record (schema 1) into its host's counts."""
    counts.records += 1
    counts.missing_date += record.get("published_at") is None
    counts.missing_author += not record.get("authors")
    counts.text_lengths[len(record.get("text") or "")] += 1
