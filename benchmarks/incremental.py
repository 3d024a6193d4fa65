"""Scheduled re-crawls of an unchanged site, and of one where 1% of the articles changed.

    .venv/bin/python -m benchmarks.incremental [--pages 1000] [--changed 0.01]

A site of real news pages (``benchmarks.throughput.site``: the news-dev pages, read at run time
from ../shared/corpora/news-dev/ and never copied into the repository, replicated to ``--pages``
article URLs with index pages as start URLs) is served by nginx on 127.0.0.1, which sends
``ETag`` and ``Last-Modified`` and answers conditional requests with 304, as news sites' servers
and CDNs do. One seed set, one crawl state (``[recrawl] steps = ["0s"]``: every known article is
re-checked every run), three runs of the real ``scrapy crawl``:

1. the first run fetches, archives and extracts everything (the baseline of this same run);
2. the site unchanged: printed, the bytes the run stored (every object of its manifest) and its
   wall time, each as a ratio of run 1's (issue 11's targets: at most 5% and 30%);
3. after a sentence was added to ``--changed`` of the articles (in text the crawl extracted in
   run 1, so that the extracted text changes): printed, the new versions written against the
   number of articles changed, and the records written in all (nothing else should be).
"""

from __future__ import annotations

import argparse
import json
import math
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.throughput.nginx import Nginx
from benchmarks.throughput.site import Site, build, own_copy
from pipelines.extract.core import extract
from tests.servers.demo import crawl
from tests.warcs import read_records

ADDED = " An earlier version of this article gave a wrong figure, which has been corrected."
SETTINGS = {  # as fast as loopback allows: the ratios compare the work, not politeness
    "AUTOTHROTTLE_ENABLED": "False",
    "DOWNLOAD_DELAY": "0",
    "CONCURRENT_REQUESTS": "32",
    "CONCURRENT_REQUESTS_PER_DOMAIN": "32",
    "LOG_LEVEL": "INFO",
}


@dataclass(frozen=True)
class Run:
    crawl_id: str
    seconds: float  # wall time of the whole `scrapy crawl`, start-up included
    stored: int  # bytes of every object the crawl's manifest lists
    warc: int  # of which WARC files
    stats: dict[str, Any]
    records: list[dict[str, Any]]


def seeds_file(work: Path, site: Site, base_url: str) -> Path:
    starts = ", ".join(f'"{base_url}{path}"' for path in site.index_paths())
    seeds = work / "bench.toml"
    seeds.write_text(
        f'name = "bench"\nstart_urls = [{starts}]\nallowed_domains = ["127.0.0.1"]\n'
        'related_depth = 0\ncontact = "https://github.com/newsarchive/newsarchive"\n'
        '[recrawl]\nsteps = ["0s"]\n',
        "utf-8",
    )
    return seeds


def run(work: Path, base_url: str, seeds: Path, number: int) -> Run:
    crawl_id = f"bench-2022101{number}000000"
    archive = work / "archive"
    extra = {**SETTINGS, "STATE_DIR": str(work / "state"), "STORE_SPOOL_DIR": str(work / "spool")}
    log = work / f"{crawl_id}.log"
    started = time.monotonic()
    result = crawl(
        base_url, str(archive), crawl_id, extra=extra, log_file=log, capture=True, seeds=str(seeds)
    )
    seconds = time.monotonic() - started
    if result.returncode != 0:
        tail = log.read_text("utf-8", "replace")[-3000:]
        raise SystemExit(f"run {number}: exit {result.returncode}\n{result.stderr}\n{tail}")
    manifest = json.loads((archive / "manifests" / f"{crawl_id}.json").read_bytes())
    objects = manifest["objects"]
    [report] = sorted((archive / "reports" / crawl_id).glob("*.json"))
    return Run(
        crawl_id,
        seconds,
        sum(int(o["size"]) for o in objects),
        sum(int(o["size"]) for o in objects if o["kind"] == "warc"),
        json.loads(report.read_bytes())["stats"],
        list(read_records(sorted((archive / "records" / crawl_id).glob("*.jsonl.gz")))),
    )


def change(site: Site, records: list[dict[str, Any]], count: int) -> set[str]:
    """Add a sentence to `count` articles, after a sentence of the text run 1 extracted from
    them; a page whose extracted text the edit leaves as it was (the anchor was in markup the
    extractor leaves out) is put back and another taken. Returns the changed URLs."""
    changed: set[str] = set()
    for record in sorted(records, key=lambda r: str(r["url"])):
        if len(changed) == count:
            break
        path = site.root / str(record["url"]).split("/", 3)[3]
        html = path.read_text("utf-8", "replace")
        sentences = [s.strip() + "." for s in str(record["text"]).split(". ")]
        anchor = next((s for s in sentences if len(s) > 40 and html.count(s) == 1), None)
        if anchor is None:
            continue
        edited = html.replace(anchor, anchor + ADDED).encode("utf-8")
        if _text(edited, record) != _text(path.read_bytes(), record):
            own_copy(path).write_bytes(edited)
            changed.add(str(record["url"]))
    return changed


def _text(html: bytes, record: dict[str, Any]) -> str | None:
    extraction = extract(html, str(record["url"]), {"content-type": "text/html"})
    return None if extraction is None else str(extraction.to_dict()["text"])


def ratio(part: float, whole: float) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "n/a"


def report(first: Run, second: Run, third: Run, changed: set[str]) -> None:
    revisits = "warc/revisits/server-not-modified"
    print(
        f"run 1 (first):     {first.seconds:7.1f} s, {first.stored:>12,} bytes stored "
        f"({first.warc:,} WARC), {len(first.records)} records"
    )
    print(
        f"run 2 (unchanged): {second.seconds:7.1f} s, {second.stored:>12,} bytes stored "
        f"({second.warc:,} WARC), {len(second.records)} records, "
        f"{second.stats.get(revisits, 0)} revisits"
    )
    print(
        f"  bytes stored run2/run1: {ratio(second.stored, first.stored)} (target <= 5%); "
        f"WARC bytes: {ratio(second.warc, first.warc)}"
    )
    print(f"  time run2/run1:         {ratio(second.seconds, first.seconds)} (target <= 30%)")
    new = [r for r in third.records if r.get("version", 1) > 1]
    urls = {str(r["url"]) for r in third.records}
    print(
        f"run 3 ({len(changed)} articles changed): {third.seconds:.1f} s, "
        f"{len(third.records)} records written, {len(new)} new versions "
        f"(expected {len(changed)}), stats records/new_versions "
        f"{third.stats.get('records/new_versions', 0)}, records/unchanged "
        f"{third.stats.get('records/unchanged', 0)}"
    )
    verdict = "exactly as expected" if urls == changed and len(new) == len(changed) else "DIFFERS"
    print(f"  the records written are the changed articles' new versions: {verdict}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=1000, help="article URLs (default 1000)")
    parser.add_argument("--changed", type=float, default=0.01, help="share changed in run 3")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="newsarchive-incremental-") as tmp:
        work = Path(tmp)
        work.chmod(0o755)  # nginx's workers (another user) read the site from here
        site = build(work / "site", args.pages)
        print(
            f"site: {site.pages} article pages of {site.average_bytes:,} bytes on average, "
            f"{site.indexes} index pages (start URLs), served by nginx on 127.0.0.1"
        )
        with Nginx(site.root, work / "nginx") as server:
            seeds = seeds_file(work, site, server.base_url)
            first = run(work, server.base_url, seeds, 0)
            second = run(work, server.base_url, seeds, 1)
            count = math.ceil(args.changed * len(first.records))
            changed = change(site, first.records, count)
            third = run(work, server.base_url, seeds, 2)
        report(first, second, third, changed)


if __name__ == "__main__":
    main()
