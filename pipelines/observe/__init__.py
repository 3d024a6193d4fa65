"""Watching a crawl as it runs: per-host counters, the progress line, Prometheus metrics."""
