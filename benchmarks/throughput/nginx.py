"""nginx (Debian's package) serving a folder on 127.0.0.1 at a free port, with an access log.

The access log is how the benchmark follows a crawl's progress from outside the crawler: one line
per request served.
"""

from __future__ import annotations

import getpass
import shutil
import subprocess
from collections import Counter
from pathlib import Path
from typing import Self

from tests.servers.lifecycle import Running, free_port, stop_process, wait_until_listening

CONFIG = """daemon off;
user {user};  # workers read the site as this process does (ignored when not run as root)
worker_processes 1;
error_log {work}/error.log warn;
pid {work}/nginx.pid;
events {{ worker_connections 1024; }}
http {{
    types {{ text/html html; text/plain txt; }}
    default_type application/octet-stream;
    log_format timed '$msec $status $body_bytes_sent $request_uri';
    access_log {work}/access.log timed;
    client_body_temp_path {work}/body;
    proxy_temp_path {work}/proxy;
    fastcgi_temp_path {work}/fastcgi;
    uwsgi_temp_path {work}/uwsgi;
    scgi_temp_path {work}/scgi;
    sendfile on;
    keepalive_requests 100000;
    gzip on;
    gzip_types text/plain;  # text/html is always compressed
    etag on;
    server {{
        listen 127.0.0.1:{port};
        root {root};
        location /a/ {{
            # each URL its own headline (the site's pages are links to 124 sources); Last-Modified
            # and a weak ETag are kept, so conditional requests still get 304s
            sub_filter '</h1>' ' $uri</h1>';
            sub_filter_last_modified on;
        }}
    }}
}}
"""


class Nginx(Running):
    def __init__(self, root: Path, work: Path) -> None:
        self.root = root
        self.work = work
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def access_log(self) -> Path:
        return self.work / "access.log"

    def requests_served(self) -> int:
        """Requests logged so far (nginx writes a line as each one completes)."""
        with self.access_log.open("rb") as log:
            return sum(chunk.count(b"\n") for chunk in iter(lambda: log.read(1 << 20), b""))

    def pids(self) -> frozenset[int]:
        assert self.process is not None
        return frozenset({self.process.pid})

    def fetched_twice(self) -> int:
        """URIs (robots.txt aside) requested more than once."""
        uris = Counter(line.split()[3] for line in self.access_log.open("rb"))
        return sum(1 for uri, n in uris.items() if n > 1 and uri != b"/robots.txt")

    def served_span(self) -> tuple[int, float]:
        """Requests served, and seconds from the first to the last of them."""
        times = [float(line.split(maxsplit=1)[0]) for line in self.access_log.open("rb")]
        return len(times), (max(times) - min(times)) if times else 0.0

    def start(self) -> Self:
        binary = shutil.which("nginx") or "/usr/sbin/nginx"
        self.work.mkdir(parents=True, exist_ok=True)
        config = self.work / "nginx.conf"
        user = getpass.getuser()
        config.write_text(
            CONFIG.format(work=self.work, port=self.port, root=self.root, user=user), "utf-8"
        )
        self.process = subprocess.Popen([binary, "-c", str(config), "-p", str(self.work)])
        if not wait_until_listening(self.process, self.port, 30):
            log = (self.work / "error.log").read_text("utf-8", "replace")
            raise SystemExit(f"nginx did not start: {log[-2000:]}")
        return self

    def stop(self) -> None:
        if self.process is not None:
            stop_process(self.process, 30)
