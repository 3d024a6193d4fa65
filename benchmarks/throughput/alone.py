"""trafilatura alone on the benchmark's pages: the CPU per page of the machine limit's second term.

``python -m benchmarks.throughput.alone --pages N`` runs ``trafilatura.extract`` (comments off,
as the crawl extracts) over the news-dev pages in turn, N extractions in all, in a process of its
own, and prints the CPU milliseconds per page of that loop and the pages it extracted. The crawl
meets each of the 124 pages about ``pages / 124`` times and pays its extractor's first-use costs
(jusText's stoplist, compiled patterns) once; so does this loop when it runs as many pages.
`MAX_PAGES` bounds its time (about a minute): the first pass's extra cost is then spread over 16.
"""

from __future__ import annotations

import argparse
import itertools
import subprocess
import sys
import time
from pathlib import Path

import trafilatura

from benchmarks.throughput.site import source_pages

ROOT = Path(__file__).resolve().parents[2]
MAX_PAGES = 2000  # 16 passes over the 124 news-dev pages


def pages_for(crawl_pages: int) -> int:
    """How many pages the loop extracts for a crawl of `crawl_pages`: as many, within limits."""
    return max(1, min(crawl_pages, MAX_PAGES))


def loop_ms(pages: int) -> tuple[float, int]:
    """CPU ms per page of `pages` extractions in this process (imports left out), and how many
    pages were extracted."""
    texts = [page.decode("utf-8") for page in source_pages()]
    done = 0
    started = time.process_time()
    for html in itertools.islice(itertools.cycle(texts), pages):
        trafilatura.extract(html, include_comments=False)
        done += 1
    return 1000 * (time.process_time() - started) / max(done, 1), done


def measured_ms(crawl_pages: int) -> float:
    """`loop_ms` for a crawl of `crawl_pages`, in a new process (as each crawl is)."""
    command = [sys.executable, "-m", "benchmarks.throughput.alone"]
    command += ["--pages", str(pages_for(crawl_pages))]
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
    if done.returncode != 0:
        raise SystemExit(f"trafilatura alone: exit {done.returncode}\n{done.stderr[-3000:]}")
    return float(done.stdout.split()[0])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=124)
    args = parser.parse_args(argv)
    per_page, done = loop_ms(args.pages)
    print(f"{per_page:.2f} ms CPU per page, {done} pages")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
