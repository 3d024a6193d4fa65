"""Prometheus metrics of a running crawl (optional, off by default): ``PROMETHEUS_PORT``.

With ``PROMETHEUS_PORT`` set, the crawl serves ``http://{PROMETHEUS_ADDRESS}:{port}/metrics``
(127.0.0.1 by default) in Prometheus' text format, from when the crawl is built until its engine
stops, using the standard client library (``prometheus-client``, the ``metrics`` extra). The
figures are read at each scrape, in the server's thread, from the per-host counters (hosts.py)
and the progress gauges (progress.py); nothing is kept twice. Metrics, by host where they are
per host:

- ``newsarchive_responses_total{host,status}``: responses downloaded (and archived);
- ``newsarchive_robots_excluded_total{host}``: requests robots.txt excluded;
- ``newsarchive_articles_total{host,outcome}``: article pages extracted, outcome ``record``,
  ``empty`` or ``failed``;
- ``newsarchive_records_missing_date_total{host}``, ``..._missing_author_total{host}``,
  ``newsarchive_encoding_fallbacks_total{host}``;
- gauges: ``newsarchive_warc_bytes``, ``newsarchive_uploads_waiting``,
  ``newsarchive_items_in_extraction``; counters ``newsarchive_pages_total``,
  ``newsarchive_records_total``.

The registry is the crawl's own (no process-global state), so two crawls in one process do not
mix.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Self
from wsgiref.simple_server import WSGIServer

from scrapy import signals
from scrapy.exceptions import NotConfigured

from crawler.config import ConfigError
from pipelines.archive.context import archive_context
from pipelines.observe.config import ObserveConfig
from pipelines.observe.hosts import HostCounters
from pipelines.observe.progress import Gauges, gauges

if TYPE_CHECKING:
    from prometheus_client.metrics_core import Metric
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

PER_HOST = (  # (metric, help, the HostCounts field)
    ("newsarchive_robots_excluded", "requests robots.txt excluded", "robots_excluded"),
    ("newsarchive_records_missing_date", "records without a date", "missing_date"),
    ("newsarchive_records_missing_author", "records without an author", "missing_author"),
    (
        "newsarchive_encoding_fallbacks",
        "article pages whose charset was detected",
        "encoding_fallback",
    ),
)


class CrawlCollector:
    """Builds the metric families at each scrape from the crawl's live counters, once the
    engine has started (extensions cannot look each other up while they are built)."""

    def __init__(self) -> None:
        self.counters: HostCounters | None = None
        self.read_gauges: Callable[[], Gauges] | None = None

    def attach(self, counters: HostCounters, read_gauges: Callable[[], Gauges]) -> None:
        self.counters, self.read_gauges = counters, read_gauges

    def collect(self) -> Iterator[Metric]:
        from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

        if self.counters is None or self.read_gauges is None:
            return
        hosts = self.counters.snapshot(lengths=False)
        responses = CounterMetricFamily(
            "newsarchive_responses", "responses downloaded", labels=["host", "status"]
        )
        articles = CounterMetricFamily(
            "newsarchive_articles", "article pages extracted", labels=["host", "outcome"]
        )
        for host, counts in sorted(hosts.items()):
            for status, n in sorted(counts.statuses.items()):
                responses.add_metric([host, status], n)
            articles.add_metric([host, "record"], counts.records)
            articles.add_metric([host, "empty"], counts.empty or 0)
            articles.add_metric([host, "failed"], counts.failed or 0)
        yield responses
        yield articles
        for name, text, field in PER_HOST:
            family = CounterMetricFamily(name, text, labels=["host"])
            for host, counts in sorted(hosts.items()):
                family.add_metric([host], getattr(counts, field) or 0)
            yield family
        now = self.read_gauges()
        yield CounterMetricFamily("newsarchive_pages", "responses downloaded", value=now.pages)
        yield CounterMetricFamily("newsarchive_records", "records written", value=now.records)
        yield GaugeMetricFamily("newsarchive_warc_bytes", "WARC bytes written", now.warc_bytes)
        yield GaugeMetricFamily(
            "newsarchive_uploads_waiting", "files waiting for upload", now.uploads_waiting
        )
        yield GaugeMetricFamily(
            "newsarchive_items_in_extraction", "items in the item pipelines", now.in_extraction
        )


class Metrics:
    def __init__(self, server: WSGIServer, thread: threading.Thread) -> None:
        self.server = server
        self.thread = thread

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        config = ObserveConfig.from_settings(crawler.settings)
        if not config.prometheus_port:
            raise NotConfigured  # off: no "Disabled" warning for a feature simply off
        collector = CrawlCollector()
        metrics = cls(*serve(collector, config.prometheus_address, config.prometheus_port))

        def attach() -> None:
            counters = crawler.get_extension(HostCounters)
            if counters is None:
                raise ConfigError("PROMETHEUS_PORT needs pipelines.observe.hosts.HostCounters")
            archive = archive_context(crawler, cls.__name__).archive
            collector.attach(counters, lambda: gauges(crawler, archive))

        crawler.signals.connect(attach, signal=signals.engine_started, weak=False)
        crawler.signals.connect(metrics.engine_stopped, signal=signals.engine_stopped)
        return metrics

    def engine_stopped(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()


def serve(
    collector: CrawlCollector, address: str, port: int
) -> tuple[WSGIServer, threading.Thread]:
    """Start the endpoint in its own thread; a port that cannot be taken stops the crawl."""
    try:
        from prometheus_client import CollectorRegistry, start_http_server
    except ImportError as exc:
        raise ConfigError(
            "setting PROMETHEUS_PORT: needs prometheus-client (pip install 'newsarchive[metrics]')"
        ) from exc
    registry = CollectorRegistry()
    registry.register(collector)
    try:
        server, thread = start_http_server(port, addr=address, registry=registry)
    except OSError as exc:
        raise ConfigError(
            f"setting PROMETHEUS_PORT: cannot listen on {address}:{port}: {exc}"
        ) from exc
    logger.info("Prometheus metrics on http://%s:%d/metrics", address, port)
    return server, thread
