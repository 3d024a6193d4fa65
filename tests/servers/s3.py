"""Real S3 servers for tests: moto's ThreadedMotoServer and LocalStack's S3, each on a free
127.0.0.1 port, started once per session; every test that takes the ``s3`` fixture runs on both.
moto is the lenient one, LocalStack the strict one (tests/servers/localstack.py says how).

When ``TEST_S3_ENDPOINT_URL`` is set, that endpoint is used instead of both, with credentials
from the environment (boto3's chain); a CA bundle for it comes from ``AWS_CA_BUNDLE``. Each test
gets a fresh bucket, or, when ``TEST_S3_BUCKET`` names a bucket to share (for endpoints where
tests may not create buckets), a fresh prefix in it; then ``TEST_S3_LOCK_BUCKET`` names an
existing bucket with Object Lock for the retention tests, and ``TEST_S3_KMS_KEY_ID`` a KMS key
the encryption test may use.

Fixtures (tests/conftest.py re-exports them): ``s3_server`` (session, one per server),
``s3_endpoint_url`` and ``s3_client`` (session), ``s3`` (per test, on every server),
``strict_s3`` (per test, on the strict servers only: LocalStack, over HTTP and over HTTPS, or
the external endpoint) and ``s3_https`` (per test, LocalStack over HTTPS). `TcpProxy` is in
tests/servers/tcp_proxy.py.
"""

from __future__ import annotations

import contextlib
import logging
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Any

import boto3
import pytest
from botocore.config import Config
from moto.server import ThreadedMotoServer

from pipelines.storage import StoreOptions
from tests.servers.localstack import LocalStack, localstack_server
from tests.servers.tcp_proxy import LOOPBACK, TcpProxy

__all__ = ["LOOPBACK", "TcpProxy"]

MOTO_CREDENTIALS = {  # LocalStack takes any credentials: these too
    "AWS_ACCESS_KEY_ID": "testing-access-key",
    "AWS_SECRET_ACCESS_KEY": "testing-secret-key",
    "AWS_DEFAULT_REGION": "us-east-1",
}
EXTERNAL = bool(os.environ.get("TEST_S3_ENDPOINT_URL"))
S3_SERVERS = ["external"] if EXTERNAL else ["moto", "localstack"]
STRICT_SERVERS = ["external"] if EXTERNAL else ["localstack", "localstack-https"]


@dataclass(frozen=True)
class S3Server:
    """One S3 server of the session, and how to reach it."""

    name: str  # "moto", "localstack", "localstack-https" or "external"
    url: str
    client: Any  # one client for the session: making one takes 0.1 s
    verify: str | None = None  # a CA bundle, for HTTPS with a certificate of its own

    @property
    def strict(self) -> bool:
        """Checks checksums, conditional writes and Object Lock as AWS does (moto does not)."""
        return self.name != "moto"


@dataclass
class S3Endpoint:
    """One test's place in S3: `uri` for ARCHIVE_URI, `client()` to look behind the store."""

    url: str  # the endpoint the server answers on
    bucket: str
    prefix: str = ""  # "" or "some/prefix/"
    env: dict[str, str] = field(default_factory=dict)  # AWS_* for boto3's chain
    shared_client: Any = None  # one client for the session: making one takes 0.1 s
    server: str = "external"  # S3Server.name
    verify: str | None = None  # S3Server.verify

    @property
    def uri(self) -> str:
        return f"s3://{self.bucket}/{self.prefix}"

    def client(self) -> Any:
        return self.shared_client or new_client(self.url, verify=self.verify)

    def options(self, endpoint_url: str | None = None, **overrides: Any) -> StoreOptions:
        options = StoreOptions(endpoint_url=endpoint_url or self.url, verify=self.verify)
        if self.verify:  # LocalStack's certificate names "localhost": no virtual hosts there
            options = replace(options, addressing_style="path")
        return replace(options, **overrides)

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


def new_client(
    url: str, credentials: dict[str, str] | None = None, verify: str | None = None
) -> Any:
    keys = credentials or {}
    return boto3.session.Session(
        aws_access_key_id=keys.get("AWS_ACCESS_KEY_ID"),
        aws_secret_access_key=keys.get("AWS_SECRET_ACCESS_KEY"),
        region_name=keys.get("AWS_DEFAULT_REGION"),
    ).client(
        "s3",
        endpoint_url=url,
        verify=verify,
        config=Config(retries={"mode": "standard"}, s3={"addressing_style": "path"}),
    )


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
def moto_url() -> Iterator[str]:
    with moto_server() as url:
        yield url


@pytest.fixture(scope="session")
def localstack() -> Iterator[LocalStack]:
    with localstack_server() as server:
        yield server


def server_named(request: pytest.FixtureRequest, name: str) -> S3Server:
    """The S3Server of that name (one of S3_SERVERS or STRICT_SERVERS), started if need be."""
    if name == "external":
        url, verify = os.environ["TEST_S3_ENDPOINT_URL"], os.environ.get("AWS_CA_BUNDLE")
    elif name == "moto":
        url, verify = str(request.getfixturevalue("moto_url")), None
    else:
        local: LocalStack = request.getfixturevalue("localstack")
        https = name == "localstack-https"
        url, verify = (local.https_url, str(local.ca_bundle)) if https else (local.url, None)
    known = _servers.get((name, url))
    if known is None:
        credentials = None if name == "external" else MOTO_CREDENTIALS
        known = _servers[name, url] = S3Server(
            name, url, new_client(url, credentials, verify), verify
        )
    return known


_servers: dict[tuple[str, str], S3Server] = {}  # one client per server for the session


@pytest.fixture(scope="session", params=S3_SERVERS)
def s3_server(request: pytest.FixtureRequest) -> S3Server:
    return server_named(request, str(request.param))


@pytest.fixture(scope="session", params=STRICT_SERVERS)
def strict_s3_server(request: pytest.FixtureRequest) -> S3Server:
    return server_named(request, str(request.param))


@pytest.fixture(scope="session", params=["external" if EXTERNAL else "localstack-https"])
def https_s3_server(request: pytest.FixtureRequest) -> S3Server:
    return server_named(request, str(request.param))


@pytest.fixture(scope="session")
def s3_endpoint_url(s3_server: S3Server) -> str:
    return s3_server.url


@pytest.fixture(scope="session")
def s3_client(s3_server: S3Server) -> Any:
    return s3_server.client


@pytest.fixture
def s3(s3_server: S3Server, monkeypatch: pytest.MonkeyPatch) -> Iterator[S3Endpoint]:
    """A fresh, empty place in S3; boto3's chain (and crawl subprocesses) find credentials."""
    yield from place_in(s3_server, monkeypatch)


@pytest.fixture
def strict_s3(strict_s3_server: S3Server, monkeypatch: pytest.MonkeyPatch) -> Iterator[S3Endpoint]:
    """A fresh place in S3 on a server that checks what moto lets through."""
    yield from place_in(strict_s3_server, monkeypatch)


@pytest.fixture
def s3_https(https_s3_server: S3Server, monkeypatch: pytest.MonkeyPatch) -> Iterator[S3Endpoint]:
    """A fresh place in S3 over HTTPS, where botocore sends aws-chunked bodies."""
    yield from place_in(https_s3_server, monkeypatch)


def place_in(server: S3Server, monkeypatch: pytest.MonkeyPatch) -> Iterator[S3Endpoint]:
    if server.name != "external":
        for name, value in MOTO_CREDENTIALS.items():
            monkeypatch.setenv(name, value)
        for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL"):
            monkeypatch.delenv(name, raising=False)
        if server.verify:  # crawl subprocesses: botocore reads the CA bundle from here
            monkeypatch.setenv("AWS_CA_BUNDLE", server.verify)
    env = {k: v for k, v in os.environ.items() if k.startswith("AWS_")}
    shared = os.environ.get("TEST_S3_BUCKET")
    run = uuid.uuid4().hex[:12]
    endpoint = S3Endpoint(
        url=server.url,
        bucket=shared or f"newsarchive-test-{run}",
        prefix=f"newsarchive-test/{run}/" if shared else "",
        env=env,
        shared_client=server.client,
        server=server.name,
        verify=server.verify,
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


def has_object_lock(client: Any, bucket: str) -> bool:
    try:
        lock = client.get_object_lock_configuration(Bucket=bucket)["ObjectLockConfiguration"]
    except client.exceptions.ClientError:  # ObjectLockConfigurationNotFoundError
        return False
    return bool(lock.get("ObjectLockEnabled") == "Enabled")


def empty(endpoint: S3Endpoint, *, delete_bucket: bool) -> None:
    """Remove what a test left (it frees the in-memory server's memory), objects under
    GOVERNANCE retention too. A strict S3 refuses the governance bypass on a bucket without
    Object Lock (InvalidArgument), so it is asked for only on a bucket with it."""
    client = endpoint.client()
    with contextlib.suppress(client.exceptions.NoSuchBucket):
        bypass = (
            {"BypassGovernanceRetention": True} if has_object_lock(client, endpoint.bucket) else {}
        )
        pages = client.get_paginator("list_object_versions").paginate(
            Bucket=endpoint.bucket, Prefix=endpoint.prefix
        )
        for page in pages:
            for version in [*page.get("Versions", []), *page.get("DeleteMarkers", [])]:
                client.delete_object(
                    Bucket=endpoint.bucket,
                    Key=version["Key"],
                    VersionId=version["VersionId"],
                    **bypass,
                )
        for upload in client.list_multipart_uploads(Bucket=endpoint.bucket).get("Uploads", []):
            client.abort_multipart_upload(
                Bucket=endpoint.bucket, Key=upload["Key"], UploadId=upload["UploadId"]
            )
        if delete_bucket:
            client.delete_bucket(Bucket=endpoint.bucket)
