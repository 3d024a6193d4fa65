"""The throughput benchmark's measurement splits a crawl's CPU by process role (crawler
processes, workers, a watched server) and reads the largest crawler process's memory, whatever
process is the root of the tree (the shared mode runs its crawlers under a shell)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from benchmarks.throughput import measure

BURN = "import time\nwhile time.process_time() < {seconds}: pass\n"  # CPU seconds, not wall


def test_cpu_is_split_by_role_and_memory_names_the_crawler(tmp_path: Path) -> None:
    burn = BURN.format(seconds=0.8)
    worker = f"import subprocess, sys; p = subprocess.Popen([sys.executable, '-c', {burn!r}])\n"
    crawler = worker + burn + "p.wait()\n"
    # The root is a shell, as in the shared mode; the crawler is known by its command line.
    command = ["sh", "-c", f'"{sys.executable}" -c "$0" scrapy crawl', crawler]
    # alive for 0.6 s of CPU at least, so for the first samples, which come at once
    server = subprocess.Popen([sys.executable, "-c", BURN.format(seconds=0.6)])
    try:
        measured = measure.run(
            command,
            {},
            tmp_path,
            lambda: 0.0,
            tmp_path / "log",
            keep=frozenset({server.pid}),
            roles={server.pid: "redis"},
        )
    finally:
        server.wait()
    assert measured.returncode == 0, (tmp_path / "log").read_text()
    roles = measured.cpu_by_role
    # each burned 0.8 s of CPU; a sample every 0.25 s misses at most the tail after the last
    assert roles["crawler"] > 0.4
    assert roles["worker"] > 0.4
    assert roles["redis"] > 0.1  # it burned 0.6 s, most of it while the crawl ran
    assert roles["crawler"] + roles["worker"] <= measured.cpu + 0.05  # sampled: never more
    last = measured.at[measure.CHECKPOINTS[-1]]
    # the largest crawler process: the Python one, not the shell at the root (a few hundred KB)
    assert last.crawler > 4_000_000
