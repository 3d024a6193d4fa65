"""Orphaned multipart uploads: a CreateMultipartUpload whose answer was lost (or a retry's earlier
attempt) leaves an incomplete upload of the key behind; once the key is stored, by this upload or
an earlier one, S3Store aborts every incomplete upload of exactly that key, and of no other."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest

from pipelines.storage import ObjectExistsError, open_store
from tests.servers.s3 import S3Endpoint

MIB = 1024 * 1024
KEY = "warc/c/a.warc.dat"


def uploads(s3: S3Endpoint) -> list[tuple[str, str]]:
    """(key, upload id) of every incomplete multipart upload in the bucket."""
    answer: dict[str, Any] = s3.client().list_multipart_uploads(Bucket=s3.bucket)
    return [(u["Key"][len(s3.prefix) :], u["UploadId"]) for u in answer.get("Uploads", [])]


def orphan(s3: S3Endpoint, key: str) -> str:
    """What a lost CreateMultipartUpload answer leaves: an upload nobody will complete."""
    upload: str = s3.client().create_multipart_upload(Bucket=s3.bucket, Key=s3.prefix + key)[
        "UploadId"
    ]
    return upload


@pytest.fixture
def big_file(tmp_path: Path) -> Path:
    path = tmp_path / "big.dat"
    path.write_bytes(random.Random(17).randbytes(6 * MIB))  # two parts of 5 MiB at most
    return path


def test_a_stored_key_leaves_no_incomplete_upload_of_it(s3: S3Endpoint, big_file: Path) -> None:
    orphans = {orphan(s3, KEY), orphan(s3, KEY)}
    other = orphan(s3, KEY + ".cdxj")  # shares the key as a prefix: not the same key
    assert len(uploads(s3)) == 3
    store = open_store(s3.uri, s3.options(multipart_threshold=5 * MIB, multipart_chunksize=5 * MIB))

    stored = store.put_file(big_file, KEY)

    assert stored.size == 6 * MIB and s3.read(KEY) == big_file.read_bytes()
    assert uploads(s3) == [(KEY + ".cdxj", other)]
    assert orphans.isdisjoint(upload for _, upload in uploads(s3))


def test_a_retry_that_finds_the_key_stored_aborts_the_orphan(
    s3: S3Endpoint, big_file: Path
) -> None:
    store = open_store(s3.uri, s3.options(multipart_threshold=5 * MIB, multipart_chunksize=5 * MIB))
    store.put_file(big_file, KEY)
    orphan(s3, KEY)  # an attempt whose answer was lost, after another one stored the key

    with pytest.raises(ObjectExistsError):
        store.put_file(big_file, KEY)

    assert uploads(s3) == []
