"""The health report as one self-contained HTML page: inline CSS, inline SVG, no script, no
request to anywhere, so that it opens from a file, a mail attachment or an air-gapped machine.

For each seed set: its figures over time (health_svg.over_time) and its hosts across its crawls;
then each crawl: the status mix of its hosts (health_svg.status_mix) and the table of their
figures. Unknown figures (None: see pipelines/tools/health.py) show as "n/a".
"""

from __future__ import annotations

from collections.abc import Mapping
from html import escape
from typing import Any

from pipelines.tools.health_svg import over_time, status_mix

CSS = """
body { font: 14px/1.4 system-ui, sans-serif; margin: 2em; color: #212121; }
h1 { font-size: 1.6em; } h2 { border-bottom: 2px solid #9e9e9e; margin-top: 2em; }
table { border-collapse: collapse; margin: 0.5em 0 1.5em; }
th, td { padding: 3px 8px; border-bottom: 1px solid #e0e0e0; text-align: right; }
th:first-child, td:first-child { text-align: left; }
th { background: #f5f5f5; font-weight: 600; }
td.bad { color: #c62828; font-weight: 600; }
svg text { font: 12px system-ui, sans-serif; fill: #212121; }
svg .grid { stroke: #e0e0e0; } svg polyline { stroke-width: 2; }
div.wide { overflow-x: auto; }
figure { margin: 0.5em 0; } figcaption { color: #616161; font-size: 0.9em; }
"""

# (figure, column heading, kind, threshold above which the cell is marked bad)
COLUMNS = (
    ("pages", "pages", "count", None),
    ("rate_403", "403", "rate", 0.05),
    ("rate_429", "429", "rate", 0.05),
    ("rate_5xx", "5xx", "rate", 0.05),
    ("robots_excluded", "robots excl.", "count", None),
    ("articles", "articles", "count", None),
    ("records", "records", "count", None),
    ("article_yield", "yield", "rate", None),
    ("empty_text_rate", "empty text", "rate", 0.2),
    ("extraction_failure_rate", "extract. failed", "rate", 0.05),
    ("missing_date_rate", "no date", "rate", 0.2),
    ("missing_author_rate", "no author", "rate", 0.5),
    ("encoding_fallback_rate", "enc. fallback", "rate", 0.1),
    ("median_text_length", "median text (chars)", "count", None),
)


def _cell(value: Any, kind: str, bad: float | None) -> str:
    if value is None:
        return '<td title="not known for this crawl">n/a</td>'
    text = f"{100 * value:.1f}%" if kind == "rate" else f"{value:,}"
    marked = ' class="bad"' if bad is not None and value > bad else ""
    return f"<td{marked}>{text}</td>"


def table(hosts: Mapping[str, Mapping[str, Any]], totals: Mapping[str, Any] | None) -> str:
    head = "".join(f"<th>{escape(heading)}</th>" for _, heading, _, _ in COLUMNS)
    rows = [f"<tr><th>host</th>{head}</tr>"]
    named = list(hosts.items()) + ([("all hosts", totals)] if totals is not None else [])
    for host, figures in named:
        cells = "".join(_cell(figures[name], kind, bad) for name, _, kind, bad in COLUMNS)
        rows.append(f'<tr data-host="{escape(host)}"><td>{escape(host)}</td>{cells}</tr>')
    return '<div class="wide"><table class="hosts">' + "".join(rows) + "</table></div>"


def _crawl(crawl: Mapping[str, Any]) -> str:
    state = "complete" if crawl["complete"] else "not complete (no manifest)"
    return (
        f'<section class="crawl" id="crawl-{escape(crawl["crawl_id"])}">'
        f"<h3>Crawl {escape(crawl['crawl_id'])}</h3>"
        f"<p>started {escape(str(crawl['started'] or 'unknown'))}, {state}</p>"
        f"<figure>{status_mix(crawl['hosts'])}"
        "<figcaption>Status mix per host: the share of each kind of answer among the host's "
        "pages (number of pages on the right).</figcaption></figure>"
        + table(crawl["hosts"], crawl["totals"])
        + "</section>"
    )


def render(report: Mapping[str, Any]) -> str:
    """The page for a report made by ``pipelines.tools.health.health_report``."""
    crawls = {crawl["crawl_id"]: crawl for crawl in report["crawls"]}
    body = [
        "<h1>Source health</h1>",
        f"<p>Archive {escape(report['archive'])}: {len(crawls)} crawl(s), "
        f"{len(report['seedsets'])} seed set(s).</p>",
    ]
    for name, seedset in report["seedsets"].items():
        body.append(
            f'<section class="seedset" id="seedset-{escape(name)}">'
            f"<h2>Seed set {escape(name)}</h2>"
            f"<figure>{over_time(seedset['over_time'])}<figcaption>Across its "
            f"{len(seedset['crawls'])} crawl(s), in time order: article yield (records per 2xx "
            "page) and 5xx rate.</figcaption></figure>"
            "<h3>Hosts across its crawls</h3>" + table(seedset["hosts"], None)
        )
        body.extend(_crawl(crawls[crawl_id]) for crawl_id in seedset["crawls"])
        body.append("</section>")
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>Source health: {escape(report['archive'])}</title>"
        f"<style>{CSS}</style></head><body>" + "".join(body) + "</body></html>\n"
    )
