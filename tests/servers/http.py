"""Tests drive the fixture HTTP server (tests/servers/fixture_server.py) through `HttpServer`:
it runs the server in its own process on a free port and reads back the requests it logged.
"""

from __future__ import annotations

import json
import queue
import shutil
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Self
from urllib.parse import urlsplit

from tests.servers.fixture_server import REPO_ROOT, SITE
from tests.servers.lifecycle import Running, stop_process

__all__ = ["SITE", "HttpServer", "LoggedRequest", "ServerStartError"]


@dataclass(frozen=True)
class LoggedRequest:
    method: str
    path: str  # the raw request target, query included
    headers: tuple[tuple[str, str], ...]
    time: float  # Unix time at which the server read the request
    active: int = 1  # requests the server was answering when it read this one, this one included

    def header(self, name: str) -> str | None:
        return next((value for key, value in self.headers if key.lower() == name.lower()), None)


class ServerStartError(RuntimeError):
    pass


class HttpServer(Running):
    """Runs the fixture server in a subprocess. The request log is kept readable after stop()."""

    def __init__(
        self,
        site: Path = SITE,
        host: str = "127.0.0.1",
        log: Path | None = None,
        startup_timeout: float = 10.0,
        delay_ms: int = 0,
        validators: bool = False,
        ignore_conditional: bool = False,
    ) -> None:
        self.site = site
        self.delay_ms = delay_ms
        self.flags = ["--validators"] if validators else []  # tests/servers/conditional.py
        self.flags += ["--ignore-conditional"] if ignore_conditional else []
        self.host = host
        self.startup_timeout = startup_timeout
        self._log = log
        self._workdir: Path | None = None
        self._process: subprocess.Popen[str] | None = None
        self._base_url: str | None = None
        self._final_requests: list[LoggedRequest] | None = None

    @property
    def log_path(self) -> Path:
        if self._log is not None:
            return self._log
        if self._workdir is None:
            raise RuntimeError("the server has not been started")
        return self._workdir / "requests.jsonl"

    @property
    def base_url(self) -> str:
        if self._base_url is None:
            raise RuntimeError("the server has not been started")
        return self._base_url

    @property
    def port(self) -> int:
        port = urlsplit(self.base_url).port
        assert port is not None
        return port

    @property
    def returncode(self) -> int | None:
        return None if self._process is None else self._process.poll()

    def url(self, path: str) -> str:
        return self.base_url + "/" + path.lstrip("/")

    def start(self) -> Self:
        if self._process is not None:
            raise RuntimeError("an HttpServer starts once")
        self._workdir = Path(tempfile.mkdtemp(prefix="fixture-http-"))
        self.log_path.write_text("")  # this run's requests only
        command = [sys.executable, "-m", "tests.servers.fixture_server", "--site", str(self.site)]
        command += ["--host", self.host, "--port", "0", "--log", str(self.log_path)]
        if self.delay_ms:
            command += ["--delay-ms", str(self.delay_ms)]
        command += self.flags
        with (self._workdir / "stderr.txt").open("wb") as stderr:
            self._process = subprocess.Popen(
                command, cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=stderr, text=True
            )
        line = self._first_line()
        if not line.startswith("READY "):
            self._process.kill()
            code = self._process.wait()
            errors = (self._workdir / "stderr.txt").read_text(errors="replace")
            self.stop()
            raise ServerStartError(f"fixture server failed (exit code {code}): {line!r}\n{errors}")
        self._base_url = line.split()[1]
        return self

    def _first_line(self) -> str:
        assert self._process is not None and self._process.stdout is not None
        lines: queue.Queue[str] = queue.Queue()
        stdout = self._process.stdout
        threading.Thread(target=lambda: lines.put(stdout.readline()), daemon=True).start()
        try:
            return lines.get(timeout=self.startup_timeout)
        except queue.Empty:
            return f"<no READY line within {self.startup_timeout} s>"

    def stop(self) -> None:
        process = self._process
        if process is None or self._final_requests is not None:
            return
        stop_process(process, 10)
        if process.stdout is not None:
            process.stdout.close()
        self._final_requests = self._read_log()
        if self._workdir is not None:
            shutil.rmtree(self._workdir, ignore_errors=True)

    def _read_log(self) -> list[LoggedRequest]:
        if not self.log_path.exists():
            return []
        entries = [json.loads(line) for line in self.log_path.read_text().splitlines() if line]
        return [
            LoggedRequest(
                method=entry["method"],
                path=entry["path"],
                headers=tuple((name, value) for name, value in entry["headers"]),
                time=entry["time"],
                active=entry.get("active", 1),
            )
            for entry in entries
        ]

    def requests(self) -> list[LoggedRequest]:
        if self._final_requests is not None:
            return list(self._final_requests)
        return self._read_log()

    def paths(self) -> list[str]:
        return [request.path for request in self.requests()]
