"""Score our extractor against plain trafilatura on the gold corpora, side by side.

    .venv/bin/python -m benchmarks.eval_extract [--rounds 5] [--pages]

Two corpora: the fixture-site gold in tests/gold/ (this module) and news-dev, 124 real pages read
from ../shared/corpora/news-dev/ at run time (`benchmarks.newsdev`, which documents its metric).
On tests/gold/:

For every page of the corpus both extractors get the same bytes: ours through
``pipelines.extract.core.extract(body, url, headers)``, plain trafilatura through
``trafilatura.bare_extraction(body, url=url, include_comments=False, with_metadata=True)`` (its
defaults otherwise, fallback included). Reported:

- token precision, recall and F1: bags of words (casefolded ``\\w+`` tokens) of the output
  against the gold text, per page, averaged over pages (macro) and over all tokens (micro);
- leaks: gold-listed boilerplate strings found in the output (single-spaced, case kept: the
  tag "Critical infrastructure" is boilerplate, "critical infrastructure" in a sentence is not);
- metadata accuracy: title (equal after folding), date (the calendar date of published_at),
  authors (equal sets after folding) and language (equal primary subtag);
- pages/s per core: the corpus extracted ``--rounds`` times in this one process, best round,
  CPU time, the two extractors taking turns (so other load on the machine counts for neither).

`score_corpus` is what tests/pipelines/extract/test_quality_gate.py runs (its news-dev twin runs
`benchmarks.newsdev.score`); benchmarks/baseline.json holds the floors of both.
"""

from __future__ import annotations

import argparse
import json
import re
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import trafilatura
from trafilatura.settings import Document

from benchmarks import newsdev
from pipelines.extract.core import extract

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "tests" / "gold"
BASELINE = Path(__file__).with_name("baseline.json")
METADATA_FIELDS = ("title", "date", "authors", "language")
_TOKEN = re.compile(r"\w+")


@dataclass(frozen=True)
class Page:
    case: str
    body: bytes
    gold: dict[str, Any]

    @property
    def url(self) -> str:
        return str(self.gold["url"])

    @property
    def headers(self) -> dict[str, str]:
        return dict(self.gold["headers"])


@dataclass(frozen=True)
class Output:
    """What an extractor made of one page, in the fields the scores compare."""

    text: str
    title: str | None = None
    date: str | None = None
    authors: tuple[str, ...] = ()
    language: str | None = None


Extractor = Callable[[Page], Output]


def load_corpus(folder: Path = CORPUS) -> list[Page]:
    """Every case: its gold.json, and its page.html or the page that gold.json's "page" names
    (the fixture site's articles are read from the site, so there is one copy of each)."""
    pages = []
    for case in sorted(folder.iterdir()):
        if not (gold_file := case / "gold.json").is_file():
            continue
        gold = json.loads(gold_file.read_text("utf-8"))
        body = (case / gold.get("page", "page.html")).read_bytes()
        pages.append(Page(case.name, body, gold))
    return pages


def ours(page: Page) -> Output:
    result = extract(page.body, page.url, page.headers)
    if result is None:
        return Output("")
    return Output(result.text, result.title, result.published_at, result.authors, result.language)


def plain_trafilatura(page: Page) -> Output:
    document = trafilatura.bare_extraction(
        page.body, url=page.url, include_comments=False, with_metadata=True
    )
    if not isinstance(document, Document):
        return Output("")
    authors = tuple(name.strip() for name in (document.author or "").split(";") if name.strip())
    return Output(document.text or "", document.title, document.date, authors, document.language)


EXTRACTORS: dict[str, Extractor] = {"ours": ours, "trafilatura": plain_trafilatura}


# --- scores --------------------------------------------------------------------------------------


def tokens(text: str) -> Counter[str]:
    return Counter(_TOKEN.findall(text.casefold()))


def _fold(text: str) -> str:
    return " ".join(text.replace("\u00a0", " ").split()).casefold()


def _squash(text: str) -> str:
    return " ".join(text.replace("\u00a0", " ").split())


@dataclass
class PageScore:
    case: str
    precision: float
    recall: float
    f1: float
    matched: int
    output_tokens: int
    gold_tokens: int
    leaks: list[str]
    metadata: dict[str, bool]


def score_page(page: Page, output: Output) -> PageScore:
    gold_text = str(page.gold["text"])
    got, want = tokens(output.text), tokens(gold_text)
    matched = sum((got & want).values())
    precision = matched / sum(got.values()) if got else 0.0
    recall = matched / sum(want.values()) if want else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    squashed = _squash(output.text)
    leaks = [item for item in page.gold["boilerplate"] if _squash(item) in squashed]
    return PageScore(
        page.case,
        precision,
        recall,
        f1,
        matched,
        sum(got.values()),
        sum(want.values()),
        leaks,
        _metadata_matches(page.gold, output),
    )


def _metadata_matches(gold: dict[str, Any], output: Output) -> dict[str, bool]:
    gold_date = (gold.get("published_at") or "")[:10]
    return {
        "title": _fold(output.title or "") == _fold(gold["title"]),
        "date": (output.date or "")[:10] == gold_date,
        "authors": {_fold(name) for name in output.authors}
        == {_fold(name) for name in gold["authors"]},
        "language": output.language == gold["language"],
    }


@dataclass
class Report:
    name: str
    pages: list[PageScore] = field(default_factory=list)
    pages_per_second: float | None = None

    def mean(self, attribute: str) -> float:
        return sum(getattr(page, attribute) for page in self.pages) / len(self.pages)

    def micro(self) -> tuple[float, float, float]:
        matched = sum(page.matched for page in self.pages)
        precision = matched / max(sum(page.output_tokens for page in self.pages), 1)
        recall = matched / max(sum(page.gold_tokens for page in self.pages), 1)
        return precision, recall, 2 * precision * recall / max(precision + recall, 1e-9)

    @property
    def leaks(self) -> int:
        return sum(len(page.leaks) for page in self.pages)

    def accuracy(self, name: str) -> float:
        return sum(page.metadata[name] for page in self.pages) / len(self.pages)

    @property
    def metadata_accuracy(self) -> float:
        return sum(self.accuracy(name) for name in METADATA_FIELDS) / len(METADATA_FIELDS)

    def summary(self) -> dict[str, float]:
        *_, micro_f1 = self.micro()
        values = {
            "precision": self.mean("precision"),
            "recall": self.mean("recall"),
            "f1": self.mean("f1"),
            "micro_f1": micro_f1,
            "leaks": float(self.leaks),
            "metadata": self.metadata_accuracy,
        }
        values.update({f"metadata_{name}": self.accuracy(name) for name in METADATA_FIELDS})
        return values


def score_corpus(pages: list[Page], extractor: Extractor, name: str) -> Report:
    report = Report(name)
    for page in pages:
        report.pages.append(score_page(page, extractor(page)))
    return report


def pages_per_second(
    pages: Iterable[Page], extractors: dict[str, Extractor], rounds: int
) -> dict[str, float]:
    """Pages per CPU second in this process (one core) for each extractor, best of `rounds`
    passes. The extractors take turns pass by pass, so load on the machine hits them alike."""
    pages = list(pages)
    for extractor in extractors.values():  # warm up: imports, the language model, lxml
        for page in pages:
            extractor(page)
    best = dict.fromkeys(extractors, float("inf"))
    for _ in range(rounds):
        for name, extractor in extractors.items():
            start = time.process_time()
            for page in pages:
                extractor(page)
            best[name] = min(best[name], time.process_time() - start)
    return {name: len(pages) / seconds for name, seconds in best.items()}


# --- report --------------------------------------------------------------------------------------


def table(reports: list[Report]) -> str:
    rows = [
        ("token precision (mean)", "precision", "{:.4f}"),
        ("token recall (mean)", "recall", "{:.4f}"),
        ("token F1 (mean)", "f1", "{:.4f}"),
        ("token F1 (micro)", "micro_f1", "{:.4f}"),
        ("boilerplate leaks", "leaks", "{:.0f}"),
        ("metadata accuracy", "metadata", "{:.1%}"),
        ("  title", "metadata_title", "{:.1%}"),
        ("  date", "metadata_date", "{:.1%}"),
        ("  authors", "metadata_authors", "{:.1%}"),
        ("  language", "metadata_language", "{:.1%}"),
    ]
    summaries = [report.summary() for report in reports]
    width = max(len(label) for label, _, _ in rows) + 2
    lines = [" " * width + "".join(f"{report.name:>14}" for report in reports)]
    for label, key, fmt in rows:
        lines.append(label.ljust(width) + "".join(f"{fmt.format(s[key]):>14}" for s in summaries))
    if all(report.pages_per_second for report in reports):
        speeds = "".join(f"{report.pages_per_second:>14.1f}" for report in reports)
        lines.append("pages/s per core".ljust(width) + speeds)
        ratio = reports[0].pages_per_second / reports[1].pages_per_second  # type: ignore[operator]
        lines.append(f"speed ratio {reports[0].name}/{reports[1].name}: {ratio:.2f}")
    return "\n".join(lines)


def page_table(reports: list[Report]) -> str:
    lines = []
    for scores in zip(*(report.pages for report in reports), strict=True):
        cells = " ".join(f"{s.f1:6.3f} {len(s.leaks):2d}" for s in scores)
        misses = [name for name, ok in scores[0].metadata.items() if not ok]
        lines.append(f"{scores[0].case:38} {cells}  {' '.join(misses)}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=10, help="timed passes; 0: no timing")
    parser.add_argument("--pages", action="store_true", help="also print per-page F1 and leaks")
    args = parser.parse_args(argv)
    pages = load_corpus()
    reports = [score_corpus(pages, extractor, name) for name, extractor in EXTRACTORS.items()]
    if args.rounds:
        speeds = pages_per_second(pages, EXTRACTORS, args.rounds)
        for report in reports:
            report.pages_per_second = speeds[report.name]
    print(f"gold corpus: {len(pages)} pages in {CORPUS.relative_to(ROOT)}/\n")
    print(table(reports))
    if args.pages:
        print(f"\n{'case':38} F1 leaks (ours, trafilatura)  our metadata misses")
        print(page_table(reports))
    print(f"\n{newsdev.report(args.rounds and max(args.rounds // 3, 1), pages=args.pages)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
