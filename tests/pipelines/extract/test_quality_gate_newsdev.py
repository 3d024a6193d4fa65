"""The extraction gate on real pages: news-dev (../shared/corpora/news-dev/), against its floors.

The 124 pages are read at run time, never copied here; a missing corpus fails the gate (CI has
../shared beside the clone). Both extractors are scored once for this module by the code that
prints the side-by-side table (`benchmarks.eval_extract`, which defines the metric); the floors are
``news_dev`` in benchmarks/baseline.json. CPU time is measured by the benchmark only.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from benchmarks.eval_extract import (
    BASELINE,
    NEWS_DEV,
    Case,
    Report,
    load,
    ours,
    plain_trafilatura,
    score,
)


@pytest.fixture(scope="module")
def cases() -> list[Case]:
    assert (NEWS_DEV / "index.json").is_file(), f"the news-dev corpus is missing: {NEWS_DEV}"
    return load()


@pytest.fixture(scope="module")
def reports(cases: list[Case]) -> dict[str, Report]:
    return {
        "ours": score(cases, ours, "ours"),
        "trafilatura": score(cases, plain_trafilatura, "trafilatura"),
    }


@pytest.fixture(scope="module")
def floors() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(BASELINE.read_text("utf-8"))["news_dev"]
    return data


def test_the_corpus_is_complete(cases: list[Case], floors: dict[str, Any]) -> None:
    assert len(cases) == floors["corpus_pages"]
    assert len({case.gold["language"] for case in cases}) >= 15


def test_scores_stay_above_the_floors(reports: dict[str, Report], floors: dict[str, Any]) -> None:
    summary = reports["ours"].summary()
    below = {
        name: (round(summary[name], 4), floor)
        for name, floor in floors["floors"].items()
        if summary[name] < floor
    }
    assert below == {}


def test_ours_beats_trafilatura_in_the_same_run(
    reports: dict[str, Report], floors: dict[str, Any]
) -> None:
    ours_, plain = reports["ours"].summary(), reports["trafilatura"].summary()
    assert ours_["f1"] - plain["f1"] >= floors["min_f1_margin_over_trafilatura"]
    for name in ("title", "authors", "date"):
        assert ours_[name] >= plain[name], name


def test_no_page_is_empty_where_trafilatura_has_text(reports: dict[str, Report]) -> None:
    pairs = zip(reports["ours"].cases, reports["trafilatura"].cases, strict=True)
    assert [a.case for a, b in pairs if a.empty and not b.empty] == []


def test_the_main_languages_stay_above_their_floors(
    reports: dict[str, Report], floors: dict[str, Any]
) -> None:
    by_language = reports["ours"].by_language()
    below = {
        lang: (round(by_language[lang], 4), floor)
        for lang, floor in floors["language_f1"].items()
        if by_language[lang] < floor
    }
    assert below == {}
