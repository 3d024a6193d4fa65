"""A site of real news pages for the throughput benchmark, built at run time in a temporary folder.

The news-dev pages (../shared/corpora/news-dev/, never copied into the repository) are decompressed
and replicated to `pages` URLs, ``/a/<n>.html``, each copy with its own headline so that no two
records are alike. Index pages ``/i/<k>.html`` list ``LINKS_PER_INDEX`` of them each; the index
pages are the seed set's start URLs, so both spiders reach every page through one index hop.
"""

from __future__ import annotations

import gzip
import re
from dataclasses import dataclass
from pathlib import Path

NEWS_DEV = Path(__file__).resolve().parents[3] / "shared" / "corpora" / "news-dev"
LINKS_PER_INDEX = 100
HEADLINE_END = re.compile(rb"</h1>", re.IGNORECASE)


@dataclass(frozen=True)
class Site:
    root: Path  # the folder nginx serves
    pages: int  # article URLs
    indexes: int  # index pages (the start URLs)
    average_bytes: int  # mean size of an article page as served (uncompressed)

    def index_paths(self) -> list[str]:
        return [f"/i/{number}.html" for number in range(self.indexes)]


def source_pages(folder: Path = NEWS_DEV) -> list[bytes]:
    cases = sorted((folder / "cases").glob("*/page.html.gz"))
    if not cases:
        raise SystemExit(f"no pages in {folder}: the benchmark reads ../shared/corpora/news-dev/")
    return [gzip.decompress(case.read_bytes()) for case in cases]


def build(root: Path, pages: int) -> Site:
    """Write the site into `root` and describe it."""
    sources = source_pages()
    (root / "a").mkdir(parents=True)
    (root / "i").mkdir()
    total = 0
    for number in range(pages):
        page = HEADLINE_END.sub(f" ({number})</h1>".encode(), sources[number % len(sources)], 1)
        (root / "a" / f"{number}.html").write_bytes(page)
        total += len(page)
    indexes = (pages + LINKS_PER_INDEX - 1) // LINKS_PER_INDEX
    for index in range(indexes):
        first = index * LINKS_PER_INDEX
        numbers = range(first, min(first + LINKS_PER_INDEX, pages))
        links = "".join(f'<li><a href="/a/{n}.html">Story {n}</a></li>' for n in numbers)
        head = f"<!doctype html><html><head><title>Index {index}</title></head>"
        html = f"{head}<body><ul>{links}</ul></body></html>"
        (root / "i" / f"{index}.html").write_text(html, "utf-8")
    (root / "robots.txt").write_text("User-agent: *\nAllow: /\n", "utf-8")
    return Site(root, pages, indexes, total // max(pages, 1))
