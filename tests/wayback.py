"""pywb's `wayback` over a collection of WARC files, on a free loopback port, for replay checks.

The collection is made with pywb's own `wb-manager` (init, add), as the README shows."""

from __future__ import annotations

import http.client
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.servers.lifecycle import free_port, stop_process, wait_until_listening
from tests.tools import run_tool, tool


@contextmanager
def wayback(home: Path, collection: str, warcs: list[Path]) -> Iterator[int]:
    """Serve `warcs` as `collection`; yields the port."""
    for args in (["init", collection], ["add", collection, *map(str, warcs)]):
        result = run_tool("wb-manager", *args, cwd=home)
        assert result.returncode == 0, result.stdout + result.stderr
    for _attempt in range(3):  # the free port may be taken between the probe and wayback
        port = free_port()
        with open(home / "wayback.log", "wb") as log:
            process = subprocess.Popen(
                [tool("wayback"), "--bind", "127.0.0.1", "--port", str(port)],
                cwd=home,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        if wait_until_listening(process, port):
            break
        process.kill()
        process.wait()
    else:
        pytest.fail("wayback did not start: " + (home / "wayback.log").read_text())
    try:
        yield port
    finally:
        stop_process(process, 10)


def get(port: int, path: str) -> tuple[int, bytes]:
    """GET a path on wayback: no redirect followed, nothing decoded."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()
