"""Throughput, CPU and memory of whole crawls on real pages, side by side in one run.

    .venv/bin/python -m benchmarks.throughput [--pages 2000] [--runs 2] [--modes ...]

A site of real pages (``benchmarks.throughput.site``: news-dev replicated to ``--pages`` URLs)
is served by nginx on 127.0.0.1, and each mode crawls all of it as its own process, concurrency
32, AutoThrottle off, ``--runs`` interleaved rounds, medians reported:

- ``bare``: a bare Scrapy spider that parses every page and follows the index links (baseline);
- ``archive``: ``scrapy crawl news`` with the item pipelines off (WARC + CDXJ + store only);
- ``full``: ``scrapy crawl news`` as shipped, extraction in the worker pool;
- ``inline``: the same with ``EXTRACT_INLINE`` (extraction in the crawler process);
- ``redis``: one ``full`` process with its frontier, duplicate filter and crawl state in Redis
  (``REDIS_URL``, a ``redis-server`` started here): what sharing costs a process, without
  more processes than ``full`` has;
- ``shared``: three ``full`` processes sharing one frontier in Redis (``REDIS_URL``, a
  ``redis-server`` started here, which also holds their crawl state); its CPU and memory are
  the three trees' together (the Redis server's CPU is not in it: it is printed on its own
  line with the crawlers' and the workers'), and nginx's log says whether any page was
  fetched twice. Each process has one extraction worker, as the README's scaling advice says
  (processes x ``EXTRACT_WORKERS`` about the cores: three processes on two cores; ``full``'s
  one process has one per core).

Pages/s is requests served over the span from the first to the last request in nginx's log (no
process start-up or shutdown in it); CPU is the whole process tree's (``measure``), and under each
mode its split by process role, sampled (crawler processes, extraction workers, Redis), and its
rate mid-crawl (from 10% to 90% of the pages served, without start-up and shutdown, whose CPU is
the rest); memory is PSS: the tree, the largest crawler process and the largest other process.
Trafilatura alone is timed on the same pages after each round, in a process of its own, as many
pages as the crawl (at most 2,000: ``benchmarks.throughput.alone``), and its median taken as the
modes' are, so that the machine's limit for "fetch, archive, extract" (bare CPU + trafilatura CPU
per page) is a figure of the same run, measured as the machine ran then.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shlex
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from benchmarks.throughput import alone, measure
from benchmarks.throughput.nginx import Nginx
from benchmarks.throughput.site import Site, build
from tests.servers.demo import ROOT, crawl_command
from tests.servers.redis import RedisServer

MODES = ("bare", "archive", "full", "inline", "redis", "shared")
SHARED = 3  # processes of the shared mode
THROUGH_REDIS = ("redis", "shared")
FAST = {
    "AUTOTHROTTLE_ENABLED": "False",
    "DOWNLOAD_DELAY": "0",
    "CONCURRENT_REQUESTS": "32",
    "CONCURRENT_REQUESTS_PER_DOMAIN": "32",
    "TELNETCONSOLE_ENABLED": "False",
    "LOG_LEVEL": "INFO",
}
NEWS = {
    "archive": {"ITEM_PIPELINES": "{}"},
    "full": {},
    "inline": {"EXTRACT_INLINE": "True"},
    "redis": {},
    # the crawl state in Redis, as full keeps it in SQLite (a first run each); one worker each
    "shared": {"EXTRACT_WORKERS": "1"},
}
BARE = Path(__file__).with_name("bare.py")


@dataclass
class Result:
    mode: str
    pages: int  # requests served
    rate: float  # pages/s
    measured: measure.Measurement
    expected: int  # requests the crawl makes (robots.txt aside): progress 1.0
    twice: int = 0  # pages fetched more than once (robots.txt aside)

    @property
    def cpu_ms(self) -> float:
        return 1000 * self.measured.cpu / max(self.pages, 1)

    @property
    def mid_cpu_ms(self) -> float | None:
        """CPU ms per page between 10% and 90% of the crawl: no start-up or shutdown in it."""
        per_progress = self.measured.mid_crawl_cpu()
        return None if per_progress is None else 1000 * per_progress / self.expected

    @property
    def fixed_seconds(self) -> float | None:
        """CPU seconds of the crawl beyond its pages at the mid-crawl rate: its processes'
        start-up and shutdown."""
        mid = self.mid_cpu_ms
        return None if mid is None else self.measured.cpu - mid * self.pages / 1000


def seeds_file(work: Path, site: Site, base_url: str) -> Path:
    starts = ", ".join(f'"{base_url}{path}"' for path in site.index_paths())
    seeds = work / "bench.toml"
    seeds.write_text(
        f'name = "bench"\nstart_urls = [{starts}]\nallowed_domains = ["127.0.0.1"]\n'
        'related_depth = 0\ncontact = "https://github.com/newsarchive/newsarchive"\n',
        "utf-8",
    )
    return seeds


def command_of(
    mode: str, work: Path, site: Site, base_url: str, redis_url: str = ""
) -> tuple[list[str], dict[str, str], Path]:
    if mode == "bare":
        starts = work / "starts.txt"
        starts.write_text("\n".join(base_url + path for path in site.index_paths()), "utf-8")
        command = [sys.executable, "-m", "scrapy", "runspider", str(BARE), "-a", f"starts={starts}"]
        command += [f"-s{name}={value}" for name, value in FAST.items()]
        env = {k: v for k, v in os.environ.items() if k != "SCRAPY_SETTINGS_MODULE"}
        return command, env, work  # outside the project: Scrapy's defaults only
    archive = str(work / f"archive-{mode}")
    seeds = str(seeds_file(work, site, base_url))
    commands = []
    for number in range(SHARED if mode == "shared" else 1):
        extra = {**FAST, **NEWS[mode], "STORE_SPOOL_DIR": str(work / f"spool-{mode}-{number}")}
        if redis_url:
            extra["REDIS_URL"] = redis_url
        crawl_id = "" if redis_url else f"bench-{mode}"  # shared: the first process sets it
        command, env = crawl_command(base_url, archive, crawl_id, extra, None, seeds)
        commands.append(command)
    if len(commands) == 1:
        return commands[0], env, ROOT
    started = " ".join(f"{shlex.join(c)} & p{n}=$!;" for n, c in enumerate(commands))
    waited = " ".join(f"wait $p{n} || s=1;" for n in range(len(commands)))
    return ["sh", "-c", f"{started} s=0; {waited} exit $s"], env, ROOT


def run_mode(mode: str, work: Path, site: Site) -> Result:
    folder = work / f"{mode}-{time.monotonic_ns()}"
    folder.mkdir()
    expected = site.pages + site.indexes
    with contextlib.ExitStack() as servers:
        server = servers.enter_context(Nginx(site.root, folder / "nginx"))
        keep = set(server.pids())
        redis_url = ""
        roles: dict[int, str] = {}
        if mode in THROUGH_REDIS:
            redis = servers.enter_context(RedisServer(folder / "redis"))
            redis_url = redis.url
            roles = {redis.process.pid: "redis"} if redis.process else {}
            keep |= set(roles)
        command, env, cwd = command_of(mode, folder, site, server.base_url, redis_url)
        measured = measure.run(
            command,
            env,
            cwd,
            lambda: server.requests_served() / expected,
            folder / "crawl.log",
            keep=frozenset(keep),
            roles=roles,
        )
        served, span = server.served_span()
        twice = server.fetched_twice()
    if measured.returncode != 0 or served < expected:
        log = (folder / "crawl.log").read_text("utf-8", "replace")[-3000:]
        raise SystemExit(f"{mode}: exit {measured.returncode}, {served}/{expected} served\n{log}")
    return Result(mode, served, served / span if span else 0.0, measured, expected, twice)


def median_of(results: list[Result]) -> Result:
    """The run with the median rate (its own CPU and memory figures go with it)."""
    ordered = sorted(results, key=lambda result: result.rate)
    return ordered[(len(ordered) - 1) // 2]


def mb(value: int) -> str:
    return f"{value / 1e6:.0f}"


def table(results: dict[str, Result]) -> list[str]:
    bare = results.get("bare")
    lines = [
        f"{'mode':9}{'pages':>7}{'pages/s':>9}{'x bare':>8}{'CPU ms/p':>10}{'x bare':>8}"
        f"{'peak MB':>9}   PSS MB tree/crawler/worker/forkserver at 20% | 50% | 100%"
    ]
    for mode, result in results.items():
        rate_x = f"{result.rate / bare.rate:.2f}" if bare else "-"
        cpu_x = f"{result.cpu_ms / bare.cpu_ms:.2f}" if bare else "-"
        memory = " | ".join(
            f"{mb(m.tree)}/{mb(m.crawler)}/{mb(m.largest_worker)}/{mb(m.forkserver)}"
            for m in (result.measured.at.get(p, measure.Memory()) for p in measure.CHECKPOINTS)
        )
        lines.append(
            f"{mode:9}{result.pages:>7}{result.rate:>9.1f}{rate_x:>8}{result.cpu_ms:>10.1f}"
            f"{cpu_x:>8}{mb(result.measured.peak):>9}   {memory}"
        )
        roles = result.measured.cpu_by_role
        if roles:
            split = ", ".join(
                f"{role} {1000 * seconds / max(result.pages, 1):.1f}"
                for role, seconds in sorted(roles.items())
            )
            lines.append(f"  CPU ms/page by process, sampled: {split}")
        if result.mid_cpu_ms is not None and result.fixed_seconds is not None:
            lines.append(
                f"  CPU ms/page mid-crawl (10% to 90% of pages): {result.mid_cpu_ms:.1f}; "
                f"the rest, start-up and shutdown: {result.fixed_seconds:.1f} s"
            )
        if result.measured.orphans:
            lines.append(f"  ({result.measured.orphans} process(es) outlived the crawler)")
    return lines


def targets(results: dict[str, Result], alone_ms: list[float], cores: int) -> list[str]:
    traf_ms = statistics.median_low(alone_ms)  # the lower of two middles, as `median_of`
    each = ", ".join(f"{ms:.1f}" for ms in alone_ms)
    lines = [
        f"trafilatura alone: {traf_ms:.1f} ms CPU per page (same pages, after each round: {each})"
    ]
    bare, archive, full = (results.get(mode) for mode in ("bare", "archive", "full"))
    if bare is None:
        return lines
    limit = bare.cpu_ms + traf_ms
    lines.append(
        f"machine limit for fetch+archive+extract: bare {bare.cpu_ms:.1f} + trafilatura "
        f"{traf_ms:.1f} = {limit:.1f} ms/page, {cores * 1000 / limit:.0f} pages/s on {cores} cores"
    )
    if archive is not None:
        lines.append(f"archive only: {archive.rate / bare.rate:.2f}x bare pages/s (target >= 0.8)")
    through_redis = results.get("redis")
    if full is not None and through_redis is not None:
        lines.append(
            f"redis (one process, frontier and state in Redis): CPU per page "
            f"{through_redis.cpu_ms / full.cpu_ms:.2f}x one process's (the cost of sharing alone)"
        )
    shared = results.get("shared")
    if full is not None and shared is not None:
        lines.append(
            f"shared ({SHARED} processes, one Redis frontier): CPU per page "
            f"{shared.cpu_ms / full.cpu_ms:.2f}x one process's (target <= 1.1), "
            f"mid-crawl {_ratio(shared.mid_cpu_ms, full.mid_cpu_ms)}x; "
            f"pages fetched twice: {shared.twice}"
        )
    if full is not None:
        ceiling = cores * 1000 / full.cpu_ms
        mid_limit = None if bare.mid_cpu_ms is None else bare.mid_cpu_ms + traf_ms
        lines.append(
            f"full: CPU {full.cpu_ms / limit:.2f}x the limit (target <= 1.3), mid-crawl "
            f"{_ratio(full.mid_cpu_ms, mid_limit)}x; {full.rate:.1f} pages/s = "
            f"{full.rate / ceiling:.2f}x cores / CPU per page (target >= 0.8)"
        )
    return lines


def _ratio(part: float | None, whole: float | None) -> str:
    return "-" if part is None or not whole else f"{part / whole:.2f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=2, help="interleaved rounds; medians")
    parser.add_argument("--modes", default=",".join(MODES))
    args = parser.parse_args(argv)
    modes = [mode for mode in args.modes.split(",") if mode]
    unknown = set(modes) - set(MODES)
    if unknown:
        parser.error(f"unknown modes {sorted(unknown)}; known: {', '.join(MODES)}")
    cores = os.cpu_count() or 1
    with tempfile.TemporaryDirectory(prefix="throughput-") as tmp:
        work = Path(tmp)
        work.chmod(0o755)  # nginx's worker process runs as an unprivileged user
        site = build(work / "site", args.pages)
        runs: dict[str, list[Result]] = {mode: [] for mode in modes}
        alone_ms: list[float] = []
        for _ in range(args.runs):
            for mode in modes:
                runs[mode].append(run_mode(mode, work, site))
            alone_ms.append(alone.measured_ms(site.pages))
    results = {mode: median_of(found) for mode, found in runs.items()}
    print(
        f"{site.pages} pages of news-dev (mean {site.average_bytes / 1000:.0f} KB) from nginx on "
        f"127.0.0.1; {cores} cores; concurrency 32; medians of {args.runs} interleaved runs\n"
    )
    print("\n".join(table(results)))
    print()
    print("\n".join(targets(results, alone_ms, cores)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
