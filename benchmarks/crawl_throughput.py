"""End-to-end crawl throughput with the extraction pool, next to the same crawl extracting inline.

    .venv/bin/python -m benchmarks.crawl_throughput [--articles 300] [--runs 1]

Builds a bigger copy of the fixture site in a temporary folder: the five article pages copied
``--articles`` times in all under /bench/<n>/<slug>/ (each copy with its own URL, canonical link
and headline), linked from the home page. The fixture server (tests/servers/http.py) serves it
on 127.0.0.1, and the real ``scrapy crawl news`` command crawls it twice per run: once with
extraction in the process pool (EXTRACT_WORKERS = one per core) and once with EXTRACT_INLINE.
Reported: articles, the crawl's own elapsed time (Scrapy's ``elapsed_time_seconds``, without
process start-up) and articles per second.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from tests.servers.demo import crawl
from tests.servers.http import SITE, HttpServer

ARTICLES = sorted((SITE / "pages").glob("20*/*/*/*/index.html"))
SEEDS = """name = "bench"
start_urls = ["${NEWSARCHIVE_DEMO_URL}/"]
allowed_domains = ["127.0.0.1"]
related_depth = 0
contact = "https://github.com/newsarchive/newsarchive"
"""
SETTINGS = {
    "AUTOTHROTTLE_ENABLED": "False",
    "DOWNLOAD_DELAY": "0",
    "CONCURRENT_REQUESTS": "32",
    "CONCURRENT_REQUESTS_PER_DOMAIN": "32",
    "LOG_LEVEL": "WARNING",
    "RECORDS_MAX_AGE": "0",
}


def build_site(root: Path, articles: int) -> Path:
    """A copy of the fixture site with `articles` article pages linked from its home page."""
    site = root / "site"
    shutil.copytree(SITE, site)
    links = []
    for number in range(articles):
        source = ARTICLES[number % len(ARTICLES)]
        original = "/" + source.parent.relative_to(SITE / "pages").as_posix() + "/"
        path = f"/bench/{number:05d}{original[11:]}"  # /bench/00042/<slug>/
        page = source.read_text("utf-8").replace(original, path)
        page = page.replace("</h1>", f" ({number})</h1>", 1)
        target = site / "pages" / path.strip("/") / "index.html"
        target.parent.mkdir(parents=True)
        target.write_text(page, "utf-8")
        links.append(f'<li><a href="{path}">Story {number}</a></li>')
    home = site / "pages" / "index.html"
    listing = '<ul class="bench">' + "".join(links) + "</ul></body>"
    home.write_text(home.read_text("utf-8").replace("</body>", listing, 1), "utf-8")
    return site


def run(site: Path, work: Path, name: str, extra: dict[str, str]) -> dict[str, Any]:
    seeds = work / "bench.toml"
    seeds.write_text(SEEDS, "utf-8")
    archive = work / f"archive-{name}"
    crawl_id = f"bench-{name}"
    settings = {**SETTINGS, "STORE_SPOOL_DIR": str(work / f"spool-{name}"), **extra}
    with HttpServer(site=site) as server:
        result = crawl(
            server.base_url, str(archive), crawl_id, extra=settings, seeds=str(seeds), capture=True
        )
    if result.returncode != 0:
        raise SystemExit(f"the {name} crawl failed:\n{result.stderr[-3000:]}")
    stats = json.loads((archive / "reports" / f"{crawl_id}.json").read_text("utf-8"))["stats"]
    records = int(stats.get("records/written", 0))
    elapsed = float(stats["elapsed_time_seconds"])
    return {"records": records, "elapsed": elapsed, "rate": records / elapsed}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=300)
    parser.add_argument("--runs", type=int, default=1, help="crawls of each kind; best counts")
    args = parser.parse_args(argv)
    workers = os.cpu_count() or 1
    modes = {
        f"pool ({workers} workers)": {"EXTRACT_WORKERS": "0"},
        "inline": {"EXTRACT_INLINE": "True"},
    }
    with tempfile.TemporaryDirectory(prefix="crawl-throughput-") as tmp:
        work = Path(tmp)
        site = build_site(work, args.articles)
        best: dict[str, dict[str, Any]] = {}
        for attempt in range(args.runs):
            for label, extra in modes.items():
                name = f"{label.split()[0]}-{attempt}"
                measured = run(site, work, name, extra)
                if label not in best or measured["rate"] > best[label]["rate"]:
                    best[label] = measured
    print(f"crawl of {args.articles} article pages on 127.0.0.1, {workers} cores\n")
    print(f"{'extraction':22}{'records':>9}{'elapsed s':>11}{'articles/s':>12}")
    for label, measured in best.items():
        row = f"{measured['records']:>9}{measured['elapsed']:>11.1f}{measured['rate']:>12.1f}"
        print(f"{label:22}{row}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
