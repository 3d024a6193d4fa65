"""The fixture HTTP server process: the offline news site plus special routes.

    python -m tests.servers.fixture_server --site tests/sites/news --host 127.0.0.1 --port 0 \
        --log FILE

It prints one line, ``READY http://HOST:PORT``, once it listens, and stops on SIGTERM or SIGINT.
Each request is appended to the log as one JSON line before its response is sent, so a test sees
exactly what was asked even when the client gives up early; the line also says how many requests
the server was answering at that moment (``active``, this one included). Tests drive it through
`HttpServer` (tests/servers/http.py). What it answers is in `tests.servers.routes` and
`tests.hostile.routes`; a request in absolute form (``GET http://host/path``, as sent to a proxy)
is answered as its path.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import signal
import socket
import socketserver
import struct
import sys
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import IO

from tests.hostile.routes import hostile_route
from tests.servers.conditional import state_route, validated
from tests.servers.replies import Reply, RouteRequest
from tests.servers.routes import ROUTES, serve_static

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
        self.validators = False  # --validators: ETag, Last-Modified and 304s (conditional.py)
        self.honour_conditional = True  # --ignore-conditional: validators sent, never a 304
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
        headers = tuple(self.headers.items())
        server = self.server
        request = RouteRequest(path, query, server.pages, server.base_url, self.seen, headers)
        route = ROUTES.get(path) or hostile_route(path) or state_route(path) or serve_static
        reply = route(request)
        return validated(reply, request, server.honour_conditional) if server.validators else reply

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
        elif reply.status != 304:  # a 304 has no body, and no length of its own
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
    parser.add_argument("--validators", action="store_true", help="ETag, Last-Modified, 304s")
    parser.add_argument("--ignore-conditional", action="store_true", help="never answer 304")
    args = parser.parse_args(argv)
    pages = args.site / "pages"
    if not pages.is_dir():
        parser.error(f"no pages folder at {pages}")
    with contextlib.ExitStack() as stack:
        log = stack.enter_context(args.log.open("a", encoding="utf-8")) if args.log else None
        server = stack.enter_context(FixtureServer((args.host, args.port), pages, log))
        server.delay = args.delay_ms / 1000
        server.validators = args.validators
        server.honour_conditional = not args.ignore_conditional

        def stop(signum: int, frame: object) -> None:
            # shutdown() waits for serve_forever(), which runs in this very thread.
            threading.Thread(target=server.shutdown, daemon=True).start()

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        print(f"READY {server.base_url}", flush=True)
        server.serve_forever(poll_interval=0.1)  # how soon a shutdown is noticed
    return 0


if __name__ == "__main__":
    sys.exit(main())
