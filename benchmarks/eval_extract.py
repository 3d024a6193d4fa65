"""Score our extractor against plain trafilatura on both gold corpora, side by side.

    .venv/bin/python -m benchmarks.eval_extract [--rounds 3] [--pages]

Both extractors get each page's bytes: ours ``pipelines.extract.core.extract(body, url,
headers)``, plain trafilatura ``trafilatura.extract(body, url=url, include_comments=False)``
and, not timed, ``trafilatura.extract_metadata``. Two corpora, each with its own metric:

- **gold** (tests/gold/, 42 pages of the fixture site's templates, see its README): bags of
  casefolded ``\\w+`` tokens of the output against the gold text, precision, recall and F1 per
  page, averaged over pages (F1: the mean of the pages' F1) and over all tokens (micro); leaks:
  gold-listed boilerplate strings found in the output (single-spaced, case kept: the tag
  "Critical infrastructure" is boilerplate, "critical infrastructure" in a sentence is not);
  metadata: title equal after folding, the date's first ten characters, equal sets of folded
  authors, equal language.
- **news-dev** (124 real pages read at run time from ../shared/corpora/news-dev/, see its
  README): lower-cased ``\\w+`` tokens, multisets of 4-gram shingles (fewer than four tokens: one
  shingle of all), precision = shared / predicted and recall = shared / gold per page, averaged
  over all pages, F1 from the two means; an empty prediction counts P = R = 0. Title: equal after
  NFKC, case folding and squashed spaces. Authors: equal normalised sets, gold ``null`` left out;
  a gold naming only the publication is matched by no author and that publisher or site name
  (``authors``; ``authors_strict`` does not allow it). Date: the same calendar day in the gold's
  offset. Language: the primary subtag. Also F1 per language and empty pages.

CPU ms per page: ``time.process_time`` per pass over a corpus, the two extractors in turns,
best of ``--rounds``. `score_corpus` (gold) and `score` (news-dev) are what the gate tests run
(tests/pipelines/extract/test_quality_gate*.py); benchmarks/baseline.json holds the floors.
"""

from __future__ import annotations

import argparse
import gzip
import json
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path

import trafilatura

from benchmarks.extract_scores import (
    GOLD,
    METADATA_FIELDS,
    NEWS,
    Case,
    Metric,
    Output,
    Page,
    PageScore,
    score_page,
    text_scores,
)
from pipelines.extract.core import extract

__all__ = [
    "BASELINE",
    "METADATA_FIELDS",
    "NEWS_DEV",
    "ROOT",
    "Case",
    "Output",
    "Page",
    "Report",
    "cpu_ms_per_page",
    "load",
    "load_corpus",
    "ours",
    "plain_trafilatura",
    "score",
    "score_corpus",
    "text_scores",
]

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "tests" / "gold"
NEWS_DEV = ROOT.parent / "shared" / "corpora" / "news-dev"
BASELINE = Path(__file__).with_name("baseline.json")


def load_corpus(folder: Path = CORPUS) -> list[Page]:
    """Every gold case: its page.html, or the page its gold.json names (the fixture site's
    articles are read from the site, so there is one copy of each)."""
    pages = []
    for case in sorted(folder.iterdir()):
        if (gold_file := case / "gold.json").is_file():
            gold = json.loads(gold_file.read_text("utf-8"))
            body = (case / gold.get("page", "page.html")).read_bytes()
            pages.append(Page(case.name, body, gold, dict(gold["headers"])))
    return pages


def load(folder: Path = NEWS_DEV) -> list[Page]:
    """Every news-dev case, with the crawl date as the response's Date (it bounds the dates,
    so a run needs no clock); FileNotFoundError when the corpus is missing (the gate fails)."""
    pages = []
    for entry in json.loads((folder / "index.json").read_text("utf-8"))["cases"]:
        case = folder / "cases" / entry["id"]
        gold = json.loads((case / "gold.json").read_text("utf-8"))
        crawled = datetime.fromisoformat(gold["crawl_date"]).replace(tzinfo=UTC)
        headers = {"content-type": "text/html", "date": format_datetime(crawled, usegmt=True)}
        body = gzip.decompress((case / "page.html.gz").read_bytes())
        pages.append(Page(entry["id"], body, gold, headers))
    return pages


def ours(page: Page) -> Output:
    result = extract(page.body, page.url, page.headers)
    if result is None:
        return Output("")
    names = tuple(name for name in (result.publisher, result.sitename) if name)
    date_, language = result.published_at, result.language
    return Output(result.text, result.title, result.authors, date_, language, names)


def trafilatura_text(page: Page) -> str:
    return trafilatura.extract(page.body, url=page.url, include_comments=False) or ""


def plain_trafilatura(page: Page) -> Output:
    meta = trafilatura.extract_metadata(page.body, default_url=page.url)
    if meta is None:
        return Output(trafilatura_text(page))
    authors = tuple(name.strip() for name in (meta.author or "").split(";") if name.strip())
    names = (meta.sitename,) if meta.sitename else ()
    return Output(trafilatura_text(page), meta.title, authors, meta.date, meta.language, names)


@dataclass
class Report:
    name: str
    metric: Metric = GOLD
    pages: list[PageScore] = field(default_factory=list)
    cpu_ms: float | None = None

    @property
    def cases(self) -> list[PageScore]:
        return self.pages

    def text(self, pages: list[PageScore] | None = None) -> tuple[float, float, float]:
        pages = self.pages if pages is None else pages
        precision = sum(page.precision for page in pages) / len(pages)
        recall = sum(page.recall for page in pages) / len(pages)
        if self.metric.f1_of_means:
            return precision, recall, 2 * precision * recall / (precision + recall or 1)
        return precision, recall, sum(page.f1 for page in pages) / len(pages)

    def micro(self) -> tuple[float, float, float]:
        matched = sum(page.matched for page in self.pages)
        precision = matched / max(sum(page.output_tokens for page in self.pages), 1)
        recall = matched / max(sum(page.gold_tokens for page in self.pages), 1)
        return precision, recall, 2 * precision * recall / max(precision + recall, 1e-9)

    @property
    def leaks(self) -> int:
        return sum(len(page.leaks) for page in self.pages)

    def accuracy(self, name: str) -> float:
        known = [page.metadata[name] for page in self.pages if page.metadata[name] is not None]
        return sum(bool(ok) for ok in known) / len(known)

    def by_language(self) -> dict[str, float]:
        groups: defaultdict[str, list[PageScore]] = defaultdict(list)
        for page in self.pages:
            groups[page.language].append(page)
        return {lang: self.text(pages)[2] for lang, pages in sorted(groups.items())}

    def summary(self) -> dict[str, float]:
        precision, recall, f1 = self.text()
        values = {"precision": precision, "recall": recall, "f1": f1, "micro_f1": self.micro()[2]}
        values.update(leaks=float(self.leaks), empty=float(sum(p.empty for p in self.pages)))
        accuracy = {name: self.accuracy(name) for name in self.pages[0].metadata}
        values.update(accuracy)
        values.update({f"metadata_{name}": value for name, value in accuracy.items()})
        values["metadata"] = sum(accuracy.values()) / len(accuracy)
        if not any(page.output.language for page in self.pages):
            values["language"] = float("nan")  # trafilatura does not detect the language
        return values


Extractor = Callable[[Page], Output]


def score_corpus(
    pages: list[Page], extractor: Extractor, name: str, metric: Metric = GOLD
) -> Report:
    return Report(name, metric, [score_page(page, extractor(page), metric) for page in pages])


def score(pages: list[Page], extractor: Extractor, name: str) -> Report:
    """news-dev's scores (`NEWS`)."""
    return score_corpus(pages, extractor, name, NEWS)


def cpu_ms_per_page(pages: list[Page], rounds: int) -> dict[str, float]:
    """Best-of-`rounds` CPU milliseconds per page, ours and trafilatura in turns each round, so
    load on the machine hits both alike."""
    runners: dict[str, Callable[[Page], object]] = {"ours": ours, "trafilatura": trafilatura_text}
    best = dict.fromkeys(runners, float("inf"))
    for _ in range(rounds):
        for name, run in runners.items():
            start = time.process_time()
            for page in pages:
                run(page)
            best[name] = min(best[name], time.process_time() - start)
    return {name: 1000 * seconds / len(pages) for name, seconds in best.items()}


# --- report --------------------------------------------------------------------------------------


def table(reports: list[Report], title: str) -> str:
    summaries = [report.summary() for report in reports]
    lines = [f"{title:30}" + "".join(f"{report.name:>13}" for report in reports)]
    for label, key, fmt in reports[0].metric.rows:
        cells = [fmt.format(s[key]) if s[key] == s[key] else "n/a" for s in summaries]  # nan
        lines.append(f"{label:30}" + "".join(f"{cell:>13}" for cell in cells))
    if all(report.cpu_ms for report in reports):
        lines.append(f"{'CPU ms per page':30}" + "".join(f"{r.cpu_ms:>13.1f}" for r in reports))
        ratio = (reports[0].cpu_ms or 0) / (reports[1].cpu_ms or 1)
        lines.append(f"{'CPU ratio ours/trafilatura':30}{ratio:>13.2f}")
    if reports[0].metric.f1_of_means:
        by_language = [report.by_language() for report in reports]
        counts = Counter(page.language for page in reports[0].pages)
        for lang in by_language[0]:
            cells = "".join(f"{scores[lang]:>13.3f}" for scores in by_language)
            lines.append(f"{f'F1 {lang} ({counts[lang]})':30}{cells}")
    return "\n".join(lines)


def page_table(reports: list[Report]) -> str:
    lines = [f"{'case':40} P, R (ours, trafilatura), leaks  our metadata misses"]
    for scores in zip(*(report.pages for report in reports), strict=True):
        cells = " ".join(f"{s.precision:5.2f} {s.recall:5.2f}" for s in scores)
        misses = " ".join(name for name, ok in scores[0].metadata.items() if ok is False)
        lines.append(f"{scores[0].case:40} {cells} {len(scores[0].leaks):2d}  {misses}")
    return "\n".join(lines)


def report(pages: list[Page], metric: Metric, title: str, rounds: int, *, per_page: bool) -> str:
    reports = [score_corpus(pages, run, name, metric) for name, run in EXTRACTORS.items()]
    if rounds:
        cpu = cpu_ms_per_page(pages, rounds)
        for each in reports:
            each.cpu_ms = cpu[each.name]
    return table(reports, title) + (f"\n\n{page_table(reports)}" if per_page else "")


EXTRACTORS: dict[str, Extractor] = {"ours": ours, "trafilatura": plain_trafilatura}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="timed passes; 0: no timing")
    parser.add_argument("--pages", action="store_true", help="also print per-page scores")
    args = parser.parse_args(argv)
    gold, news = load_corpus(), load()
    for pages, metric, where in ((gold, GOLD, CORPUS), (news, NEWS, NEWS_DEV)):
        title = f"{where.name} ({len(pages)} pages)"
        print(f"{where}/\n{report(pages, metric, title, args.rounds, per_page=args.pages)}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
