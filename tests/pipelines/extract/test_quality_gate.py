"""The extraction quality gate: our extractor on the gold corpus, against its pinned floors.

The corpus (tests/gold/, described in its README) is scored once for this module, for our
extractor and for plain trafilatura, by the same code that prints the side-by-side table
(`benchmarks.eval_extract`). The floors are in benchmarks/baseline.json. Throughput is not
asserted here: it is measured by the benchmark script only.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from benchmarks.eval_extract import (
    BASELINE,
    METADATA_FIELDS,
    Page,
    Report,
    load_corpus,
    ours,
    plain_trafilatura,
    score_corpus,
)
from pipelines.extract.core import extract

FIXTURE_GOLD = Path(__file__).resolve().parents[2] / "sites" / "news" / "gold"
GOLD_KEYS = {
    "id",
    "kinds",
    "template",
    "url",
    "headers",
    "note",
    "title",
    "authors",
    "published_at",
    "language",
    "canonical_url",
    "text",
    "boilerplate",
}


@pytest.fixture(scope="module")
def pages() -> list[Page]:
    return load_corpus()


@pytest.fixture(scope="module")
def reports(pages: list[Page]) -> dict[str, Report]:
    return {
        "ours": score_corpus(pages, ours, "ours"),
        "trafilatura": score_corpus(pages, plain_trafilatura, "trafilatura"),
    }


@pytest.fixture(scope="module")
def baseline() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(BASELINE.read_text("utf-8"))
    return data


def kinds(pages: list[Page], kind: str) -> list[Page]:
    return [page for page in pages if kind in page.gold["kinds"]]


def test_the_corpus_has_the_pages_it_promises(pages: list[Page], baseline: dict[str, Any]) -> None:
    assert len(pages) >= 40
    assert len(pages) == baseline["corpus_pages"]  # a page added or lost shows up here
    assert len(kinds(pages, "realistic")) >= 25
    assert len({page.gold["template"] for page in kinds(pages, "realistic")}) >= 8
    assert len(kinds(pages, "cut-siblings")) >= 3
    assert len(kinds(pages, "worse-fallback")) >= 3
    assert len(kinds(pages, "encoding")) >= 4
    assert {"live-storm-ailsa", "paged-village-shop"} <= {page.case for page in pages}
    assert any(page.gold["template"] == "table_layout" for page in pages)


def test_the_seed_articles_are_in_the_corpus_with_their_gold_text(pages: list[Page]) -> None:
    seeds = kinds(pages, "seed")
    assert len(seeds) == 2
    for page in seeds:
        slug = page.url.rstrip("/").rsplit("/", 1)[1]
        fixture = json.loads((FIXTURE_GOLD / f"{slug}.json").read_text("utf-8"))
        assert page.gold["text"] == fixture["text"]
        assert page.gold["boilerplate"] == fixture["boilerplate"]


def test_every_gold_file_follows_the_schema(pages: list[Page]) -> None:
    for page in pages:
        gold = page.gold
        assert set(gold) - {"page"} == GOLD_KEYS, page.case
        assert gold["id"] == page.case
        assert gold["text"].strip() and gold["boilerplate"], page.case
        assert all(item not in gold["text"] for item in gold["boilerplate"]), page.case
        assert gold["headers"]["content-type"].startswith("text/html"), page.case


def test_no_boilerplate_leaks(reports: dict[str, Report], baseline: dict[str, Any]) -> None:
    leaks = {page.case: page.leaks for page in reports["ours"].pages if page.leaks}
    assert reports["ours"].leaks <= baseline["max_leaks"], leaks
    assert reports["trafilatura"].leaks > 0  # the corpus does test the cleanup


def test_scores_stay_above_the_floors(reports: dict[str, Report], baseline: dict[str, Any]) -> None:
    summary = reports["ours"].summary()
    below = {
        name: (round(summary[name], 4), floor)
        for name, floor in baseline["floors"].items()
        if summary[name] < floor
    }
    assert below == {}


def test_ours_beats_plain_trafilatura(reports: dict[str, Report], baseline: dict[str, Any]) -> None:
    ours_, plain = reports["ours"].summary(), reports["trafilatura"].summary()
    assert ours_["f1"] - plain["f1"] >= baseline["min_f1_margin_over_trafilatura"]
    assert ours_["micro_f1"] > plain["micro_f1"]
    assert ours_["metadata"] > plain["metadata"]
    worse = [
        (a.case, round(a.f1, 3), round(b.f1, 3))
        for a, b in zip(reports["ours"].pages, reports["trafilatura"].pages, strict=True)
        if a.f1 < b.f1 - 0.005
    ]
    assert worse == []  # never worse than trafilatura alone, page by page


def test_metadata_is_at_least_95_percent_right(reports: dict[str, Report]) -> None:
    for name in METADATA_FIELDS:
        assert reports["ours"].accuracy(name) >= 0.95, name


@pytest.mark.parametrize(
    ("kind", "winner"),
    [("cut-siblings", "trafilatura+siblings"), ("worse-fallback", "trafilatura")],
)
def test_failure_mode_pages_keep_the_right_candidate(
    pages: list[Page], reports: dict[str, Report], kind: str, winner: str
) -> None:
    scores = {page.case: page for page in reports["ours"].pages}
    for page in kinds(pages, kind):
        result = extract(page.body, page.url, page.headers)
        assert result is not None and result.candidate == winner, page.case
        assert scores[page.case].recall >= 0.99 and scores[page.case].precision >= 0.99
