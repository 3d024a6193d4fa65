"""LocalStack's S3 for tests: a stricter S3 server than moto, on a free 127.0.0.1 port.

moto takes what it is sent: it checks no upload checksum (a wrong ``x-amz-checksum-sha256`` is
stored as given) and lets a client delete through Object Lock in places where AWS refuses. So
the S3 tests also run against LocalStack's S3, which verifies SHA-256 and CRC checksums
(``BadDigest``), conditional writes (``If-None-Match: *``, 412) and Object Lock retention, as
AWS does. It runs from PyPI's ``localstack-core`` in host mode (no Docker), in a virtualenv of
its own (``.venv-localstack/``, made by ``make tools``): its pins (an older cryptography and
pyOpenSSL) clash with ours. The gateway serves HTTP and HTTPS on the same port, HTTPS with a
self-signed certificate that it writes under its ``FILESYSTEM_ROOT``; `LocalStack.ca_bundle`
is that certificate, for ``AWS_CA_BUNDLE`` or the store's ``verify``. It names ``localhost``
(its IP entry is malformed), so `LocalStack.https_url` uses that name.

Whatever the FILESYSTEM_ROOT, LocalStack 4 keeps objects under the fixed folder
`OBJECT_FOLDER`, which the server removes when it stops. So that two test sessions on one
machine (two `make test` at once) do not remove each other's objects, each server runs in a
mount namespace of its own (``unshare``, as root, which the tests are) where `OBJECT_FOLDER` is
a bind mount of a folder inside the server's own temporary root.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from tests.tools import REPO_ROOT

__all__ = ["LOCALSTACK_PYTHON", "LocalStack", "localstack_server"]

LOCALSTACK_PYTHON = REPO_ROOT / ".venv-localstack" / "bin" / "python"
OBJECT_FOLDER = Path("/tmp/localstack-s3-storage")  # LocalStack's fixed folder
STARTUP_TIMEOUT = 120.0  # seconds; it starts in 5-25 s on a loaded 2-core machine
STOP_GRACE = 5.0  # seconds between SIGTERM and SIGKILL


@dataclass(frozen=True)
class LocalStack:
    port: int
    ca_bundle: Path  # the self-signed certificate its HTTPS answers with

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def https_url(self) -> str:
        return f"https://localhost:{self.port}"


def environment(port: int, root: Path) -> dict[str, str]:
    """The host-mode settings: S3 only, loaded at start, nothing sent anywhere (no DNS
    server, certificate download, events or telemetry), state under `root`."""
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(root),
        "OVERRIDE_IN_DOCKER": "0",
        "GATEWAY_SERVER": "hypercorn",
        "GATEWAY_LISTEN": f"127.0.0.1:{port}",
        "SERVICES": "s3",
        "EAGER_SERVICE_LOADING": "1",
        "DNS_ADDRESS": "0",
        "SKIP_SSL_CERT_DOWNLOAD": "1",
        "DISABLE_EVENTS": "1",
        "LOCALSTACK_TELEMETRY_DISABLED": "1",
        "FILESYSTEM_ROOT": str(root / "fs"),
    }


@contextlib.contextmanager
def localstack_server() -> Iterator[LocalStack]:
    """LocalStack's S3 on a free loopback port, for as long as the block runs."""
    assert LOCALSTACK_PYTHON.exists(), (
        f"{LOCALSTACK_PYTHON} is missing: run `make tools` (`make test` does) first"
    )
    root = Path(tempfile.mkdtemp(prefix="localstack-"))
    with socket.create_server(("127.0.0.1", 0)) as probe:
        port = int(probe.getsockname()[1])
    log = root / "localstack.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [
                *own_object_folder(root / "objects"),
                str(LOCALSTACK_PYTHON),
                "-m",
                "localstack.runtime.main",
            ],
            cwd=root,
            env=environment(port, root),
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: stopped whole, below
        )
    try:
        server = LocalStack(port, root / "fs/var/lib/localstack/cache/server.test.pem.crt")
        wait_until_ready(server, process, log)
        yield server
    finally:
        stop(process)
        shutil.rmtree(root, ignore_errors=True)


def own_object_folder(folder: Path) -> list[str]:
    """The command prefix that runs a command with `OBJECT_FOLDER` bound to `folder`, in a
    private mount namespace: the mount is gone with the process."""
    folder.mkdir(parents=True)
    OBJECT_FOLDER.mkdir(parents=True, exist_ok=True)  # the mount point
    script = 'mount --bind "$1" "$2" && shift 2 && exec "$@"'
    unshare = ["unshare", "--mount", "--propagation", "private"]
    return [*unshare, "sh", "-c", script, "sh", str(folder), str(OBJECT_FOLDER)]


def wait_until_ready(server: LocalStack, process: subprocess.Popen[bytes], log: Path) -> None:
    """Poll the health endpoint until S3 is "running" (and the certificate written)."""
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"LocalStack exited with {process.returncode}:\n{log.read_text(errors='replace')}"
            )
        if s3_running(server.url) and server.ca_bundle.exists():
            return
        time.sleep(0.1)  # a poll interval: the health endpoint is the signal
    raise RuntimeError(
        f"LocalStack's S3 not running after {STARTUP_TIMEOUT} s:\n"
        + log.read_text(errors="replace")
    )


def s3_running(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_localstack/health", timeout=2) as answer:
            health = json.load(answer)
    except (OSError, ValueError):
        return False
    return bool(health.get("services", {}).get("s3") == "running")


def stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM its process group, SIGKILL what is left after `STOP_GRACE` seconds."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        try:
            process.wait(timeout=STOP_GRACE)
            return
        except subprocess.TimeoutExpired:
            continue
