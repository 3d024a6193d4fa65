"""The store preflight and store-URI errors: each way a store cannot take the archive is refused
with its own one-line message naming the store (never a credential), on a real folder (a
read-only tmpfs this test mounts) and on a real S3 server (moto: a missing bucket, an endpoint
nothing listens on, credentials whose policy refuses writes)."""

from __future__ import annotations

import contextlib
import json
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from pipelines.storage import (
    PermanentStoreError,
    StoreError,
    StoreOptions,
    StoreUnreachableError,
    open_store,
)
from tests.servers.lifecycle import free_port
from tests.servers.s3 import LOOPBACK, MOTO_CREDENTIALS, S3Endpoint, moto_server, new_client

SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYSECRETKEY"


@contextlib.contextmanager
def read_only_folder(parent: Path) -> Iterator[Path]:
    """An existing folder on a tmpfs mounted under `parent` and remounted read-only. Tests run
    as root, whom file modes do not stop; a read-only mount does. No mount, no test: it fails."""
    mount_point = parent / "read-only"
    mount_point.mkdir()
    run = ["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount_point)]
    subprocess.run(run, check=True, capture_output=True)
    try:
        folder = mount_point / "archive"
        folder.mkdir()
        subprocess.run(["mount", "-o", "remount,ro", str(mount_point)], check=True)
        yield folder
    finally:
        subprocess.run(["umount", str(mount_point)], check=True)


# --- a folder ---------------------------------------------------------------------------------


def test_a_writable_folder_passes_and_keeps_nothing(tmp_path: Path) -> None:
    store = open_store(str(tmp_path / "archive"))
    store.preflight()
    assert list((tmp_path / "archive").iterdir()) == []


def test_a_read_only_folder_is_refused(tmp_path: Path) -> None:
    with read_only_folder(tmp_path) as folder:
        store = open_store(str(folder))
        with pytest.raises(PermanentStoreError) as caught:
            store.preflight()
    assert str(caught.value) == (
        f"{folder.as_uri()}/: cannot write in the store folder: it is on a read-only file system"
    )


def test_a_folder_under_a_file_cannot_be_created(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("not a folder")
    with pytest.raises(PermanentStoreError) as caught:
        open_store(str(tmp_path / "file" / "archive"))
    assert str(caught.value) == (
        f"{(tmp_path / 'file' / 'archive').as_uri()}/: cannot create the store folder: "
        "a part of its path is a file, not a folder"
    )


def test_a_file_where_the_folder_should_be_is_named(tmp_path: Path) -> None:
    (tmp_path / "archive").write_text("not a folder")
    with pytest.raises(PermanentStoreError, match="a file of that name is in the way"):
        open_store(str(tmp_path / "archive"))


@pytest.mark.parametrize(
    "uri, shown",
    [
        (f"ftp://crawler:{SECRET}@files.example/news", "ftp://<redacted>@files.example/news"),
        ("ftp://files.example/news", "ftp://files.example/news"),
        ("s3://", "s3://"),
        (f"s3://AKIA:{SECRET}@bucket/x", "s3://<redacted>@bucket/x"),
        (f"file://crawler:{SECRET}@host/x", "file://<redacted>@host/x"),
    ],
)
def test_a_bad_uri_is_one_line_naming_it_without_credentials(uri: str, shown: str) -> None:
    with pytest.raises(StoreError) as caught:
        open_store(uri)
    message = str(caught.value)
    assert message.startswith(f"{shown}: ")
    assert SECRET not in message and "\n" not in message


# --- a bucket ---------------------------------------------------------------------------------


def test_a_writable_bucket_passes_and_keeps_nothing(s3: S3Endpoint) -> None:
    open_store(s3.uri, s3.options()).preflight()
    assert s3.list_keys() == []
    assert s3.client().list_multipart_uploads(Bucket=s3.bucket).get("Uploads", []) == []


def test_a_missing_bucket_is_named_and_permanent(s3: S3Endpoint) -> None:
    options = s3.options(access_key_id="AKIAIOSFODNN7EXAMPLE", secret_access_key=SECRET)
    store = open_store(f"s3://{s3.bucket}-missing/crawls", options)
    with pytest.raises(PermanentStoreError) as caught:
        store.preflight()
    assert str(caught.value) == (
        f"s3://{s3.bucket}-missing/crawls/: the bucket '{s3.bucket}-missing' does not exist "
        "(create it first: the crawler never creates buckets)"
    )
    assert caught.value.permanent
    # An upload into it says the same, so the uploader can stop retrying it.
    with pytest.raises(PermanentStoreError, match="does not exist"):
        store.put_bytes(b"x", "reports/c.json")


def test_an_unreachable_endpoint_is_refused_as_unreachable(s3: S3Endpoint) -> None:
    endpoint = f"http://{LOOPBACK}:{free_port()}"
    store = open_store(s3.uri, s3.options(endpoint_url=endpoint))
    with pytest.raises(StoreUnreachableError) as caught:
        store.preflight()
    message = str(caught.value)
    assert message.startswith(f"{s3.uri}: preflight failed: cannot reach S3: ")
    assert endpoint in message and not caught.value.permanent


def test_credentials_refused_writes_are_access_denied(monkeypatch: pytest.MonkeyPatch) -> None:
    # moto's IAM enforcement is switched on server-wide: a moto server of this test's own, so it
    # runs whatever endpoint the rest of the suite uses (TEST_S3_ENDPOINT_URL) and touches no other.
    for name, value in MOTO_CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    with moto_server() as url:
        bucket = "newsarchive-test-iam"
        new_client(url, MOTO_CREDENTIALS).create_bucket(Bucket=bucket)
        key = read_only_user(url)
        options = StoreOptions(
            endpoint_url=url,
            access_key_id=key["AccessKeyId"],
            secret_access_key=key["SecretAccessKey"],
        )
        with moto_auth(url), pytest.raises(PermanentStoreError) as caught:
            open_store(f"s3://{bucket}/", options).preflight()
    message = str(caught.value)
    assert message == (
        f"s3://{bucket}/: probe write failed: access denied (AccessDenied) to bucket '{bucket}': "
        "check the credentials and their policy"
    )
    assert key["SecretAccessKey"] not in message and key["AccessKeyId"] not in message


def read_only_user(url: str) -> dict[str, Any]:
    """An IAM user of moto's that may look at buckets and read objects, not write them."""
    iam = boto3.session.Session().client("iam", endpoint_url=url, region_name="us-east-1")
    name = f"read-only-{time.monotonic_ns()}"
    iam.create_user(UserName=name)
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                # moto names HeadBucket's permission s3:HeadBucket; AWS, s3:ListBucket.
                "Action": ["s3:ListBucket", "s3:HeadBucket", "s3:GetObject"],
                "Resource": "*",
            }
        ],
    }
    iam.put_user_policy(UserName=name, PolicyName="read-only", PolicyDocument=json.dumps(policy))
    key: dict[str, Any] = iam.create_access_key(UserName=name)["AccessKey"]
    return key


@contextlib.contextmanager
def moto_auth(url: str) -> Iterator[None]:
    """moto checks signatures and IAM policies inside the block (its /moto-api/reset-auth)."""

    def reset(count: bytes) -> None:
        request = urllib.request.Request(
            f"{url}/moto-api/reset-auth",
            data=count,
            method="POST",
            headers={"Content-Type": "application/octet-stream"},
        )
        with urllib.request.urlopen(request, timeout=10) as answer:
            answer.read()

    reset(b"0")
    try:
        yield
    finally:
        reset(b"inf")
