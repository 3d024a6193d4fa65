"""The machine limit's second term: trafilatura alone, timed in a process of its own."""

from __future__ import annotations

import subprocess
import sys

from benchmarks.throughput import alone


def test_the_loop_runs_as_many_pages_as_the_crawl_within_bounds() -> None:
    assert alone.pages_for(20) == 20
    assert alone.pages_for(0) == 1
    assert alone.pages_for(50_000) == alone.MAX_PAGES == 2000


def test_it_times_the_extractions_in_a_process_of_its_own() -> None:
    # 130 pages: one pass over the 124 news-dev pages and six of them again
    command = [sys.executable, "-m", "benchmarks.throughput.alone", "--pages", "130"]
    done = subprocess.run(command, capture_output=True, text=True, cwd=alone.ROOT, check=True)
    figure, unit = done.stdout.split(" ms CPU per page, ")
    assert unit.strip() == "130 pages"  # counted by the loop, not echoed
    assert float(figure) > 0
    assert alone.measured_ms(2) > 0  # the benchmark's call: the same command, parsed
