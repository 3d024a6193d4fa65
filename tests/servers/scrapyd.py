"""A real scrapyd server for the deployment tests, and a fresh copy of the project to deploy.

`Scrapyd` runs ``python -m scrapyd`` from the project's virtualenv in a folder of its own (its
``scrapyd.conf`` there: 127.0.0.1, a free port, its own eggs, logs and dbs folders), waits until
``daemonstatus.json`` answers, talks to its JSON API, and stops it. Jobs inherit the server's
environment less ``SCRAPY_SETTINGS_MODULE``, so the settings a job runs with are the ones its egg
names, as on a real deployment. `fresh_copy` lays out the project's files (what a clone of the
working tree would hold, without virtualenvs or build output) to run ``scrapyd-deploy`` in.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any, Self

from tests.servers.lifecycle import Running, stop_process

ROOT = Path(__file__).resolve().parents[2]
CONF = """\
[scrapyd]
bind_address = 127.0.0.1
http_port = {port}
eggs_dir = {root}/eggs
logs_dir = {root}/logs
dbs_dir = {root}/dbs
items_dir =
jobs_to_keep = 5
poll_interval = 0.2
max_proc = 2
"""


class Scrapyd(Running):
    def __init__(self, root: Path, env: dict[str, str] | None = None) -> None:
        self.root = root
        self.env = env or {}
        self.port = 0
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def start(self, timeout: float = 60.0) -> Self:
        self.root.mkdir(parents=True, exist_ok=True)
        with socket.create_server(("127.0.0.1", 0)) as probe:
            self.port = int(probe.getsockname()[1])
        (self.root / "scrapyd.conf").write_text(CONF.format(port=self.port, root=self.root))
        env = {k: v for k, v in os.environ.items() if k != "SCRAPY_SETTINGS_MODULE"}
        with (self.root / "scrapyd.log").open("wb") as log:
            self._process = subprocess.Popen(
                [sys.executable, "-m", "scrapyd"],
                cwd=self.root,
                env={**env, **self.env},
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:  # readiness: daemonstatus.json answers
            if self._process.poll() is not None:
                raise RuntimeError(f"scrapyd exited {self._process.returncode}: {self.log()}")
            try:
                if self.get("daemonstatus.json")["status"] == "ok":
                    return self
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"scrapyd did not answer within {timeout} s: {self.log()}")

    def log(self) -> str:
        return (self.root / "scrapyd.log").read_text(errors="replace")

    def get(self, endpoint: str, **params: str) -> dict[str, Any]:
        query = f"?{urllib.parse.urlencode(params)}" if params else ""
        with urllib.request.urlopen(self.url + endpoint + query, timeout=30) as answer:
            result: dict[str, Any] = json.load(answer)
        return result

    def post(self, endpoint: str, fields: list[tuple[str, str]]) -> dict[str, Any]:
        body = urllib.parse.urlencode(fields).encode()
        with urllib.request.urlopen(self.url + endpoint, data=body, timeout=30) as answer:
            result: dict[str, Any] = json.load(answer)
        return result

    def wait_finished(self, project: str, job: str, timeout: float = 300.0) -> dict[str, Any]:
        """The job's entry in listjobs.json once it is finished (polled)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            jobs = self.get("listjobs.json", project=project)
            done = [entry for entry in jobs["finished"] if entry["id"] == job]
            if done:
                return done[0]
            time.sleep(0.2)
        raise AssertionError(f"job {job} not finished within {timeout} s: {jobs}")

    def ended(self, job: str) -> str:
        """scrapyd's own line on how the job's process ended: "Process finished: ..." (exit
        status 0) or "Process died: exitstatus=N ..."."""
        lines = [line for line in self.log().splitlines() if f"job='{job}'" in line]
        return next((line for line in lines if "Process finished" in line or "died" in line), "")

    def job_log(self, project: str, spider: str, job: str) -> str:
        return (self.root / "logs" / project / spider / f"{job}.log").read_text(errors="replace")

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is not None:
            stop_process(process, 30)


def fresh_copy(target: Path) -> Path:
    """The project's files, as a clone of the working tree holds them, copied under `target`."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if name.startswith(".venv") or not source.is_file():  # local virtualenvs, deleted files
            continue
        (target / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target / name)
    return target
