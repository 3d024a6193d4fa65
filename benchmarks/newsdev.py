"""news-dev's location and loader under their older module name; the scoring of both corpora is
`benchmarks.eval_extract`, which documents the news-dev metric."""

from __future__ import annotations

from benchmarks.eval_extract import NEWS_DEV, ROOT, Case, load

__all__ = ["NEWS_DEV", "ROOT", "Case", "load"]
