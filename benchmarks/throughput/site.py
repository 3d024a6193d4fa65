"""A site of real news pages for the throughput benchmark, built at run time in a temporary folder.

The news-dev pages (../shared/corpora/news-dev/, never copied into the repository) are decompressed
once into ``/src/`` and replicated to `pages` URLs, ``/a/<n>.html``, each a symbolic link to source
page ``n % len(sources)``: a URL costs an inode, not a copy, so 50,000 pages take 124 pages' disk.
nginx gives each URL its own headline (``sub_filter``: `` /a/<n>.html</h1>``, see
``benchmarks.throughput.nginx``) so that no two records are alike. Index pages ``/i/<k>.html`` list
``LINKS_PER_INDEX`` of them each; the index pages are the seed set's start URLs, so both spiders
reach every page through one index hop. To change one URL's page, replace its link by a file
(`own_copy`): writing through the link would change every URL that shares the source.
"""

from __future__ import annotations

import gzip
import os
from dataclasses import dataclass
from pathlib import Path

NEWS_DEV = Path(__file__).resolve().parents[3] / "shared" / "corpora" / "news-dev"
LINKS_PER_INDEX = 100


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
    for folder in ("src", "a", "i"):
        (root / folder).mkdir(parents=True)
    for number, page in enumerate(sources):
        (root / "src" / f"{number}.html").write_bytes(page)
    total = 0
    for number in range(pages):
        source = number % len(sources)
        os.symlink(f"../src/{source}.html", root / "a" / f"{number}.html")
        total += len(sources[source]) + len(f" /a/{number}.html")  # nginx's headline suffix
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


def own_copy(path: Path) -> Path:
    """Make the article page at `path` a file of its own (a copy of the source it links to), so
    that writing it changes that URL alone; returns `path`."""
    if path.is_symlink():
        page = path.read_bytes()
        path.unlink()
        path.write_bytes(page)
    return path
