"""What the test servers share: a free loopback port, waiting for a server process to listen,
stopping one, and running one as a context manager (`Running`)."""

from __future__ import annotations

import socket
import subprocess
import time
from types import TracebackType
from typing import Self

LISTEN_TIMEOUT = 60.0  # seconds a server may take to listen; they take one or two


def free_port() -> int:
    """A port free on 127.0.0.1 now (another process may take it before the server binds it:
    callers that start a server on it retry)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_until_listening(
    process: subprocess.Popen[bytes], port: int, timeout: float = LISTEN_TIMEOUT
) -> bool:
    """Poll `port` until it accepts (True) or `process` exits or `timeout` passes (False)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return True
        except OSError:
            time.sleep(0.1)  # a poll interval: the server gives no other signal
    return False


def stop_process(process: subprocess.Popen[bytes] | subprocess.Popen[str], grace: float) -> None:
    """SIGTERM, then SIGKILL if it has not ended after `grace` seconds; reaped either way."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class Running:
    """A test server as a context manager: ``with Server(...) as server`` starts and stops it."""

    def start(self) -> Self:
        raise NotImplementedError

    def stop(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()
