"""Fixture HTTP server: the offline news site plus special routes, run in its own process.

    python -m tests.servers.http --site tests/sites/news --host 127.0.0.1 --port 0 --log FILE

It prints one line, ``READY http://HOST:PORT``, once it listens, and stops on SIGTERM or SIGINT.
Each request is appended to the log as one JSON line before its response is sent, so a test sees
exactly what was asked even when the client gives up early; the line also says how many requests
the server was answering at that moment (``active``, this one included). Tests drive it through
`HttpServer`. What it answers is in `tests.servers.routes` and `tests.hostile.routes`; a request
in absolute form (``GET http://host/path``, as sent to a proxy) is answered as its path.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import queue
import shutil
import signal
import socket
import socketserver
import struct
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import IO, Self
from urllib.parse import urlsplit

from tests.hostile.routes import hostile_route
from tests.servers.routes import ROUTES, Reply, RouteRequest, serve_static

REPO_ROOT = Path(__file__).resolve().parents[2]
SITE = REPO_ROOT / "tests" / "sites" / "news"


class FixtureServer(ThreadingHTTPServer):
    daemon_threads = True  # a slow request must not hold up shutdown

    def __init__(self, address: tuple[str, int], pages: Path, request_log: IO[str] | None) -> None:
        self.address_family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        super().__init__(address, FixtureHandler)
        self.pages = pages
        self.request_log = request_log
        self.delay = 0.0  # seconds each reply waits (--delay-ms): a slow site for crash tests
        self.log_lock = threading.Lock()
        self.active = 0  # requests being answered
        self.hits: Counter[str] = Counter()  # requests seen so far, by target
        host, port = str(self.server_address[0]), self.server_address[1]
        self.base_url = f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"

    def server_bind(self) -> None:
        # HTTPServer.server_bind does a reverse DNS lookup we neither need nor want offline.
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = str(self.server_address[0]), self.server_address[1]

    def record(self, method: str, target: str, headers: list[tuple[str, str]]) -> int:
        """Count the request as active, log it, and return how often the target came before."""
        with self.log_lock:
            self.active += 1
            seen = self.hits[target]
            self.hits[target] += 1
            entry = {
                "method": method,
                "path": target,
                "headers": headers,
                "time": time.time(),
                "active": self.active,
            }
            if self.request_log is not None:
                self.request_log.write(json.dumps(entry) + "\n")
                self.request_log.flush()
        return seen

    def done(self) -> None:
        with self.log_lock:
            self.active -= 1


class FixtureHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out in separate writes
    server: FixtureServer
    seen = 0  # earlier requests for the same target
    counted = False

    def parse_request(self) -> bool:
        if not super().parse_request():
            return False
        self.seen = self.server.record(self.command, self.path, list(self.headers.items()))
        self.counted = True
        return True

    def handle_one_request(self) -> None:
        try:
            super().handle_one_request()
        finally:
            if self.counted:
                self.server.done()
                self.counted = False

    def do_GET(self) -> None:
        if self.server.delay:
            time.sleep(self.server.delay)
        self.send_reply(self.dispatch(), with_body=True)

    def do_HEAD(self) -> None:
        self.send_reply(self.dispatch(), with_body=False)

    def dispatch(self) -> Reply:
        target = self.path
        if target.startswith(("http://", "https://")):  # absolute form, as sent to a proxy
            target = "/" + target.split("/", 3)[3] if target.count("/") >= 3 else "/"
        path, _, query = target.partition("#")[0].partition("?")
        request = RouteRequest(path, query, self.server.pages, self.server.base_url, self.seen)
        route = ROUTES.get(path) or hostile_route(path) or serve_static
        return route(request)

    def send_reply(self, reply: Reply, with_body: bool) -> None:
        if reply.raw is not None:  # the route writes the bytes itself, then the connection ends
            self.close_connection = True
            with contextlib.suppress(OSError):
                reply.raw(_RawSocket(self))
            return
        is_chunked = not isinstance(reply.body, bytes) and reply.length is None
        self.send_response(reply.status, reply.reason)
        self.send_header("Content-Type", reply.content_type)
        for name, value in reply.headers:
            self.send_header(name, value)
        if is_chunked:
            self.send_header("Transfer-Encoding", "chunked")
        else:
            length = len(reply.body) if isinstance(reply.body, bytes) else reply.length
            self.send_header("Content-Length", str(length))
        self.end_headers()
        if not with_body:
            return
        pieces = [reply.body] if isinstance(reply.body, bytes) else reply.body
        try:
            for piece in pieces:
                self.wfile.write(b"%X\r\n%s\r\n" % (len(piece), piece) if is_chunked else piece)
            if is_chunked:
                self.wfile.write(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the client left; nothing to report

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass  # the JSON request log replaces the access log; errors still go to stderr


class _RawSocket:
    """What a raw route may do with the connection: write bytes, wait, or reset it."""

    def __init__(self, handler: FixtureHandler) -> None:
        self._handler = handler

    def send(self, data: bytes) -> None:
        self._handler.wfile.write(data)
        self._handler.wfile.flush()

    def reset(self) -> None:
        """Abort with a TCP RST (linger 0), as a crashing server or a middlebox does."""
        handler = self._handler
        handler.wfile.flush()
        handler.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        for stream in (handler.rfile, handler.wfile, handler.connection):  # the socket closes
            stream.close()  # when its last reference does
        handler.rfile, handler.wfile = io.BytesIO(), io.BytesIO()  # for the handler's last flush


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", type=Path, default=SITE, help="site folder holding pages/")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--log", type=Path, help="append one JSON line per request here")
    parser.add_argument("--delay-ms", type=int, default=0, help="wait this long before each GET")
    args = parser.parse_args(argv)
    pages = args.site / "pages"
    if not pages.is_dir():
        parser.error(f"no pages folder at {pages}")
    with contextlib.ExitStack() as stack:
        log = stack.enter_context(args.log.open("a", encoding="utf-8")) if args.log else None
        server = stack.enter_context(FixtureServer((args.host, args.port), pages, log))
        server.delay = args.delay_ms / 1000

        def stop(signum: int, frame: object) -> None:
            # shutdown() waits for serve_forever(), which runs in this very thread.
            threading.Thread(target=server.shutdown, daemon=True).start()

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        print(f"READY {server.base_url}", flush=True)
        server.serve_forever(poll_interval=0.1)  # how soon a shutdown is noticed
    return 0


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


class HttpServer:
    """Runs the fixture server in a subprocess. The request log is kept readable after stop()."""

    def __init__(
        self,
        site: Path = SITE,
        host: str = "127.0.0.1",
        log: Path | None = None,
        startup_timeout: float = 10.0,
        delay_ms: int = 0,
    ) -> None:
        self.site = site
        self.delay_ms = delay_ms
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
        command = [sys.executable, "-m", "tests.servers.http", "--site", str(self.site)]
        command += ["--host", self.host, "--port", "0", "--log", str(self.log_path)]
        if self.delay_ms:
            command += ["--delay-ms", str(self.delay_ms)]
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
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
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

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()


if __name__ == "__main__":
    sys.exit(main())
