"""The plots of the health report, as inline SVG made here: no library, no script, no network.

Two plots, each readable at a glance: the status mix of each host (one stacked bar per host, one
colour per kind of answer, its share of the host's pages) and a seed set's figures over time
(article yield and 5xx rate of each crawl, in time order). Every mark carries a ``<title>`` (the
figure in words, shown on hover) and ``data-*`` attributes naming what it shows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape
from typing import Any

# kinds of answer, in the order they are stacked, with their colours
STATUS_KINDS = (
    ("2xx", "#2e7d32"),
    ("3xx", "#1565c0"),
    ("403", "#8e24aa"),
    ("429", "#f9a825"),
    ("4xx", "#ef6c00"),  # other 4xx
    ("5xx", "#c62828"),
    ("other", "#757575"),
)
SERIES = (("article_yield", "article yield", "#2e7d32"), ("rate_5xx", "5xx rate", "#c62828"))
LABEL_WIDTH, BAR_WIDTH, ROW = 190, 460, 26


def status_kind(status: str) -> str:
    if status in ("403", "429"):
        return status
    if len(status) == 3 and status[0] in "2345" and status.isdigit():
        return f"{status[0]}xx"
    return "other"


def _legend(items: Sequence[tuple[str, str]], y: int) -> list[str]:
    parts, x = [], 0
    for label, colour in items:
        parts.append(
            f'<rect x="{x}" y="{y}" width="12" height="12" fill="{colour}"/>'
            f'<text x="{x + 16}" y="{y + 11}">{escape(label)}</text>'
        )
        x += 24 + 8 * len(label)
    return parts


def status_mix(hosts: Mapping[str, Mapping[str, Any]]) -> str:
    """One bar per host: the share of each kind of answer among its pages."""
    height = 30 + ROW * max(len(hosts), 1)
    width = LABEL_WIDTH + BAR_WIDTH + 70
    parts = _legend(STATUS_KINDS, 0)
    for row, (host, figures) in enumerate(hosts.items()):
        y = 26 + row * ROW
        pages = figures["pages"]
        kinds: dict[str, int] = {}
        for status, count in figures["statuses"].items():
            kinds[status_kind(status)] = kinds.get(status_kind(status), 0) + count
        parts.append(
            f'<text x="{LABEL_WIDTH - 6}" y="{y + 14}" text-anchor="end" '
            f'class="host">{escape(host)}</text>'
        )
        x = float(LABEL_WIDTH)
        for kind, colour in STATUS_KINDS:
            count = kinds.get(kind, 0)
            if not count:
                continue
            w = BAR_WIDTH * count / pages
            share = f"{100 * count / pages:.1f}%"
            parts.append(
                f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="18" fill="{colour}" '
                f'data-host="{escape(host)}" data-kind="{kind}" data-count="{count}">'
                f"<title>{escape(host)}: {kind} {count} of {pages} pages ({share})</title></rect>"
            )
            x += w
        parts.append(f'<text x="{LABEL_WIDTH + BAR_WIDTH + 6}" y="{y + 14}">{pages}</text>')
    return _svg(width, height, "status mix per host", parts)


def over_time(points: Sequence[Mapping[str, Any]]) -> str:
    """A seed set's crawls in time order: the article yield and 5xx rate of each, 0 to 100%."""
    left, top, plot_w, plot_h = 80, 30, 520, 160
    step = plot_w / max(len(points) - 1, 1)
    parts = _legend([(label, colour) for _, label, colour in SERIES], 0)
    for tick in (0, 0.25, 0.5, 0.75, 1.0):
        y = top + plot_h * (1 - tick)
        parts.append(
            f'<line x1="{left}" x2="{left + plot_w}" y1="{y:.1f}" y2="{y:.1f}" class="grid"/>'
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{tick:.0%}</text>'
        )
    for i, point in enumerate(points):
        x = left + i * step
        label = str(point.get("started") or point["crawl_id"])[:16].replace("T", " ")
        parts.append(
            f'<text x="{x:.1f}" y="{top + plot_h + 16}" text-anchor="middle">{escape(label)}</text>'
        )
    for name, label, colour in SERIES:
        marks = [
            (left + i * step, top + plot_h * (1 - min(float(p[name]), 1.0)), p)
            for i, p in enumerate(points)
            if p.get(name) is not None
        ]
        if len(marks) > 1:
            line = " ".join(f"{x:.1f},{y:.1f}" for x, y, _ in marks)
            parts.append(f'<polyline points="{line}" fill="none" stroke="{colour}"/>')
        for x, y, p in marks:
            parts.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{colour}" '
                f'data-series="{name}" data-crawl="{escape(p["crawl_id"])}" '
                f'data-value="{p[name]}"><title>{escape(p["crawl_id"])}: {label} '
                f"{float(p[name]):.1%}</title></circle>"
            )
    return _svg(left + plot_w + 60, top + plot_h + 28, "yield over time", parts)


def _svg(width: float, height: float, label: str, parts: list[str]) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" role="img" aria-label="{escape(label)}">'
        + "".join(parts)
        + "</svg>"
    )
