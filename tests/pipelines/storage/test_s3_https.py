"""S3Store over HTTPS: LocalStack's S3 with its self-signed certificate given as the CA bundle
(or the TEST_S3_ENDPOINT_URL endpoint). The store contract again, and what goes over the wire:
over HTTPS botocore would frame a body it checksums itself as ``aws-chunked`` with a trailing
CRC32, but the store sends the SHA-256 it computed in a header, so that is what S3 verifies."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from pipelines.storage import Store, open_store
from tests.pipelines.storage.test_s3 import record_requests, requests_storing_two_files
from tests.servers.s3 import S3Endpoint, new_client
from tests.storage_contract import StoreContract


class TestS3StoreContractOverHttps(StoreContract):
    @pytest.fixture
    def store(self, s3_https: S3Endpoint) -> Store:
        return open_store(s3_https.uri, s3_https.options())


def test_over_https_the_store_sends_its_own_sha256_not_a_trailer(
    s3_https: S3Endpoint, tmp_path: Path
) -> None:
    assert s3_https.url.startswith("https://") or s3_https.server == "external"
    store = open_store(s3_https.uri, s3_https.options())

    seen = requests_storing_two_files(store, tmp_path)

    writes = [headers for op, headers in seen if op in ("PutObject", "UploadPart")]
    assert len(writes) == 3
    for headers in writes:
        assert "x-amz-checksum-sha256" in headers
        assert "x-amz-trailer" not in headers
        assert "aws-chunked" not in headers.get("content-encoding", "")
    # The same server takes botocore's own framing: a streamed body, a trailing CRC32.
    client = new_client(s3_https.url, verify=s3_https.verify)  # credentials from the chain
    plain: list[tuple[str, dict[str, str]]] = []
    record_requests(client, plain)
    client.put_object(Bucket=s3_https.bucket, Key=s3_https.prefix + "x", Body=io.BytesIO(b"y"))
    [(_, headers)] = [entry for entry in plain if entry[0] == "PutObject"]
    if s3_https.url.startswith("https://"):
        assert headers["x-amz-trailer"] == "x-amz-checksum-crc32"
    assert s3_https.read("x") == b"y"
