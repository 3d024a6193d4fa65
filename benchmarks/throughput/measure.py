"""Run one crawl as its own process and measure its whole process tree from outside.

- CPU: user + system time of the crawl process and every descendant, from ``os.wait4``: this
  process is a child subreaper (``PR_SET_CHILD_SUBREAPER``), so a descendant that outlives its
  parent (an extraction worker still ending when the crawler exits) comes back to it, and its
  time is counted too (``Measurement.orphans`` says how many did).
- Memory: PSS (proportional set size: a page shared by n processes counts 1/n in each, so the sum
  over the tree counts shared pages once), read from /proc/<pid>/smaps_rollup of every process of
  the tree every ``SAMPLE_SECONDS``. Kept: the peak of the tree, and at 20%, 50% and 100% of the
  crawl (by requests nginx served) the tree, the largest crawler process, the largest extraction
  worker (any other process but a forkserver) and the largest forkserver (a crawler's child that
  runs multiprocessing's forkserver: it holds what the workers share, so its PSS rises as they
  exit at the crawl's end). A crawler process is one running ``scrapy crawl`` or
  ``scrapy runspider`` (the shared mode runs three under one shell).
- CPU mid-crawl: the tree's CPU (crawlers and workers, sampled as below) read when the crawl
  passes `WINDOW`'s two points (10% and 90% of the requests served), with the progress at that
  sample: the CPU per page of a running crawl, without its processes' start-up and shutdown.
- CPU by role, sampled: each process's user + system time read from /proc/<pid>/stat at every
  sample, its last reading kept, summed by role: ``crawler``, ``worker`` (every other process of
  the tree) and each of `roles` (other processes watched by pid: the Redis server). A process's
  time after its last sample is missed, so the roles add up to a little less than the tree's.
"""

from __future__ import annotations

import ctypes
import os
import subprocess
import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

SAMPLE_SECONDS = 0.25
_CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
_CRAWLERS = (b"scrapy\x00crawl", b"scrapy\x00runspider")
_FORKSERVER = b"multiprocessing.forkserver"
_TREE_ROLES = ("crawler", "worker")
PR_SET_CHILD_SUBREAPER = 36  # linux/prctl.h
CHECKPOINTS = (0.2, 0.5, 1.0)
WINDOW = (0.1, 0.9)  # progress between which the mid-crawl CPU is read


@dataclass
class Memory:
    tree: int = 0  # bytes
    crawler: int = 0
    largest_worker: int = 0
    forkserver: int = 0


@dataclass
class Measurement:
    wall: float = 0.0  # seconds, process start to exit
    cpu: float = 0.0  # seconds, user + system, whole tree
    peak: int = 0  # bytes, PSS of the tree
    at: dict[float, Memory] = field(default_factory=dict)  # checkpoint -> memory then
    returncode: int = 0
    orphans: int = 0  # descendants that outlived their parent and were reaped here
    cpu_by_role: dict[str, float] = field(default_factory=dict)  # seconds, sampled (see above)
    # WINDOW point -> (progress, CPU seconds of the crawlers and workers) at the first sample
    # that reached it
    window: dict[float, tuple[float, float]] = field(default_factory=dict)

    def mid_crawl_cpu(self) -> float | None:
        """CPU seconds per unit of progress between the `WINDOW` points; None when the crawl
        passed them within one sample."""
        if len(self.window) < len(WINDOW):
            return None
        (done_a, cpu_a), (done_b, cpu_b) = (self.window[point] for point in WINDOW)
        return (cpu_b - cpu_a) / (done_b - done_a) if done_b > done_a else None


def pss(pid: int) -> int:
    """PSS of one process in bytes; 0 when it is gone."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) * 1024
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        pass
    return 0


def children(pid: int) -> list[int]:
    found: list[int] = []
    try:
        tasks = list(Path(f"/proc/{pid}/task").iterdir())
    except FileNotFoundError:
        return found
    for task in tasks:
        try:
            found += [int(child) for child in (task / "children").read_text().split()]
        except FileNotFoundError:
            continue
    return found


def is_crawler(pid: int) -> bool:
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes()
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return False
    return any(mark in command for mark in _CRAWLERS)


def is_forkserver(pid: int) -> bool:
    """multiprocessing's forkserver: its command line, and a parent without it (the workers
    forked from it keep the command line, and have it for a parent)."""
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes()
        parent = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[1]
        above = Path(f"/proc/{parent}/cmdline").read_bytes()
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return False
    return _FORKSERVER in command and _FORKSERVER not in above


def cpu_seconds(pid: int) -> float | None:
    """User + system seconds of one process so far; None when it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return None
    return (int(fields[11]) + int(fields[12])) / _CLOCK_TICKS


class TreeSampler:
    """One walk of the process tree per sample: each process's role, its PSS, and its last CPU
    reading (see the module's docstring)."""

    def __init__(self, roles: Mapping[int, str]) -> None:
        self.roles = dict(roles)
        self.readings: dict[int, tuple[str, float]] = {}

    def sample(self, pid: int) -> Memory:
        by_role: dict[str, list[int]] = {"crawler": [], "worker": [], "forkserver": []}
        for process in (pid, *_descendants(pid)):
            role = self._role(process)
            by_role["forkserver" if is_forkserver(process) else role].append(pss(process))
            self._read(process, role)  # a forkserver's CPU is the workers'
        for process, role in self.roles.items():
            self._read(process, role)
        return Memory(
            sum(map(sum, by_role.values())),
            *(max(by_role[role], default=0) for role in ("crawler", "worker", "forkserver")),
        )

    def _role(self, pid: int) -> str:
        # Read again each time: a shell that execs the crawler keeps its pid. Once a crawler,
        # always: an exited process not yet reaped has an empty command line.
        if self.readings.get(pid, ("", 0.0))[0] == "crawler" or is_crawler(pid):
            return "crawler"
        return "worker"

    def _read(self, pid: int, role: str) -> None:
        seconds = cpu_seconds(pid)
        if seconds is not None:
            self.readings[pid] = (role, max(self.readings.get(pid, (role, 0.0))[1], seconds))

    def crawl_cpu(self) -> float:
        """CPU seconds so far of the crawlers and workers (not the other watched roles)."""
        return sum(seconds for role, seconds in self.readings.values() if role in _TREE_ROLES)

    def cpu_by_role(self) -> dict[str, float]:
        totals: Counter[str] = Counter()
        for role, seconds in self.readings.values():
            totals[role] += seconds
        return dict(totals)


def _descendants(pid: int) -> list[int]:
    pending, seen = children(pid), []
    while pending:
        child = pending.pop()
        seen.append(child)
        pending += children(child)
    return seen


def run(
    command: list[str],
    env: Mapping[str, str],
    cwd: Path,
    progress: Callable[[], float],
    log: Path,
    keep: frozenset[int] = frozenset(),
    roles: Mapping[int, str] | None = None,
) -> Measurement:
    """Run `command` to its end; `progress` says how far the crawl is (0..1) at any moment.
    `keep`: this process's other children (the web server), not part of the measurement;
    `roles`: processes (of `keep`) whose CPU is reported by role, {pid: role}."""
    measured = Measurement()
    sampler = TreeSampler(roles or {})
    become_subreaper()
    started = time.monotonic()
    with log.open("wb") as output:
        process = subprocess.Popen(command, env=dict(env), cwd=cwd, stdout=output, stderr=output)
        last = Memory()
        while True:
            finished, status, usage = os.wait4(process.pid, os.WNOHANG)
            if finished:
                break
            reading = sampler.sample(process.pid)
            if reading.crawler:  # 0: the process is exiting (a zombie has no memory to read)
                last = reading
            measured.peak = max(measured.peak, reading.tree)
            done = progress()
            for point in CHECKPOINTS[:-1]:
                if done >= point and point not in measured.at:
                    measured.at[point] = last
            for point in WINDOW:
                if done >= point and point not in measured.window:
                    measured.window[point] = (done, sampler.crawl_cpu())
            time.sleep(SAMPLE_SECONDS)  # sampling period of the memory readings
    process.returncode = os.waitstatus_to_exitcode(status)
    measured.at[CHECKPOINTS[-1]] = last  # the last reading before the process exited
    measured.wall = time.monotonic() - started
    measured.cpu = usage.ru_utime + usage.ru_stime + reap_orphans(measured, keep)
    measured.returncode = process.returncode
    measured.cpu_by_role = sampler.cpu_by_role()
    return measured


def become_subreaper() -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_CHILD_SUBREAPER)")


def reap_orphans(measured: Measurement, keep: frozenset[int]) -> float:
    """Wait for every descendant that came back to this process (but the servers in `keep`);
    their CPU seconds."""
    seconds = 0.0
    while orphans := [pid for pid in children(os.getpid()) if pid not in keep]:
        for pid in orphans:
            _, _, usage = os.wait4(pid, 0)
            measured.orphans += 1
            seconds += usage.ru_utime + usage.ru_stime
    return seconds
