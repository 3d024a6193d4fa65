"""A real Redis server (Debian's ``redis-server``) on 127.0.0.1 at a free port, for the scale-out
tests: started and stopped by the test, with an append-only file in its own folder so that a
restart keeps what it held, as a production Redis configured for a crawl frontier would.
"""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path
from typing import Self

import redis

from tests.servers.lifecycle import Running, free_port, stop_process

STARTUP_SECONDS = 30.0


class RedisServer(Running):
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def client(self) -> redis.Redis:
        return redis.Redis.from_url(self.url)

    def start(self) -> Self:
        binary = shutil.which("redis-server") or "/usr/bin/redis-server"
        self.folder.mkdir(parents=True, exist_ok=True)
        command = [
            binary,
            "--bind",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--dir",
            str(self.folder),
        ]
        command += ["--save", "", "--appendonly", "yes", "--appendfsync", "always"]
        with (self.folder / "redis.log").open("ab") as log:  # the child keeps its own copy
            self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + STARTUP_SECONDS
        client = self.client()
        while True:  # polling PING: redis-server gives no other readiness signal
            try:
                if client.ping():
                    return self
            except redis.ConnectionError as exc:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    log = self.folder / "redis.log"
                    raise RuntimeError(f"redis-server did not start: see {log}") from exc
                time.sleep(0.05)

    def stop(self) -> None:
        if self.process is not None:
            stop_process(self.process, 30)
