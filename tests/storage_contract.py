"""The `Store` contract, as a test mixin that every backend's test class inherits.

A concrete class defines a `store` fixture that returns a new, empty store for each test, then
inherits `StoreContract`. Only the `Store` protocol is used here, so the same tests run against
`LocalStore` and against `S3Store` on a real (moto) S3 server. The file name does not start with
`test_`, so pytest collects these tests only through the classes that inherit them.

Keys and files here hold arbitrary bytes, so they end in ``.warc.dat``, never ``.warc.gz``: the
session checks every ``*.warc.gz`` it wrote with warcio (tests/conftest.py).
"""

from __future__ import annotations

import hashlib
import random
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from pipelines.storage.base import (
    ObjectExistsError,
    ObjectMissingError,
    Store,
    StoredObject,
    StoreError,
)
from tests.storage_keys_contract import StoreKeysContract, read_object

__all__ = ["StoreContract"]

EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
# Above boto3's default 8 MiB multipart threshold, and not a whole number of chunks, so both the
# chunked local copy and S3's multipart upload see a short last part.
LARGE_SIZE = 9 * 1024 * 1024 + 7
READ_SIZE = 64 * 1024


def _sha256_of_stream(store: Store, key: str) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    with store.get(key) as stream:
        for chunk in iter(lambda: stream.read(READ_SIZE), b""):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def _assert_names_store_and_key(error: StoreError, store: Store, key: str) -> None:
    assert error.uri == store.uri
    assert error.key == key
    assert store.uri in str(error)
    assert key in str(error)


class StoreContract(StoreKeysContract):
    """What every `Store` does; the inheriting class provides the `store` fixture. The list()
    and key tests come from `StoreKeysContract` (tests/storage_keys_contract.py)."""

    def test_is_a_store_with_a_uri(self, store: Store) -> None:
        assert isinstance(store, Store)
        assert store.uri

    # --- round trips -----------------------------------------------------------------------

    def test_put_bytes_round_trip(self, store: Store) -> None:
        data = b'{"url": "https://example.com/2022/10/12/story/"}\n' * 100

        stored = store.put_bytes(data, "records/crawl-1/part-00000.jsonl")

        assert stored == StoredObject(
            key="records/crawl-1/part-00000.jsonl",
            size=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
        )
        assert read_object(store, "records/crawl-1/part-00000.jsonl") == data
        assert store.exists("records/crawl-1/part-00000.jsonl")

    def test_put_file_streams_a_multi_mib_file(self, store: Store, tmp_path: Path) -> None:
        data = random.Random(20221012).randbytes(LARGE_SIZE)
        source = tmp_path / "crawl-1.warc.dat"
        source.write_bytes(data)
        expected = hashlib.sha256(data).hexdigest()

        stored = store.put_file(source, "warc/crawl-1/crawl-1.warc.dat")

        assert stored == StoredObject("warc/crawl-1/crawl-1.warc.dat", LARGE_SIZE, expected)
        assert _sha256_of_stream(store, "warc/crawl-1/crawl-1.warc.dat") == (expected, LARGE_SIZE)

    def test_put_file_leaves_the_source_in_place(self, store: Store, tmp_path: Path) -> None:
        source = tmp_path / "part-00000.jsonl.gz"
        source.write_bytes(b"batch one")

        store.put_file(source, "records/crawl-1/part-00000.jsonl.gz")

        assert source.read_bytes() == b"batch one"

    def test_get_is_a_context_manager_that_closes_the_stream(self, store: Store) -> None:
        store.put_bytes(b"0123456789", "reports/crawl-1.json")

        with store.get("reports/crawl-1.json") as stream:
            assert stream.read(4) == b"0123"
            assert stream.read() == b"456789"
        assert stream.closed

    def test_empty_object_from_bytes(self, store: Store) -> None:
        assert store.put_bytes(b"", "indexes/crawl-1/empty.cdxj") == StoredObject(
            "indexes/crawl-1/empty.cdxj", 0, EMPTY_SHA256
        )
        assert store.exists("indexes/crawl-1/empty.cdxj")
        assert read_object(store, "indexes/crawl-1/empty.cdxj") == b""
        assert list(store.list("indexes/")) == ["indexes/crawl-1/empty.cdxj"]

    def test_empty_object_from_a_file(self, store: Store, tmp_path: Path) -> None:
        source = tmp_path / "empty"
        source.touch()

        assert store.put_file(source, "empty") == StoredObject("empty", 0, EMPTY_SHA256)
        assert read_object(store, "empty") == b""

    # --- never overwrite -------------------------------------------------------------------

    @pytest.mark.parametrize("replacement", [b"a different body", b"original body"])
    def test_put_bytes_never_overwrites(self, store: Store, replacement: bytes) -> None:
        first = store.put_bytes(b"original body", "manifests/crawl-1.json")

        with pytest.raises(ObjectExistsError) as raised:
            store.put_bytes(replacement, "manifests/crawl-1.json")

        _assert_names_store_and_key(raised.value, store, "manifests/crawl-1.json")
        assert read_object(store, "manifests/crawl-1.json") == b"original body"
        assert _sha256_of_stream(store, "manifests/crawl-1.json") == (first.sha256, first.size)

    def test_put_file_never_overwrites(self, store: Store, tmp_path: Path) -> None:
        store.put_bytes(b"original body", "warc/crawl-1/a.warc.dat")
        source = tmp_path / "a.warc.dat"
        source.write_bytes(b"a newer, longer body that must not replace the original")

        with pytest.raises(ObjectExistsError) as raised:
            store.put_file(source, "warc/crawl-1/a.warc.dat")

        _assert_names_store_and_key(raised.value, store, "warc/crawl-1/a.warc.dat")
        assert read_object(store, "warc/crawl-1/a.warc.dat") == b"original body"
        assert list(store.list()) == ["warc/crawl-1/a.warc.dat"]

    def test_put_bytes_does_not_overwrite_a_stored_file(self, store: Store, tmp_path: Path) -> None:
        source = tmp_path / "a.cdxj"
        source.write_bytes(b"from the file")
        store.put_file(source, "indexes/crawl-1/a.cdxj")

        with pytest.raises(ObjectExistsError):
            store.put_bytes(b"from bytes", "indexes/crawl-1/a.cdxj")

        assert read_object(store, "indexes/crawl-1/a.cdxj") == b"from the file"

    def test_concurrent_writers_of_one_key_exactly_one_wins(self, store: Store) -> None:
        # Bodies big enough that the two writes overlap; several keys to give the race chances.
        bodies = (b"A" * 256 * 1024, b"B" * 256 * 1024)
        for round_number in range(8):
            key = f"warc/crawl-1/race-{round_number}.warc.dat"
            start = threading.Barrier(len(bodies), timeout=30)

            def write(
                body: bytes, key: str = key, start: threading.Barrier = start
            ) -> StoredObject:
                start.wait()
                return store.put_bytes(body, key)

            with ThreadPoolExecutor(len(bodies)) as pool:
                futures = [pool.submit(write, body) for body in bodies]
                errors = [future.exception(timeout=60) for future in futures]

            winners = [body for body, error in zip(bodies, errors, strict=True) if error is None]
            assert len(winners) == 1, f"round {round_number}: {errors}"
            loser_error = next(error for error in errors if error is not None)
            assert isinstance(loser_error, ObjectExistsError), repr(loser_error)
            assert read_object(store, key) == winners[0]

    # --- missing objects and exists() -------------------------------------------------------

    def test_get_of_a_missing_key(self, store: Store) -> None:
        with pytest.raises(ObjectMissingError) as raised:
            store.get("warc/crawl-1/missing.warc.dat")

        _assert_names_store_and_key(raised.value, store, "warc/crawl-1/missing.warc.dat")

    def test_get_of_a_prefix_or_below_an_object_is_missing(self, store: Store) -> None:
        store.put_bytes(b"x", "warc/crawl-1/a.warc.dat")

        for key in ("warc", "warc/crawl-1", "warc/crawl-1/a.warc.dat/below", "warc/crawl-1/a"):
            with pytest.raises(ObjectMissingError):
                store.get(key)

    def test_store_errors_are_store_errors(self) -> None:
        assert issubclass(ObjectExistsError, StoreError)
        assert issubclass(ObjectMissingError, StoreError)

    def test_exists_only_for_whole_keys(self, store: Store) -> None:
        store.put_bytes(b"x", "warc/crawl-1/a.warc.dat")

        assert store.exists("warc/crawl-1/a.warc.dat")
        assert not store.exists("warc")
        assert not store.exists("warc/crawl-1")
        assert not store.exists("warc/crawl-1/a.warc")
        assert not store.exists("warc/crawl-1/a.warc.dat/below")
        assert not store.exists("warc/crawl-2/a.warc.dat")
