"""The fixture site over HTTPS, with certificates from a test CA that `trustme` makes.

`HttpsSites` runs three HTTPS servers on 127.0.0.1, each on a free port, in threads of the test
process (the crawl runs in its own process, so nothing here shares a reactor):

- ``good``: a certificate for ``HOST`` from the test CA;
- ``wrong_host``: a certificate from the same CA, but for ``OTHER_HOST``;
- ``expired``: a certificate for ``HOST`` from the same CA that expired yesterday.

Crawls reach them by name through ``tests.servers.resolver.HostsResolver`` (``HOST`` resolves to
127.0.0.1) and trust the CA through ``TLS_CA_BUNDLE = sites.ca_file``. Each server answers as the
fixture server does (``tests.servers.fixture_server``), with its https base URL, and logs the
requests it read; a client that refuses the certificate never gets as far as a request.
"""

from __future__ import annotations

import contextlib
import datetime
import io
import json
import ssl
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Self

import trustme

from tests.servers.fixture_server import SITE, FixtureServer
from tests.servers.lifecycle import Running

HOST = "news.test"
OTHER_HOST = "other.test"


class TlsFixtureServer(FixtureServer):
    """The fixture server behind TLS; the handshake is done in the request's own thread."""

    def __init__(self, context: ssl.SSLContext, pages: Path) -> None:
        self.log = io.StringIO()
        super().__init__(("127.0.0.1", 0), pages, self.log)
        self.context = context
        self.base_url = f"https://{HOST}:{self.server_address[1]}"
        self.handshake_failures = 0

    def get_request(self) -> tuple[Any, Any]:
        sock, address = self.socket.accept()
        return self.context.wrap_socket(sock, server_side=True, do_handshake_on_connect=False), (
            address
        )

    def finish_request(self, request: Any, client_address: Any) -> None:
        try:
            request.do_handshake()
        except (ssl.SSLError, OSError):
            self.handshake_failures += 1  # the client refused our certificate, or went away
            return
        super().finish_request(request, client_address)

    def paths(self) -> list[str]:
        with self.log_lock:
            lines = self.log.getvalue().splitlines()
        return [json.loads(line)["path"] for line in lines]


class HttpsSites(Running):
    def __init__(self, folder: Path, site: Path = SITE) -> None:
        self.folder = folder
        self.pages = site / "pages"
        self.ca = trustme.CA()
        now = datetime.datetime.now(datetime.UTC)
        self.good_cert = self.ca.issue_cert(HOST)
        self.wrong_host_cert = self.ca.issue_cert(OTHER_HOST)
        self.expired_cert = self.ca.issue_cert(
            HOST,
            not_before=now - datetime.timedelta(days=30),
            not_after=now - datetime.timedelta(days=1),
        )
        self.ca_file = folder / "test-ca.pem"
        self.ca.cert_pem.write_to_path(str(self.ca_file))
        self.servers: dict[str, TlsFixtureServer] = {}
        self._threads: list[threading.Thread] = []

    def start(self) -> Self:
        for name, cert in (
            ("good", self.good_cert),
            ("wrong_host", self.wrong_host_cert),
            ("expired", self.expired_cert),
        ):
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            cert.configure_cert(context)
            server = TlsFixtureServer(context, self.pages)
            thread = threading.Thread(
                target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True
            )
            thread.start()
            self.servers[name] = server
            self._threads.append(thread)
        return self

    def url(self, name: str, path: str) -> str:
        return self.servers[name].base_url + "/" + path.lstrip("/")

    def stop(self) -> None:
        for server in self.servers.values():
            server.shutdown()
            with contextlib.suppress(OSError):
                server.server_close()
        for thread in self._threads:
            thread.join(timeout=10)


@dataclass
class Record:
    rec_type: str
    headers: list[tuple[str, str]]  # WARC headers, repeated ones kept
    block: bytes

    def header(self, name: str) -> str | None:
        return next(iter(self.all(name)), None)

    def all(self, name: str) -> list[str]:
        return [v for n, v in self.headers if n.lower() == name.lower()]


@dataclass
class Crawled:
    root: Path
    crawl_id: str
    stats: dict[str, Any]
    log: str
    records: list[Record]
    clean: list[dict[str, Any]]
    served: dict[str, list[str]]  # paths each server read

    def responses(self, port: int, rec_type: str = "response") -> dict[str, Record]:
        """The records of this type for the server on ``port``, by path."""
        found = {}
        for r in self.records:
            uri = r.header("WARC-Target-URI") or ""
            if r.rec_type == rec_type and uri.startswith(f"https://{HOST}:{port}/"):
                found[uri.split(str(port), 1)[1]] = r
        return found
