"""Scores of an extraction against gold labels: the metrics of both gold corpora.

`benchmarks.eval_extract` runs the extractors and prints the tables; this module holds what a
page and an output are and how they compare (`GOLD`: bags of words, leaks and folded metadata
for tests/gold/; `NEWS`: the scrapinghub benchmark's 4-gram shingles and normalised metadata for
news-dev). The metrics are described in `benchmarks.eval_extract`.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from pipelines.extract.titles import SiteNames

METADATA_FIELDS = ("title", "date", "authors", "language")
NEWS_FIELDS = ("title", "authors", "authors_strict", "date", "language")
Row = tuple[str, str, str]  # label, summary key, format
_TOKEN = re.compile(r"\w+")


@dataclass(frozen=True)
class Page:
    """One case: the body as served, the response headers, the gold labels."""

    case: str
    body: bytes
    gold: dict[str, Any]
    headers: dict[str, str]

    @property
    def url(self) -> str:
        return str(self.gold["url"])

    @property
    def html(self) -> str:
        return self.body.decode("utf-8")  # news-dev's pages are all UTF-8


Case = Page  # the news-dev name


@dataclass(frozen=True)
class Output:
    """What an extractor made of one page, in the fields the scores compare."""

    text: str
    title: str | None = None
    authors: tuple[str, ...] = ()
    date: str | None = None
    language: str | None = None
    publishers: tuple[str, ...] = ()  # the publisher and site name the extractor gives


def tokens(text: str) -> Counter[str]:
    return Counter(_TOKEN.findall(text.casefold()))


def shingles(text: str, size: int = 4) -> Counter[tuple[str, ...]]:
    words = _TOKEN.findall(text.lower())
    if len(words) < size:
        return Counter([tuple(words)]) if words else Counter()
    return Counter(tuple(words[i : i + size]) for i in range(len(words) - size + 1))


def text_scores(prediction: str, gold: str) -> tuple[float, float]:
    """news-dev's precision and recall of one page."""
    matched, got, want = _overlap(shingles(prediction), shingles(gold))
    return (matched / got if got else 0.0), (matched / want if want else 0.0)


def _overlap(got: Counter[Any], want: Counter[Any]) -> tuple[int, int, int]:
    return sum((got & want).values()), sum(got.values()), sum(want.values())


def _fold(text: str) -> str:
    return " ".join(text.replace("\u00a0", " ").split()).casefold()


def _squash(text: str) -> str:
    return " ".join(text.replace("\u00a0", " ").split())


def norm(text: str | None) -> str:
    return " ".join(unicodedata.normalize("NFKC", text or "").casefold().split())


def gold_matches(output: Output, gold: dict[str, Any]) -> dict[str, bool | None]:
    return {
        "title": _fold(output.title or "") == _fold(gold["title"]),
        "date": (output.date or "")[:10] == (gold.get("published_at") or "")[:10],
        "authors": {_fold(name) for name in output.authors} == {_fold(n) for n in gold["authors"]},
        "language": output.language == gold["language"],
    }


def same_day(ours_: str | None, gold: str) -> bool:
    try:
        got: date = datetime.fromisoformat(ours_ or "")
    except ValueError:
        return False
    want = datetime.fromisoformat(gold)
    if isinstance(got, datetime) and got.tzinfo is not None and want.tzinfo is not None:
        got = got.astimezone(want.tzinfo)
    return (got.date() if isinstance(got, datetime) else got) == want.date()


def same_authors(output: Output, gold: list[str], url: str, *, strict: bool = False) -> bool:
    """Equal sets of normalised names. Unless `strict`, a gold that names only the publication
    itself ("DER SPIEGEL", "ndr.de") is matched by no author plus that publisher or site name
    (by `SiteNames`: the name, the host, their initials): the record keeps organisations apart."""
    if {norm(name) for name in output.authors} == {norm(name) for name in gold}:
        return True
    sites = SiteNames.of(output.publishers, url)
    return not strict and not output.authors and bool(gold) and all(map(sites.names, gold))


def news_matches(output: Output, gold: dict[str, Any]) -> dict[str, bool | None]:
    authors, url = gold.get("authors"), str(gold["url"])
    known = authors is not None
    return {
        "title": norm(output.title) == norm(gold["title"]),
        "authors": same_authors(output, authors, url) if known else None,
        "authors_strict": same_authors(output, authors, url, strict=True) if known else None,
        "date": same_day(output.date, gold["date"]) if gold.get("date") else None,
        "language": (output.language or "").split("-")[0].lower() == gold["language"],
    }


@dataclass(frozen=True)
class Metric:
    """How a corpus is scored: its text units, its metadata checks, its table rows."""

    grams: Callable[[str], Counter[Any]]
    fields: Callable[[Output, dict[str, Any]], dict[str, bool | None]]
    f1_of_means: bool  # F1 from mean P and R (news-dev), else the mean of the pages' F1
    rows: tuple[Row, ...]


def _rows(
    digits: int, scores: dict[str, str], counts: dict[str, str], accuracies: dict[str, str]
) -> tuple[Row, ...]:
    """Table rows, (label, summary key, format): `scores` with `digits`, whole `counts`, then
    `accuracies` as percentages; each dict maps summary keys to labels."""
    return (
        *((label, key, f"{{:.{digits}f}}") for key, label in scores.items()),
        *((label, key, "{:.0f}") for key, label in counts.items()),
        *((label, key, "{:.1%}") for key, label in accuracies.items()),
    )


GOLD = Metric(
    tokens,
    gold_matches,
    f1_of_means=False,
    rows=_rows(
        4,
        {key: f"token {key.replace('f1', 'F1')} (mean)" for key in ("precision", "recall", "f1")}
        | {"micro_f1": "token F1 (micro)"},
        {"leaks": "boilerplate leaks"},
        {"metadata": "metadata accuracy"}
        | {f"metadata_{name}": f"  {name}" for name in METADATA_FIELDS},
    ),
)
NEWS = Metric(
    shingles,
    news_matches,
    f1_of_means=True,
    rows=_rows(
        3,
        {"precision": "P", "recall": "R", "f1": "F1"},
        {"empty": "empty pages"},
        {name: f"{name} accuracy" for name in (*NEWS_FIELDS[:3], "date", "language")},
    ),
)


@dataclass
class PageScore:
    case: str
    language: str
    precision: float
    recall: float
    f1: float
    matched: int
    output_tokens: int
    gold_tokens: int
    empty: bool
    leaks: list[str]
    metadata: dict[str, bool | None]
    output: Output


def score_page(page: Page, output: Output, metric: Metric = GOLD) -> PageScore:
    matched, got, want = _overlap(metric.grams(output.text), metric.grams(page.gold["text"]))
    precision, recall = (matched / got if got else 0.0), (matched / want if want else 0.0)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    text = _squash(output.text)
    leaks = [item for item in page.gold.get("boilerplate", ()) if _squash(item) in text]
    return PageScore(
        case=page.case,
        language=str(page.gold["language"]),
        precision=precision,
        recall=recall,
        f1=f1,
        matched=matched,
        output_tokens=got,
        gold_tokens=want,
        empty=not output.text.strip(),
        leaks=leaks,
        metadata=metric.fields(output, page.gold),
        output=output,
    )
