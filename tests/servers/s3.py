"""A real S3 server for tests: moto's ThreadedMotoServer on a free 127.0.0.1 port.

When ``TEST_S3_ENDPOINT_URL`` is set, that endpoint is used instead, with credentials from the
environment (boto3's chain). Each test gets a fresh bucket, or, when ``TEST_S3_BUCKET`` names a
bucket to share (for endpoints where tests may not create buckets), a fresh prefix in it; then
``TEST_S3_LOCK_BUCKET`` names an existing bucket with Object Lock for the retention test, and
``TEST_S3_KMS_KEY_ID`` a KMS key the encryption test may use.

`TcpProxy` relays a loopback port to the server and can be cut and restored on the same port:
to the code under test that is a real network outage (refused connections, reset sockets),
while the server and its buckets stay up. It relays plain TCP, so the outage tests need an
``http://`` endpoint (moto, MinIO, LocalStack on this host).

Fixtures (import them into a test module): ``s3_endpoint_url`` (session) and ``s3`` (per test).
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Any

import boto3
import pytest
from botocore.config import Config
from moto.server import ThreadedMotoServer

from pipelines.storage import StoreOptions

LOOPBACK = "127.0.0.1"
MOTO_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing-access-key",
    "AWS_SECRET_ACCESS_KEY": "testing-secret-key",
    "AWS_DEFAULT_REGION": "us-east-1",
}


@dataclass
class S3Endpoint:
    """One test's place in S3: `uri` for ARCHIVE_URI, `client()` to look behind the store."""

    url: str  # the endpoint the server answers on
    bucket: str
    prefix: str = ""  # "" or "some/prefix/"
    env: dict[str, str] = field(default_factory=dict)  # AWS_* for boto3's chain
    shared_client: Any = None  # one client for the session: making one takes 0.1 s

    @property
    def uri(self) -> str:
        return f"s3://{self.bucket}/{self.prefix}"

    def client(self) -> Any:
        return self.shared_client or new_client(self.url)

    def options(self, endpoint_url: str | None = None, **overrides: Any) -> StoreOptions:
        return replace(StoreOptions(endpoint_url=endpoint_url or self.url), **overrides)

    def list_keys(self) -> list[str]:
        pages = (
            self.client()
            .get_paginator("list_objects_v2")
            .paginate(Bucket=self.bucket, Prefix=self.prefix)
        )
        return [o["Key"][len(self.prefix) :] for page in pages for o in page.get("Contents", [])]

    def read(self, key: str) -> bytes:
        body: bytes = (
            self.client().get_object(Bucket=self.bucket, Key=self.prefix + key)["Body"].read()
        )
        return body


def new_client(url: str, credentials: dict[str, str] | None = None) -> Any:
    keys = credentials or {}
    return boto3.session.Session(
        aws_access_key_id=keys.get("AWS_ACCESS_KEY_ID"),
        aws_secret_access_key=keys.get("AWS_SECRET_ACCESS_KEY"),
        region_name=keys.get("AWS_DEFAULT_REGION"),
    ).client("s3", endpoint_url=url, config=Config(retries={"mode": "standard"}))


@contextlib.contextmanager
def moto_server() -> Iterator[str]:
    """A moto S3 server of its own on a free loopback port, for as long as the block runs."""
    # moto's server logs each request through werkzeug at INFO: keep test output readable.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = ThreadedMotoServer(ip_address=LOOPBACK, port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


@pytest.fixture(scope="session")
def s3_endpoint_url() -> Iterator[str]:
    external = os.environ.get("TEST_S3_ENDPOINT_URL")
    if external:
        yield external
        return
    with moto_server() as url:
        yield url


@pytest.fixture(scope="session")
def s3_client(s3_endpoint_url: str) -> Any:
    external = bool(os.environ.get("TEST_S3_ENDPOINT_URL"))
    return new_client(s3_endpoint_url, None if external else MOTO_CREDENTIALS)


@pytest.fixture
def s3(
    s3_endpoint_url: str, s3_client: Any, monkeypatch: pytest.MonkeyPatch
) -> Iterator[S3Endpoint]:
    """A fresh, empty place in S3; boto3's chain (and crawl subprocesses) find credentials."""
    if not os.environ.get("TEST_S3_ENDPOINT_URL"):
        for name, value in MOTO_CREDENTIALS.items():
            monkeypatch.setenv(name, value)
        for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL"):
            monkeypatch.delenv(name, raising=False)
    env = {k: v for k, v in os.environ.items() if k.startswith("AWS_")}
    shared = os.environ.get("TEST_S3_BUCKET")
    run = uuid.uuid4().hex[:12]
    endpoint = S3Endpoint(
        url=s3_endpoint_url,
        bucket=shared or f"newsarchive-test-{run}",
        prefix=f"newsarchive-test/{run}/" if shared else "",
        env=env,
        shared_client=s3_client,
    )
    if not shared:
        endpoint.client().create_bucket(Bucket=endpoint.bucket)
    yield endpoint
    empty(endpoint, delete_bucket=not shared)


def object_lock_bucket(endpoint: S3Endpoint) -> S3Endpoint:
    """A bucket with Object Lock enabled (WORM) on the same endpoint: a fresh one, or a fresh
    prefix in TEST_S3_LOCK_BUCKET. Remove it with `empty(..., delete_bucket=not shared)`."""
    shared = os.environ.get("TEST_S3_LOCK_BUCKET")
    if shared:
        return replace(endpoint, bucket=shared, prefix=f"newsarchive-test/{uuid.uuid4().hex}/")
    locked = replace(endpoint, bucket=f"{endpoint.bucket}-lock"[:63], prefix="")
    locked.client().create_bucket(Bucket=locked.bucket, ObjectLockEnabledForBucket=True)
    return locked


def empty(endpoint: S3Endpoint, *, delete_bucket: bool) -> None:
    """Remove what a test left (it frees the in-memory server's memory), locked objects too."""
    client = endpoint.client()
    with contextlib.suppress(client.exceptions.NoSuchBucket):
        pages = client.get_paginator("list_object_versions").paginate(
            Bucket=endpoint.bucket, Prefix=endpoint.prefix
        )
        for page in pages:
            for version in [*page.get("Versions", []), *page.get("DeleteMarkers", [])]:
                client.delete_object(
                    Bucket=endpoint.bucket,
                    Key=version["Key"],
                    VersionId=version["VersionId"],
                    BypassGovernanceRetention=True,
                )
        for upload in client.list_multipart_uploads(Bucket=endpoint.bucket).get("Uploads", []):
            client.abort_multipart_upload(
                Bucket=endpoint.bucket, Key=upload["Key"], UploadId=upload["UploadId"]
            )
        if delete_bucket:
            client.delete_bucket(Bucket=endpoint.bucket)


class TcpProxy:
    """Relays 127.0.0.1:`port` to `target`; `stop()` cuts every connection and refuses new
    ones, `start()` listens again on the same port."""

    def __init__(self, target_url: str) -> None:
        host_port = target_url.split("://", 1)[1].rstrip("/")
        host, _, port = host_port.rpartition(":")
        self.target = (host.strip("[]"), int(port))
        with socket.create_server((LOOPBACK, 0)) as probe:
            self.port = int(probe.getsockname()[1])
        self.url = f"http://{LOOPBACK}:{self.port}"
        self._listener: socket.socket | None = None
        self._connections: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._accepting: threading.Thread | None = None

    def __enter__(self) -> TcpProxy:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> None:
        assert self._listener is None, "already started"
        self._listener = socket.create_server((LOOPBACK, self.port))  # SO_REUSEADDR is set
        self._listener.settimeout(0.1)
        self._accepting = threading.Thread(target=self._accept, args=(self._listener,), daemon=True)
        self._accepting.start()

    def stop(self) -> None:
        listener, self._listener = self._listener, None
        if listener is None:
            return
        listener.close()
        if self._accepting is not None:
            self._accepting.join(timeout=5)
        with self._lock:
            connections, self._connections = self._connections, set()
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
            connection.close()

    @property
    def running(self) -> bool:
        return self._listener is not None

    def _accept(self, listener: socket.socket) -> None:
        while listener.fileno() != -1:
            try:
                client, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return  # closed by stop()
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            upstream.settimeout(None)
            with self._lock:
                self._connections |= {client, upstream}
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(256 * 1024):
                sink.sendall(data)
            sink.shutdown(socket.SHUT_WR)
        except OSError:
            for end in (source, sink):
                with contextlib.suppress(OSError):
                    end.shutdown(socket.SHUT_RDWR)
