"""The throughput benchmark's measurement splits a crawl's CPU by process role (crawler
processes, workers, a watched server) and reads the largest crawler process's memory, whatever
process is the root of the tree (the shared mode runs its crawlers under a shell).

The measurement makes its process a child subreaper and waits for every child it finds: it
runs in a process of its own here, not in pytest's, whose other children (the test servers)
it would wait for."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from benchmarks.throughput import measure
from pipelines.extract.pool import ExtractionPool

ROOT = Path(__file__).resolve().parents[2]
BURN = "import time\nwhile time.process_time() < {seconds}: pass\n"  # CPU seconds, not wall
MEASURE = """
import json, subprocess, sys
from pathlib import Path
from benchmarks.throughput import measure
from pipelines.extract.pool import ExtractionPool
burn, command, log = sys.argv[1], json.loads(sys.argv[2]), Path(sys.argv[3])
server = subprocess.Popen([sys.executable, "-c", burn])
measured = measure.run(command, {}, log.parent, lambda: 0.0, log,
                       keep=frozenset({server.pid}), roles={server.pid: "redis"})
server.wait()
last = measured.at[measure.CHECKPOINTS[-1]]
print(json.dumps({"returncode": measured.returncode, "cpu": measured.cpu,
                  "roles": measured.cpu_by_role, "crawler": last.crawler}))
"""


def measured_by(script: str, argument: str, command: list[str], log: Path) -> dict[str, Any]:
    """What `script` (run in a process of its own, see the module docstring) printed of its
    measurement of `command`, given `argument` first; the command must have exited 0."""
    result = subprocess.run(
        [sys.executable, "-c", script, argument, json.dumps(command), str(log)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    measured: dict[str, Any] = json.loads(result.stdout)
    assert measured["returncode"] == 0, log.read_text()
    return measured


def test_cpu_is_split_by_role_and_memory_names_the_crawler(tmp_path: Path) -> None:
    burn = BURN.format(seconds=1.2)
    worker = f"import subprocess, sys; p = subprocess.Popen([sys.executable, '-c', {burn!r}])\n"
    crawler = worker + burn + "p.wait()\n"
    # The root is a shell, as in the shared mode; the crawler is known by its command line.
    command = ["sh", "-c", f'"{sys.executable}" -c "$0" scrapy crawl', crawler]
    # the watched server: alive for 0.6 s of CPU at least, so for the first samples
    server = BURN.format(seconds=0.6)
    measured = measured_by(MEASURE, server, command, tmp_path / "log")
    roles = measured["roles"]
    # each burned 1.2 s of CPU; a sample every 0.25 s misses the tail after the last one
    assert roles["crawler"] > 0.4
    assert roles["worker"] > 0.4
    assert roles["redis"] > 0.1  # it burned 0.6 s, most of it while the crawl ran
    assert roles["crawler"] + roles["worker"] <= measured["cpu"] + 0.05  # sampled: never more
    # the largest crawler process: the Python one, not the shell at the root (a few hundred KB)
    assert measured["crawler"] > 4_000_000


def test_the_forkserver_is_told_from_the_workers_it_forked() -> None:
    """A worker forked by multiprocessing's forkserver keeps its command line: the forkserver is
    the one whose parent is not a forkserver. (The extraction pool's own, with its preload: a
    forkserver started here without it would serve every later pool of this process.)"""
    pool = ExtractionPool(1, timeout=None)
    try:
        [server] = [pid for pid in measure.children(os.getpid()) if measure.is_forkserver(pid)]
        workers = measure.children(server)
        assert workers and not any(measure.is_forkserver(worker) for worker in workers)
    finally:
        pool.close()


WINDOWED = """
import json, sys
from pathlib import Path
from benchmarks.throughput import measure
done, command, log = Path(sys.argv[1]), json.loads(sys.argv[2]), Path(sys.argv[3])
def progress():
    text = done.read_text() if done.exists() else ""
    return float(text) if text else 0.0
measured = measure.run(command, {}, log.parent, progress, log)
print(json.dumps({"returncode": measured.returncode, "cpu": measured.cpu,
                  "mid": measured.mid_crawl_cpu()}))
"""
# A crawl whose start-up burns 1 s of CPU, then 3 s in steps it reports as progress 0..1.
PROGRESSING = """
import os, sys, time
while time.process_time() < 1.0: pass
start = time.process_time()
while (spent := time.process_time() - start) < 3.0:
    with open(sys.argv[1] + ".tmp", "w") as out:
        out.write(str(spent / 3.0))
    os.replace(sys.argv[1] + ".tmp", sys.argv[1])
"""


def test_mid_crawl_cpu_leaves_out_the_start_up(tmp_path: Path) -> None:
    done = tmp_path / "done"
    command = [sys.executable, "-c", PROGRESSING, str(done)]
    measured = measured_by(WINDOWED, str(done), command, tmp_path / "log")
    assert measured["cpu"] >= 4.0
    # 3 s of CPU per unit of progress, the first second left out (the whole run: 4 s per unit)
    assert 2.6 < measured["mid"] < 3.4
