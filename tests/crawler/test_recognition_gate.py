"""The recognition gate: recall on news-dev's real articles, precision on the negative set.

news-dev (../shared/corpora/news-dev/) is read at run time, never copied here; a missing corpus
fails the gate. The figures are those `benchmarks.recognition` prints; the floors sit a little
below what was measured when they were set (recall 1.000, by content 0.984; negatives rejected
1.000, by content 1.000; precision 1.000 on 124 articles and 60 negative pages).
"""

from __future__ import annotations

import pytest

from benchmarks.eval_extract import NEWS_DEV
from benchmarks.recognition import Scores, measure
from tests.crawler.negative_pages import pages

FLOORS = {
    "recall": 0.99,  # the target: 99% of the 124 articles
    "content_recall": 0.97,  # markup ignored: 2 of 124 fall short today
    "rejected": 0.98,  # the target is 97%
    "content_rejected": 0.98,
    "precision": 0.98,
}


@pytest.fixture(scope="module")
def scores() -> Scores:
    assert (NEWS_DEV / "index.json").is_file(), f"the news-dev corpus is missing: {NEWS_DEV}"
    return measure()


def test_the_sets_are_whole(scores: Scores) -> None:
    assert scores.articles == 124
    assert scores.negatives >= 40
    kinds = {name.rsplit("-", 2)[0] for name, _ in pages()}
    assert {
        "front",
        "section",
        "tag",
        "author",
        "live-index",
        "video",
        "gallery",
        "search",
    } <= kinds


@pytest.mark.parametrize("measure_name", sorted(FLOORS))
def test_recognition_holds_its_floor(scores: Scores, measure_name: str) -> None:
    value = getattr(scores, measure_name)
    assert value >= FLOORS[measure_name], (measure_name, value, scores.missed, scores.accepted)


def test_the_negative_pages_are_built_the_same_every_time() -> None:
    assert pages() == pages()
