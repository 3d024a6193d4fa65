"""Per-host counters of a running crawl: what each source answered and what its pages gave.

``HostCounters`` (an extension, built after the archive's) counts, for each host: the responses
by HTTP status (every exchange downloaded, as archived), the requests robots.txt excluded (seen
by ``RobotsExclusions``, a downloader middleware: Scrapy's robots.txt middleware raises
``IgnoreRequest``, which every middleware's ``process_exception`` sees), and for each article page
the outcome of its extraction (the ``article_extracted`` signal): a record (with or without a
date and an author, and its text length), no article text, or a failure; and whether its charset
had to be detected because no declaration decoded it (``pipelines.extract.charset``).

They go into the crawl's report as its ``hosts`` section (counts and figures, see figures.py),
and are served to Prometheus (metrics.py) when ``PROMETHEUS_PORT`` is set. The metrics endpoint
reads them from its own thread, hence the lock.
"""

from __future__ import annotations

import threading
from collections import Counter, defaultdict
from dataclasses import replace
from typing import TYPE_CHECKING, Any, Self

from scrapy import signals
from scrapy.exceptions import IgnoreRequest, NotConfigured

from crawler.items import ArticleItem
from crawler.spiders.news import ROBOTS_FORBIDDEN
from pipelines.archive.context import archive_context
from pipelines.observe.figures import HostCounts, count_record, figures, host_of
from pipelines.signals import article_extracted

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response

FALLBACK_SOURCES = frozenset({"detected", "fallback"})  # no declared charset decoded the page


class HostCounters:
    def __init__(self) -> None:
        self._hosts: defaultdict[str, HostCounts] = defaultdict(HostCounts)
        self._lock = threading.Lock()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        counters = cls()
        crawler.signals.connect(counters.response_downloaded, signal=signals.response_downloaded)
        crawler.signals.connect(counters.article_extracted, signal=article_extracted)

        def attach() -> None:  # extensions cannot look each other up while they are built
            archive = archive_context(crawler, cls.__name__).archive
            archive.report_sections["hosts"] = counters.report

        crawler.signals.connect(attach, signal=signals.engine_started, weak=False)
        return counters

    def response_downloaded(self, response: Response, request: Request) -> None:
        with self._lock:
            self._hosts[host_of(response.url)].statuses[str(response.status)] += 1

    def robots_excluded(self, url: str) -> None:
        with self._lock:
            counts = self._hosts[host_of(url)]
            counts.robots_excluded = (counts.robots_excluded or 0) + 1

    def article_extracted(
        self,
        item: ArticleItem,
        outcome: str,
        record: Any = None,
        charset_source: str | None = None,
    ) -> None:
        # How the worker found the page's charset (None: the worker failed before it knew).
        fallback = charset_source in FALLBACK_SOURCES
        with self._lock:
            counts = self._hosts[host_of(item.final_url)]
            counts.articles = (counts.articles or 0) + 1
            counts.encoding_fallback = (counts.encoding_fallback or 0) + fallback
            if record is not None:
                count_record(counts, record)
            elif outcome == "empty":
                counts.empty = (counts.empty or 0) + 1
            else:
                counts.failed = (counts.failed or 0) + 1

    def snapshot(self, *, lengths: bool = True) -> dict[str, HostCounts]:
        """A copy of every host's counts, safe to read in another thread; without `lengths`,
        no copy of the text lengths (a count per length seen: the Prometheus scrape,
        under the lock the reactor's counters wait on, has no use for them)."""
        with self._lock:
            return {
                host: replace(
                    counts,
                    statuses=Counter(counts.statuses),
                    text_lengths=Counter(counts.text_lengths) if lengths else Counter(),
                )
                for host, counts in self._hosts.items()
            }

    def report(self) -> dict[str, Any]:
        """The report's ``hosts`` section: each host's counts and figures."""
        return {
            host: {
                "counts": {
                    "statuses": dict(sorted(counts.statuses.items())),
                    "records": counts.records,
                    "missing_date": counts.missing_date,
                    "missing_author": counts.missing_author,
                    **counts.crawl_counts(),
                },
                "figures": figures(counts),
            }
            for host, counts in sorted(self.snapshot().items())
        }


class RobotsExclusions:
    """Counts each request that robots.txt excluded under its host (a downloader middleware)."""

    def __init__(self, counters: HostCounters) -> None:
        self.counters = counters

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        counters = crawler.get_extension(HostCounters)
        if counters is None:
            raise NotConfigured(
                "RobotsExclusions counts for the HostCounters extension, which is off"
            )
        return cls(counters)

    def process_exception(self, request: Request, exception: Exception) -> None:
        if isinstance(exception, IgnoreRequest) and str(exception) == ROBOTS_FORBIDDEN:
            self.counters.robots_excluded(request.url)
