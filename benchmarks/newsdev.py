"""Scores on news-dev, 124 real article pages (../shared/corpora/news-dev/, read at run time).

    .venv/bin/python -m benchmarks.eval_extract --news-dev [--rounds 3] [--pages]

Ours (``pipelines.extract.core.extract``) and trafilatura
(``trafilatura.extract(html, url=url, include_comments=False)``) get the same page in the same run.

- **Text** (the corpus README's metric, the scrapinghub article-extraction-benchmark's): lowercase,
  ``\\w+`` tokens (Unicode), the multiset of token 4-gram shingles (a text of fewer than four
  tokens is one shingle of all of them); precision = shared / predicted, recall = shared / gold,
  each averaged over all pages, F1 from the two means. An empty prediction (no record, or no text)
  counts P = 0 and R = 0 and stays in both means.
- **Title**: equal after NFKC, case folding and whitespace squashing.
- **Authors**: equal sets of names normalised the same way; pages whose gold is ``null``
  (unknown) are left out, gold ``[]`` wants no author. The gold names the publication itself
  as the author of unsigned articles ("DER SPIEGEL", "ndr.de"), where our record has no author
  and that name in ``publisher``/``sitename``: ``authors`` counts that as right (see
  `same_authors`), ``authors_strict`` does not.
- **Date**: the same calendar day as the gold's, read in the gold's offset (a value with an
  offset is converted to it; a value without one, or a bare date, is compared as it stands).
- **Language**: equal primary subtag.
- **CPU per page**: ``time.process_time`` per pass over all pages, the two extractors taking turns
  round by round, best round each.

trafilatura's metadata columns come from ``trafilatura.extract_metadata`` (not timed).
"""

from __future__ import annotations

import gzip
import json
import re
import time
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import trafilatura

from pipelines.extract.core import extract
from pipelines.extract.titles import SiteNames

ROOT = Path(__file__).resolve().parents[1]
NEWS_DEV = ROOT.parent / "shared" / "corpora" / "news-dev"
FIELDS = ("title", "authors", "authors_strict", "date", "language")
_TOKEN = re.compile(r"\w+")


@dataclass(frozen=True)
class Case:
    case: str
    html: str
    gold: dict[str, Any]

    @property
    def url(self) -> str:
        return str(self.gold["url"])

    @property
    def headers(self) -> dict[str, str]:
        """The crawl date as the response's Date (it bounds the dates), so a run needs no clock."""
        crawled = datetime.fromisoformat(self.gold["crawl_date"]).replace(tzinfo=UTC)
        return {"content-type": "text/html", "date": format_datetime(crawled, usegmt=True)}


@dataclass(frozen=True)
class Output:
    text: str
    title: str | None = None
    authors: tuple[str, ...] | None = ()
    date: str | None = None
    language: str | None = None
    publishers: tuple[str, ...] = ()  # the publisher and site name the extractor gives


def load(folder: Path = NEWS_DEV) -> list[Case]:
    """Every case of the corpus; FileNotFoundError when it is missing (the gate must fail)."""
    index = json.loads((folder / "index.json").read_text("utf-8"))
    cases = []
    for entry in index["cases"]:
        case = folder / "cases" / entry["id"]
        html = gzip.decompress((case / "page.html.gz").read_bytes()).decode("utf-8")
        cases.append(Case(entry["id"], html, json.loads((case / "gold.json").read_text("utf-8"))))
    return cases


def ours(case: Case) -> Output:
    result = extract(case.html.encode("utf-8"), case.url, case.headers)
    if result is None:
        return Output("")
    names = tuple(name for name in (result.publisher, result.sitename) if name)
    date, language = result.published_at, result.language
    return Output(result.text, result.title, result.authors, date, language, names)


def trafilatura_text(case: Case) -> str:
    return trafilatura.extract(case.html, url=case.url, include_comments=False) or ""


def plain_trafilatura(case: Case) -> Output:
    meta = trafilatura.extract_metadata(case.html, default_url=case.url)
    names = (meta.author or "").split(";") if meta is not None else []
    authors = tuple(name.strip() for name in names if name.strip())
    if meta is None:
        return Output(trafilatura_text(case))
    names = (meta.sitename,) if meta.sitename else ()
    return Output(trafilatura_text(case), meta.title, authors, meta.date, meta.language, names)


# --- scores --------------------------------------------------------------------------------------


def shingles(text: str, size: int = 4) -> Counter[tuple[str, ...]]:
    tokens = _TOKEN.findall(text.lower())
    if len(tokens) < size:
        return Counter([tuple(tokens)]) if tokens else Counter()
    return Counter(tuple(tokens[i : i + size]) for i in range(len(tokens) - size + 1))


def text_scores(prediction: str, gold: str) -> tuple[float, float]:
    got, want = shingles(prediction), shingles(gold)
    if not got or not want:
        return 0.0, 0.0
    shared = sum((got & want).values())
    return shared / sum(got.values()), shared / sum(want.values())


def norm(text: str | None) -> str:
    return " ".join(unicodedata.normalize("NFKC", text or "").casefold().split())


def same_day(ours_: str | None, gold: str) -> bool:
    if not ours_:
        return False
    want = datetime.fromisoformat(gold)
    try:
        got: date = datetime.fromisoformat(ours_)
    except ValueError:
        return False
    if isinstance(got, datetime) and got.tzinfo is not None and want.tzinfo is not None:
        got = got.astimezone(want.tzinfo)
    return (got.date() if isinstance(got, datetime) else got) == want.date()


def same_authors(output: Output, gold: list[str], url: str, *, strict: bool = False) -> bool:
    """Equal sets of normalised names. Unless `strict`, a gold that names only the publication
    itself ("DER SPIEGEL", "ndr.de") is matched by no author plus that publisher or site name
    (by `SiteNames`: the name, the host, their initials): the record keeps organisations apart."""
    if {norm(name) for name in output.authors or ()} == {norm(name) for name in gold}:
        return True
    sites = SiteNames.of(output.publishers, url)
    return not strict and not output.authors and bool(gold) and all(map(sites.names, gold))


def field_matches(output: Output, gold: dict[str, Any]) -> dict[str, bool | None]:
    authors, url = gold.get("authors"), str(gold["url"])
    return {
        "title": norm(output.title) == norm(gold["title"]),
        "authors": None if authors is None else same_authors(output, authors, url),
        "authors_strict": None
        if authors is None
        else same_authors(output, authors, url, strict=True),
        "date": same_day(output.date, gold["date"]) if gold.get("date") else None,
        "language": (output.language or "").split("-")[0].lower() == gold["language"],
    }


@dataclass
class CaseScore:
    case: str
    language: str
    precision: float
    recall: float
    empty: bool
    fields: dict[str, bool | None]
    output: Output


@dataclass
class Report:
    name: str
    cases: list[CaseScore] = field(default_factory=list)
    cpu_ms: float | None = None

    def text(self, cases: list[CaseScore] | None = None) -> tuple[float, float, float]:
        cases = self.cases if cases is None else cases
        precision = sum(c.precision for c in cases) / len(cases)
        recall = sum(c.recall for c in cases) / len(cases)
        return precision, recall, 2 * precision * recall / (precision + recall or 1)

    def accuracy(self, name: str) -> float:
        known = [c.fields[name] for c in self.cases if c.fields[name] is not None]
        return sum(bool(ok) for ok in known) / len(known)

    def by_language(self) -> dict[str, float]:
        groups: defaultdict[str, list[CaseScore]] = defaultdict(list)
        for c in self.cases:
            groups[c.language].append(c)
        return {lang: self.text(cases)[2] for lang, cases in sorted(groups.items())}

    def summary(self) -> dict[str, float]:
        precision, recall, f1 = self.text()
        values = {"precision": precision, "recall": recall, "f1": f1}
        values["empty"] = float(sum(c.empty for c in self.cases))
        values.update({name: self.accuracy(name) for name in FIELDS})
        if not any(c.output.language for c in self.cases):
            values["language"] = float("nan")  # trafilatura does not detect the language
        return values


def score(cases: list[Case], extractor: Callable[[Case], Output], name: str) -> Report:
    report = Report(name)
    for case in cases:
        output = extractor(case)
        precision, recall = text_scores(output.text, case.gold["text"])
        fields = field_matches(output, case.gold)
        language, empty = str(case.gold["language"]), not output.text.strip()
        scored = CaseScore(case.case, language, precision, recall, empty, fields, output)
        report.cases.append(scored)
    return report


def cpu_ms_per_page(cases: list[Case], rounds: int) -> dict[str, float]:
    """Best-of-`rounds` CPU milliseconds per page, ours and trafilatura in turns each round."""
    runners: dict[str, Callable[[Case], object]] = {"ours": ours, "trafilatura": trafilatura_text}
    best = dict.fromkeys(runners, float("inf"))
    for _ in range(rounds):
        for name, run in runners.items():
            start = time.process_time()
            for case in cases:
                run(case)
            best[name] = min(best[name], time.process_time() - start)
    return {name: 1000 * seconds / len(cases) for name, seconds in best.items()}


def table(reports: list[Report]) -> str:
    summaries = [r.summary() for r in reports]
    rows = [(label, key, "{:.3f}") for label, key in (("P", "precision"), ("R", "recall"))]
    rows += [("F1", "f1", "{:.3f}"), ("empty pages", "empty", "{:.0f}")]
    rows += [(f"{name} accuracy", name, "{:.1%}") for name in FIELDS]
    head = f"{'news-dev (' + str(len(reports[0].cases)) + ' pages)':28}"
    lines = [head + "".join(f"{r.name:>13}" for r in reports)]
    for label, key, fmt in rows:
        cells = [fmt.format(s[key]) if s[key] == s[key] else "n/a" for s in summaries]  # nan
        lines.append(f"{label:28}" + "".join(f"{cell:>13}" for cell in cells))
    if all(r.cpu_ms for r in reports):
        lines.append(f"{'CPU ms per page':28}" + "".join(f"{r.cpu_ms:>13.1f}" for r in reports))
        ratio = (reports[0].cpu_ms or 0) / (reports[1].cpu_ms or 1)
        lines.append(f"{'CPU ratio ours/trafilatura':28}{ratio:>13.2f}")
    by_language = [r.by_language() for r in reports]
    counts = Counter(c.language for c in reports[0].cases)
    for lang in by_language[0]:
        label = f"F1 {lang} ({counts[lang]})"
        lines.append(f"{label:28}" + "".join(f"{f[lang]:>13.3f}" for f in by_language))
    return "\n".join(lines)


def page_table(reports: list[Report]) -> str:
    lines = []
    for scores in zip(*(r.cases for r in reports), strict=True):
        cells = " ".join(f"{s.precision:5.2f} {s.recall:5.2f}" for s in scores)
        misses = [name for name, ok in scores[0].fields.items() if ok is False]
        lines.append(f"{scores[0].case:40} {cells}  {' '.join(misses)}")
    return "\n".join(lines)


def report(rounds: int, *, pages: bool = False) -> str:
    """The side-by-side table (and per-page P/R with our metadata misses when `pages`)."""
    cases = load()
    reports = [score(cases, ours, "ours"), score(cases, plain_trafilatura, "trafilatura")]
    if rounds:
        cpu = cpu_ms_per_page(cases, rounds)
        for each in reports:
            each.cpu_ms = cpu[each.name]
    text = f"news-dev: {len(cases)} real pages in {NEWS_DEV}/\n\n{table(reports)}"
    if pages:
        text += f"\n\n{'case':40} P, R (ours, trafilatura)  our metadata misses\n"
        text += page_table(reports)
    return text
