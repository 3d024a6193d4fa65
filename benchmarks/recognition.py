"""Article recognition measured both ways: recall on news-dev, precision on a negative set.

    PYTHONPATH=. .venv/bin/python -m benchmarks.recognition [--pages]

- **Recall**: the share of news-dev's 124 real article pages (``../shared/corpora/news-dev/``,
  read at run time) that ``crawler.pages.recognise`` takes for articles. *By content* is the
  share that the content alone (``content_signals``, markup ignored) would take: what a page of
  the same text without article markup gets.
- **Negative set**: the non-article pages of ``tests/crawler/negative_pages.py`` (fronts,
  section, tag, author, archive, live-blog index, video, gallery and search pages, built at
  run time). *Rejected* is the share recognised as not articles; *rejected by content* the
  share that the content alone (markup ignored, as for recall) takes for not articles.
- **Precision**: recognised articles that are articles, over news-dev and the negative set
  together: TP / (TP + FP).
- **ms per page**: ``process_time`` of ``recognise`` on an already parsed news-dev page.

The gate (tests/crawler/test_recognition_gate.py) pins these as floors.
"""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass

from parsel import Selector

from benchmarks.eval_extract import NEWS_DEV, load
from crawler.pages import content_signals, recognise
from tests.crawler.negative_pages import pages as negative_pages


@dataclass(frozen=True)
class Scores:
    articles: int
    recognised: int
    by_content: int
    negatives: int
    false_positives: int
    content_false_positives: int  # negatives the content alone takes for articles
    missed: tuple[str, ...]  # news-dev cases not recognised, or not by content
    accepted: tuple[str, ...]  # negative pages taken for articles
    ms_per_page: float

    @property
    def recall(self) -> float:
        return self.recognised / self.articles

    @property
    def content_recall(self) -> float:
        return self.by_content / self.articles

    @property
    def rejected(self) -> float:
        return 1 - self.false_positives / self.negatives

    @property
    def content_rejected(self) -> float:
        return 1 - self.content_false_positives / self.negatives

    @property
    def precision(self) -> float:
        return self.recognised / (self.recognised + self.false_positives)


def measure() -> Scores:
    """Both sides in one run; FileNotFoundError when news-dev is missing."""
    articles = [(case.case, Selector(text=case.html)) for case in load(NEWS_DEV)]
    started = time.process_time()
    decided = [(name, recognise(page)) for name, page in articles]
    ms_per_page = 1000 * (time.process_time() - started) / len(articles)
    content = [(name, content_signals(page)[1]) for name, page in articles]
    negatives = [(name, Selector(text=html)) for name, html in negative_pages()]
    accepted = [name for name, page in negatives if recognise(page).is_article]
    return Scores(
        articles=len(articles),
        recognised=sum(r.is_article for _, r in decided),
        by_content=sum(ok for _, ok in content),
        negatives=len(negatives),
        false_positives=len(accepted),
        content_false_positives=sum(content_signals(page)[1] for _, page in negatives),
        missed=tuple(
            [f"{name} (not recognised)" for name, r in decided if not r.is_article]
            + [f"{name} (not by content)" for name, ok in content if not ok]
        ),
        accepted=tuple(accepted),
        ms_per_page=ms_per_page,
    )


def table(scores: Scores) -> str:
    rows = [
        ("news-dev recall", scores.recall, f"{scores.recognised}/{scores.articles}"),
        ("news-dev recall by content", scores.content_recall, f"{scores.by_content}"),
        ("negatives rejected", scores.rejected, f"{scores.false_positives}/{scores.negatives} FP"),
        (
            "negatives rejected by content",
            scores.content_rejected,
            f"{scores.content_false_positives}/{scores.negatives} FP",
        ),
        ("precision (news-dev + negatives)", scores.precision, ""),
    ]
    lines = ["| measure | value | count |", "| --- | --- | --- |"]
    lines += [f"| {name} | {value:.3f} | {count} |" for name, value, count in rows]
    lines.append(f"| recognise, ms CPU per page | {scores.ms_per_page:.2f} | |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", action="store_true", help="list the misses")
    args = parser.parse_args()
    scores = measure()
    print(table(scores))
    if args.pages:
        for line in (*scores.missed, *(f"{name} (negative, accepted)" for name in scores.accepted)):
            print(line)


if __name__ == "__main__":
    main()
