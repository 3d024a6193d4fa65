"""What only a strict S3 server can fail: uploads whose bytes are not the ones hashed, conditional
writes that lose a race, and Object Lock in COMPLIANCE mode.

These run on the ``strict_s3`` fixture: LocalStack over HTTP and over HTTPS (where botocore
frames bodies differently), or the TEST_S3_ENDPOINT_URL endpoint, never on moto, which stores a
body whatever checksum it came with and would pass them by not checking.
"""

from __future__ import annotations

import hashlib
import os
import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, BinaryIO

import pytest
from botocore.exceptions import ClientError

import pipelines.storage.s3 as s3_module
from pipelines.archive.spool import ConflictError, CrawlSpool
from pipelines.storage import StoreError, open_store
from pipelines.storage.s3 import SHA256_METADATA, S3Store
from tests.servers.s3 import S3Endpoint, empty, object_lock_bucket

MIB = 1024 * 1024


def versions_of(endpoint: S3Endpoint, key: str) -> list[dict[str, Any]]:
    """Every version and delete marker of `key`: what a versioned bucket ever held there."""
    page = endpoint.client().list_object_versions(
        Bucket=endpoint.bucket, Prefix=endpoint.prefix + key
    )
    return [*page.get("Versions", []), *page.get("DeleteMarkers", [])]


def change_after_hashing(monkeypatch: pytest.MonkeyPatch, path: Path, new: bytes) -> None:
    """The store's first read of `path` (the one its SHA-256 comes from) goes as usual; then
    `path` is rewritten in place, so the open file sends `new` bytes: a file that a careless
    process changed under the uploader. Only the next read is affected."""
    real: Callable[[BinaryIO], str] = s3_module.sha256_of_stream

    def hash_then_change(stream: BinaryIO) -> str:
        digest = real(stream)
        path.write_bytes(new)  # the same inode: the store's open file now reads `new`
        monkeypatch.setattr(s3_module, "sha256_of_stream", real)
        return digest

    monkeypatch.setattr(s3_module, "sha256_of_stream", hash_then_change)


@pytest.mark.parametrize("size", [1000, 9 * MIB + 5], ids=["put", "multipart"])
def test_bytes_changed_after_hashing_are_never_stored_and_the_retry_sends_them_whole(
    strict_s3: S3Endpoint, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, size: int
) -> None:
    locked = object_lock_bucket(strict_s3)  # versioned: a version stored and removed would show
    try:
        store = open_store(locked.uri, locked.options())
        path = tmp_path / "a.warc.dat"
        path.write_bytes(random.Random(1).randbytes(size))
        changed = random.Random(2).randbytes(size)
        change_after_hashing(monkeypatch, path, changed)

        with pytest.raises(StoreError) as refused:
            store.put_file(path, "warc/c/a.warc.dat")

        if size < MIB:  # one PUT: its checksum is the hashed bytes', so the server refuses it
            assert "BadDigest" in str(refused.value)
        else:  # parts are hashed as they go: the upload is aborted before it completes
            assert "changed while it was being stored" in str(refused.value)
        assert versions_of(locked, "warc/c/a.warc.dat") == []
        assert locked.client().list_multipart_uploads(Bucket=locked.bucket).get("Uploads") in (
            None,
            [],
        )

        stored = store.put_file(path, "warc/c/a.warc.dat")  # the retry: hashed and sent anew

        assert stored.sha256 == hashlib.sha256(changed).hexdigest()
        assert locked.read("warc/c/a.warc.dat") == changed
        assert len(versions_of(locked, "warc/c/a.warc.dat")) == 1
        head = locked.client().head_object(
            Bucket=locked.bucket, Key=locked.prefix + "warc/c/a.warc.dat"
        )
        assert head["Metadata"][SHA256_METADATA] == stored.sha256
    finally:
        empty(locked, delete_bucket=not os.environ.get("TEST_S3_LOCK_BUCKET"))


def another_writer_first(store: S3Store, endpoint: S3Endpoint, key: str, body: bytes) -> None:
    """Another writer stores `key` after the store's HEAD found nothing, just before its own
    PUT goes out (botocore's before-call event): the race the conditional write settles."""

    def write(**_: Any) -> None:
        store.client.meta.events.unregister("before-call.s3.PutObject", write)
        endpoint.client().put_object(Bucket=endpoint.bucket, Key=endpoint.prefix + key, Body=body)

    store.client.meta.events.register("before-call.s3.PutObject", write)


@pytest.mark.parametrize("same", [True, False], ids=["same-bytes", "other-bytes"])
def test_a_lost_race_is_a_412_and_already_stored_only_with_the_same_digest(
    strict_s3: S3Endpoint, tmp_path: Path, same: bool
) -> None:
    store = open_store(strict_s3.uri, strict_s3.options())
    assert isinstance(store, S3Store)
    spool = CrawlSpool(tmp_path / "spool", "c")
    path = spool.kind_folder("reports") / "p.json"
    path.write_bytes(b'{"mine": true}')
    key = "reports/c/p.json"
    another_writer_first(store, strict_s3, key, path.read_bytes() if same else b'{"other": 1}')

    if same:
        entry = spool.store_file(store, path, None)
        assert (entry.key, entry.sha256) == (key, hashlib.sha256(b'{"mine": true}').hexdigest())
        assert not path.exists()
    else:
        with pytest.raises(ConflictError):
            spool.store_file(store, path, None)
        assert path.exists()  # it stays in the spool, and nothing was overwritten
        assert strict_s3.read(key) == b'{"other": 1}'
    assert [entry.key for entry in spool.stored()] == ([key] if same else [])


def test_the_412_itself(strict_s3: S3Endpoint) -> None:
    """The server's answer to a conditional PUT of an existing key, as the store sends it."""
    client = strict_s3.client()
    key = strict_s3.prefix + "manifests/c.json"
    client.put_object(Bucket=strict_s3.bucket, Key=key, Body=b"{}", IfNoneMatch="*")

    with pytest.raises(ClientError) as refused:
        client.put_object(Bucket=strict_s3.bucket, Key=key, Body=b"[]", IfNoneMatch="*")

    assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] == 412
    assert refused.value.response["Error"]["Code"] == "PreconditionFailed"
    assert strict_s3.read("manifests/c.json") == b"{}"


def test_compliance_mode_refuses_deletion_and_shortening(
    strict_s3: S3Endpoint, tmp_path: Path
) -> None:
    # A bucket of this test's own: COMPLIANCE objects outlive any cleanup for a day, so it is
    # left behind (the server started for the session goes with them).
    locked = object_lock_bucket(strict_s3)
    store = open_store(
        locked.uri, locked.options(object_lock_mode="COMPLIANCE", object_lock_days=1)
    )
    big = tmp_path / "big"
    big.write_bytes(random.Random(7).randbytes(9 * MIB))
    store.put_bytes(b"{}", "manifests/c.json")
    store.put_file(big, "warc/c/big.warc.dat")
    client = locked.client()

    for key in ("manifests/c.json", "warc/c/big.warc.dat"):
        [version] = versions_of(locked, key)
        target = {
            "Bucket": locked.bucket,
            "Key": locked.prefix + key,
            "VersionId": version["VersionId"],
        }
        head = client.head_object(**target)
        assert head["ObjectLockMode"] == "COMPLIANCE"
        until = head["ObjectLockRetainUntilDate"]
        assert until > datetime.now(UTC) + timedelta(hours=23)
        shorter = {"Mode": "COMPLIANCE", "RetainUntilDate": until - timedelta(hours=1)}
        weaker = {"Mode": "GOVERNANCE", "RetainUntilDate": until}
        for operation, arguments in (
            (client.delete_object, {"BypassGovernanceRetention": True}),
            (
                client.put_object_retention,
                {"Retention": shorter, "BypassGovernanceRetention": True},
            ),
            (client.put_object_retention, {"Retention": weaker}),
        ):
            with pytest.raises(ClientError) as refused:
                operation(**target, **arguments)
            assert refused.value.response["Error"]["Code"] == "AccessDenied"
        assert client.head_object(**target)["ObjectLockRetainUntilDate"] == until
    assert locked.read("manifests/c.json") == b"{}"
