"""S3Store against a real S3 server over HTTP (moto, or TEST_S3_ENDPOINT_URL): the store
contract, then what only S3 does: multipart checksums, conditional writes, encryption, object
lock, stores without flexible checksums, and logs that keep credentials out. StoreConfig, read
from Scrapy settings, is tested in test_store_config.py."""

from __future__ import annotations

import base64
import hashlib
import logging
import os
import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest

from pipelines.storage import (
    ObjectExistsError,
    PermanentStoreError,
    Store,
    StoreError,
    open_store,
)
from pipelines.storage.s3 import SHA256_METADATA, S3Store
from tests.servers.s3 import S3Endpoint, TcpProxy, empty, object_lock_bucket
from tests.storage_contract import StoreContract

MIB = 1024 * 1024


@pytest.fixture
def store(s3: S3Endpoint) -> Store:
    return open_store(s3.uri, s3.options())


class TestS3StoreContract(StoreContract):
    pass


def test_an_archive_under_a_prefix_of_the_bucket(s3: S3Endpoint) -> None:
    s3.client().put_object(Bucket=s3.bucket, Key=f"{s3.prefix}news/other", Body=b"not ours")
    store = open_store(f"{s3.uri}news/archive", s3.options())
    assert store.uri == f"{s3.uri}news/archive/"

    store.put_bytes(b"w", "warc/c/a.warc.dat")
    store.put_bytes(b"r", "reports/c.json")

    assert s3.read("news/archive/warc/c/a.warc.dat") == b"w"
    assert list(store.list()) == ["reports/c.json", "warc/c/a.warc.dat"]
    assert list(store.list("warc/")) == ["warc/c/a.warc.dat"]
    assert store.exists("reports/c.json") and not store.exists("other")
    with store.get("reports/c.json") as stream:
        assert stream.read() == b"r"
    with pytest.raises(ObjectExistsError):
        store.put_bytes(b"again", "reports/c.json")


def composite_sha256(data: bytes, part_size: int) -> str:
    """S3's composite checksum, computed here independently of the store's code."""
    digests = b"".join(
        hashlib.sha256(data[i : i + part_size]).digest() for i in range(0, len(data), part_size)
    )
    return base64.b64encode(hashlib.sha256(digests).digest()).decode()


@pytest.fixture
def sent_headers(store: Store) -> Iterator[list[tuple[str, dict[str, str]]]]:
    """(operation, headers) of every request the store sends, as the server receives them."""
    assert isinstance(store, S3Store)
    seen: list[tuple[str, dict[str, str]]] = []

    recorder = record_requests(store.client, seen)
    yield seen
    store.client.meta.events.unregister("before-send.s3", recorder)


def record_requests(client: Any, seen: list[tuple[str, dict[str, str]]]) -> Any:
    """Append (operation, headers) of each request `client` sends to `seen`."""

    def record(request: Any, event_name: str, **_: Any) -> None:
        headers = {
            k.lower(): v.decode() if isinstance(v, bytes) else str(v)
            for k, v in request.headers.items()
        }
        seen.append((event_name.rpartition(".")[2], headers))

    client.meta.events.register("before-send.s3", record)
    return record


def test_a_40_mib_file_goes_up_in_parts_with_its_sha256(
    store: Store,
    s3: S3Endpoint,
    tmp_path: Path,
) -> None:
    data = random.Random(40).randbytes(40 * MIB + 123)
    source = tmp_path / "big.warc.dat"
    source.write_bytes(data)
    expected = hashlib.sha256(data).hexdigest()

    stored = store.put_file(source, "warc/crawl-1/big.warc.dat")

    assert (stored.size, stored.sha256) == (len(data), expected)
    client = s3.client()
    head = client.head_object(
        Bucket=s3.bucket, Key=f"{s3.prefix}warc/crawl-1/big.warc.dat", ChecksumMode="ENABLED"
    )
    assert head["ContentLength"] == len(data)
    assert head["Metadata"][SHA256_METADATA] == expected
    assert head["ChecksumSHA256"].split("-")[0] == composite_sha256(data, 8 * MIB)
    part = client.head_object(
        Bucket=s3.bucket, Key=f"{s3.prefix}warc/crawl-1/big.warc.dat", PartNumber=1
    )
    assert part["PartsCount"] == 6  # 5 parts of 8 MiB and a short last one
    assert hashlib.sha256(s3.read("warc/crawl-1/big.warc.dat")).hexdigest() == expected
    assert client.list_multipart_uploads(Bucket=s3.bucket).get("Uploads", []) == []


def test_every_write_is_conditional_and_checksummed(
    store: Store, sent_headers: list[tuple[str, dict[str, str]]], tmp_path: Path
) -> None:
    small = b"records\n" * 10
    big = tmp_path / "big"
    big.write_bytes(random.Random(9).randbytes(9 * MIB))

    store.put_bytes(small, "records/c/part-1.jsonl.gz")
    store.put_file(big, "warc/c/big.warc.dat")

    by_operation: dict[str, list[dict[str, str]]] = {}
    for operation, headers in sent_headers:
        by_operation.setdefault(operation, []).append(headers)
    [put] = by_operation["PutObject"]
    assert put["if-none-match"] == "*"
    assert put["x-amz-checksum-sha256"] == base64.b64encode(hashlib.sha256(small).digest()).decode()
    [complete] = by_operation["CompleteMultipartUpload"]
    assert complete["if-none-match"] == "*"
    parts = by_operation["UploadPart"]
    assert len(parts) == 2 and all("x-amz-checksum-sha256" in p for p in parts)


def requests_storing_two_files(store: Store, tmp_path: Path) -> list[tuple[str, dict[str, str]]]:
    """(operation, headers) of the requests that store a small file (one PUT) and a 9 MiB one
    (two parts)."""
    assert isinstance(store, S3Store)
    seen: list[tuple[str, dict[str, str]]] = []
    record_requests(store.client, seen)
    big = tmp_path / "big"
    big.write_bytes(random.Random(3).randbytes(9 * MIB))
    store.put_bytes(b"report", "reports/c.json")
    store.put_file(big, "warc/c/big.warc.dat")
    return seen


def test_a_store_without_flexible_checksums_gets_content_md5_and_a_read_back(
    s3: S3Endpoint,
    tmp_path: Path,
) -> None:
    store = open_store(s3.uri, s3.options(checksum_calculation="when_required"))

    seen = requests_storing_two_files(store, tmp_path)

    writes = [h for op, h in seen if op in ("PutObject", "UploadPart")]
    assert len(writes) == 3
    for headers in writes:
        assert "content-md5" in headers
        assert not [name for name in headers if name.startswith("x-amz-checksum")]
        assert "x-amz-sdk-checksum-algorithm" not in headers
    # Confirmed by reading each object back, as the server keeps no checksum to compare.
    assert [op for op, _ in seen].count("GetObject") == 2


def test_server_side_encryption(s3: S3Endpoint) -> None:
    aes = open_store(s3.uri, s3.options(sse="AES256"))
    kms_key = os.environ.get("TEST_S3_KMS_KEY_ID", "alias/newsarchive")
    kms = open_store(s3.uri, s3.options(sse="aws:kms", sse_kms_key_id=kms_key))

    aes.put_bytes(b"a", "warc/c/a.warc.dat")
    kms.put_bytes(b"b", "warc/c/b.warc.dat")

    client = s3.client()
    assert (
        client.head_object(Bucket=s3.bucket, Key=f"{s3.prefix}warc/c/a.warc.dat")[
            "ServerSideEncryption"
        ]
        == "AES256"
    )
    head = client.head_object(Bucket=s3.bucket, Key=f"{s3.prefix}warc/c/b.warc.dat")
    assert head["ServerSideEncryption"] == "aws:kms"
    assert head["SSEKMSKeyId"].endswith(kms_key)


def test_object_lock_retention_on_every_object(
    s3: S3Endpoint,
    tmp_path: Path,
) -> None:
    locked = object_lock_bucket(s3)
    try:
        store = open_store(
            locked.uri, locked.options(object_lock_mode="GOVERNANCE", object_lock_days=2)
        )
        assert isinstance(store, S3Store)
        seen: list[tuple[str, dict[str, str]]] = []
        record_requests(store.client, seen)
        big = tmp_path / "big"
        big.write_bytes(random.Random(5).randbytes(9 * MIB))
        before = datetime.now(UTC)

        store.put_bytes(b"{}", "manifests/c.json")
        store.put_file(big, "warc/c/big.warc.dat")

        # HEAD shows the retention (moto 5's GetObjectRetention answers 500).
        head = locked.client().head_object(
            Bucket=locked.bucket, Key=f"{locked.prefix}manifests/c.json"
        )
        assert head["ObjectLockMode"] == "GOVERNANCE"
        until = head["ObjectLockRetainUntilDate"]
        assert before + timedelta(days=2) - timedelta(minutes=5) <= until
        assert until <= datetime.now(UTC) + timedelta(days=2, minutes=5)
        # moto 5 drops the retention of multipart uploads, so look at what was asked for.
        [create] = [h for op, h in seen if op == "CreateMultipartUpload"]
        assert create["x-amz-object-lock-mode"] == "GOVERNANCE"
        asked = datetime.fromisoformat(create["x-amz-object-lock-retain-until-date"])
        assert abs(asked - until) < timedelta(minutes=5)
        with pytest.raises(ObjectExistsError):
            store.put_bytes(b"{}", "manifests/c.json")
    finally:
        empty(locked, delete_bucket=not os.environ.get("TEST_S3_LOCK_BUCKET"))


def test_a_missing_bucket_is_a_clear_store_error(s3: S3Endpoint) -> None:
    store = open_store(f"s3://{s3.bucket}-missing/archive/", s3.options())

    with pytest.raises(PermanentStoreError) as raised:  # the uploader does not retry it
        store.put_bytes(b"x", "warc/c/a.warc.dat")

    assert str(raised.value) == (
        f"s3://{s3.bucket}-missing/archive/: key 'warc/c/a.warc.dat': the bucket "
        f"'{s3.bucket}-missing' does not exist (create it first: the crawler never creates buckets)"
    )


def test_an_unreachable_endpoint_is_a_store_error(s3: S3Endpoint) -> None:
    with TcpProxy(s3.url) as proxy:
        store = open_store(s3.uri, s3.options(endpoint_url=proxy.url))
        proxy.stop()

        with pytest.raises(StoreError) as raised:
            store.put_bytes(b"x", "warc/c/a.warc.dat")

    assert "Could not connect" in str(raised.value)
    assert "warc/c/a.warc.dat" in str(raised.value)


def test_credentials_never_reach_the_log_even_at_debug(
    s3: S3Endpoint,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # The chain's credentials, passed explicitly as AWS_* settings would pass them.
    credentials = boto3.session.Session().get_credentials().get_frozen_credentials()
    secret, key_id = credentials.secret_key, credentials.access_key
    options = s3.options(
        access_key_id=key_id, secret_access_key=secret, session_token=credentials.token
    )
    caplog.set_level(logging.DEBUG)

    store = open_store(s3.uri, options)
    store.put_bytes(b"x", "warc/c/a.warc.dat")
    with store.get("warc/c/a.warc.dat") as stream:
        stream.read()

    assert secret not in caplog.text
    assert key_id not in caplog.text
    assert not [
        r
        for r in caplog.records
        if r.name.startswith(("botocore", "boto3", "urllib3")) and r.levelno < logging.INFO
    ]
    assert secret not in repr(options) and secret not in repr(store)
