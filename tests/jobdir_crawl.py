"""A crawl of the generated resume site (tests/resume_site.py) with a test's JOBDIR, spool and
store, as its own process in a session of its own, and a poll that waits for it to end: shared
by the crash-resume, stop-and-resume and write-failure tests."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Callable, Mapping
from pathlib import Path

from tests.resume_site import seeds_file
from tests.servers.demo import ROOT, crawl_command
from tests.servers.http import HttpServer

TIMEOUT = 90.0  # seconds; only reached when something is broken


def start(
    site: HttpServer,
    tmp: Path,
    log: Path,
    *,
    spool: Path | None = None,
    extra: Mapping[str, str] | None = None,
) -> subprocess.Popen[bytes]:
    """The crawl command; its stderr goes to ``log`` with the suffix ``.stderr``."""
    settings = {
        "JOBDIR": str(tmp / "job"),
        "STORE_SPOOL_DIR": str(spool or tmp / "spool"),
        "LOG_FILE": str(log),
        "EXTRACT_WORKERS": "1",
        "WARC_MAX_SIZE": "150000",
        "RECORDS_BATCH_SIZE": "20",
        **(extra or {}),
    }
    seeds = str(seeds_file(tmp / "seeds.toml"))
    command, env = crawl_command(site.base_url, str(tmp / "archive"), "", settings, seeds=seeds)
    with open(log.with_suffix(".stderr"), "w") as stderr:
        return subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            start_new_session=True,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )


def wait(
    process: subprocess.Popen[bytes],
    when: Callable[[], bool] | None = None,
    then: Callable[[], object] | None = None,
) -> int:
    """Wait for the crawl to end, running ``then`` once ``when`` is true; its exit status."""
    try:
        deadline = time.monotonic() + TIMEOUT
        while process.poll() is None:
            assert time.monotonic() < deadline, "the crawl did not end"
            if when is not None and then is not None and when():
                then()
                when = None
            time.sleep(0.05)
        return process.returncode
    finally:
        if process.poll() is None:
            process.kill()
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)  # its extraction workers, if any are left


def kill(process: subprocess.Popen[bytes]) -> Callable[[], None]:
    """SIGKILL the crawl and its extraction workers (a crash, from outside)."""
    return lambda: os.killpg(process.pid, signal.SIGKILL)
