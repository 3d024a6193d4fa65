"""The crawl state file in use and broken: a second run of a seed set while one runs is refused
before any request (or waits, with STATE_WAIT), and a torn state file stops the crawl before it
starts, naming the file and the command that rebuilds it."""

from __future__ import annotations

import os
import subprocess
import time
from datetime import UTC, datetime
from pathlib import Path

from crawler.state.base import UrlState
from crawler.state.sqlite import SqliteState, state_path
from tests.jobdir_crawl import TIMEOUT
from tests.servers.demo import ROOT, crawl, crawl_command
from tests.servers.http import HttpServer

NAME = "locked"


def seeds(path: Path, base_url: str) -> Path:
    path.write_text(
        f'name = "{NAME}"\nstart_urls = ["{base_url}/state/weak-etag"]\n'
        'allowed_domains = ["127.0.0.1"]\nrelated_depth = 0\n'
        'contact = "https://github.com/newsarchive/newsarchive"\n'
        "[settings]\nDOWNLOAD_DELAY = 0.0\nAUTOTHROTTLE_START_DELAY = 0.0\n",
        "utf-8",
    )
    return path


def run(site: HttpServer, tmp: Path, name: str, **extra: str) -> subprocess.CompletedProcess[str]:
    settings = {"STATE_DIR": str(tmp / "state"), "STORE_SPOOL_DIR": str(tmp / name), **extra}
    return crawl(
        site.base_url,
        str(tmp / "archive"),
        f"{NAME}-2022101{len(name)}000000",
        extra=settings,
        capture=True,
        seeds=str(seeds(tmp / f"{name}.toml", site.base_url)),
    )


def holds(pid: int, path: Path) -> bool:
    """Whether the process has the file open (it waits for its lock)."""
    fds = Path(f"/proc/{pid}/fd")
    return any(link.resolve() == path for link in fds.iterdir()) if fds.exists() else False


def test_a_second_run_of_the_seed_set_is_refused_and_a_waiting_one_follows(tmp_path: Path) -> None:
    path = state_path(tmp_path / "state", NAME).resolve()
    lock = path.with_name(path.name + ".lock")
    held = SqliteState.open(path)  # a run of the seed set in progress: this process
    try:
        with HttpServer(validators=True) as site:
            refused = run(site, tmp_path, "bb")
            assert site.requests() == []
            settings = {"STATE_DIR": str(tmp_path / "state"), "STATE_WAIT": "True"}
            command, env = crawl_command(
                site.base_url,
                str(tmp_path / "archive"),
                f"{NAME}-20221010000000",
                {**settings, "STORE_SPOOL_DIR": str(tmp_path / "a")},
                None,
                str(seeds(tmp_path / "a.toml", site.base_url)),
            )
            waiting = subprocess.Popen(
                command, cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True
            )
            deadline = time.monotonic() + TIMEOUT
            while not holds(waiting.pid, lock):
                assert waiting.poll() is None and time.monotonic() < deadline, "it did not wait"
                time.sleep(0.05)
            assert site.requests() == []  # waiting for the lock, before any request
            held.close()
            _, errors = waiting.communicate(timeout=TIMEOUT)
            requests = site.requests()
    finally:
        held.close()
    assert refused.returncode == 2, refused.stderr  # refused before it starts
    assert "is in use by another run of this seed set" in refused.stderr
    assert f"(pid {os.getpid()})" in refused.stderr
    assert waiting.returncode == 0, errors
    assert [r.path for r in requests] == ["/robots.txt", "/state/weak-etag"]


def test_a_torn_state_file_stops_the_crawl_before_it_starts(tmp_path: Path) -> None:
    path = state_path(tmp_path / "state", NAME)
    state = SqliteState.open(path)
    now = datetime.now(UTC)
    for n in range(300):
        state.put(UrlState(f"http://127.0.0.1/{n}/" + "x" * 200, "article", now))
    state.close()
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2 + 100])  # cut mid-page
    with HttpServer() as site:
        result = run(site, tmp_path, "torn")
        requests = site.requests()
    assert result.returncode == 2, result.stderr
    assert f"state file {str(path.resolve())!r} is corrupt" in result.stderr
    assert "scrapy state rebuild ARCHIVE_URI --seeds" in result.stderr
    assert requests == []
