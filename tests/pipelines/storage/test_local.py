"""LocalStore: the store contract, plus what only a directory tree can get wrong."""

from __future__ import annotations

import fcntl
import hashlib
import os
import select
import time
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import pytest

from pipelines.storage import (
    LocalStore,
    ObjectExistsError,
    StoredObject,
    StoreError,
)
from pipelines.storage.base import TEMP_PREFIX
from tests.storage_contract import StoreContract

FIFO_TIMEOUT = 30.0  # seconds; only reached when the store under test is broken


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture
def store(tmp_path: Path) -> LocalStore:
    return LocalStore(tmp_path / "archive")


class TestLocalStoreContract(StoreContract):
    pass


def _temp_files(root: Path) -> list[Path]:
    return [
        Path(directory, name)
        for directory, folders, files in os.walk(root)
        for name in [*folders, *files]
        if name.startswith(TEMP_PREFIX)
    ]


def _fill_pipe(fd: int, writer: Future[StoredObject]) -> bytes:
    """Write one byte more than the pipe holds, so the store must have started reading; return it.

    The store opens its temp file before its first read, so when this returns the temp file exists.
    """
    data = b"w" * (fcntl.fcntl(fd, fcntl.F_GETPIPE_SZ) + 1)
    pending = memoryview(data)
    deadline = time.monotonic() + FIFO_TIMEOUT
    while pending:
        if writer.done():
            writer.result()  # the write ended early: raise its error
            raise AssertionError("put_file returned before reading all of its source")
        if time.monotonic() > deadline:
            raise TimeoutError("put_file did not read its source")
        _, writable, _ = select.select([], [fd], [], 0.05)
        if writable:
            pending = pending[os.write(fd, pending) :]
    return data


@contextmanager
def put_file_in_progress(
    store: LocalStore, tmp_path: Path, key: str
) -> Iterator[tuple[Future[StoredObject], bytes]]:
    """Run `store.put_file` from a FIFO and hold it mid-write while the `with` body runs.

    Yields the write's future and the bytes sent so far. Leaving the block ends the source (EOF),
    and the write finishes with what it was sent.
    """
    fifo = tmp_path / "source.fifo"
    os.mkfifo(fifo)
    # O_RDWR (Linux): neither this open nor the store's read-only open waits for the other side.
    fd = os.open(fifo, os.O_RDWR | os.O_NONBLOCK)
    try:
        with ThreadPoolExecutor(1) as pool:
            writer = pool.submit(store.put_file, fifo, key)
            try:
                yield writer, _fill_pipe(fd, writer)
            finally:
                os.close(fd)
                fd = -1
    finally:
        if fd >= 0:
            os.close(fd)


# --- temp files ------------------------------------------------------------------------------


def test_a_write_in_progress_is_invisible(store: LocalStore, tmp_path: Path) -> None:
    key = "warc/crawl-1/a.warc.dat"

    with put_file_in_progress(store, tmp_path, key) as (writer, sent):
        temps = _temp_files(store.root)
        assert [temp.parent for temp in temps] == [store.root / "warc" / "crawl-1"]
        assert list(store.list()) == []
        assert list(store.list("warc/crawl-1/")) == []
        assert not store.exists(key)

    assert writer.result(timeout=FIFO_TIMEOUT) == StoredObject(key, len(sent), sha256(sent))
    assert list(store.list()) == [key]
    assert _temp_files(store.root) == []


def test_leftover_temp_files_are_never_listed(store: LocalStore) -> None:
    store.put_bytes(b"x", "warc/crawl-1/a.warc.dat")
    # What a crashed writer leaves behind: a temp file beside an object, a temp folder.
    (store.root / "warc" / "crawl-1" / f"{TEMP_PREFIX}0123abcd").write_bytes(b"partial")
    (store.root / f"{TEMP_PREFIX}folder" / "inner").mkdir(parents=True)
    (store.root / f"{TEMP_PREFIX}folder" / "inner" / "x").write_bytes(b"x")

    assert list(store.list()) == ["warc/crawl-1/a.warc.dat"]
    assert list(store.list("warc/crawl-1/")) == ["warc/crawl-1/a.warc.dat"]
    assert list(store.list(TEMP_PREFIX)) == []


def test_losing_a_race_leaves_no_temp_file(store: LocalStore, tmp_path: Path) -> None:
    key = "warc/crawl-1/a.warc.dat"

    with put_file_in_progress(store, tmp_path, key) as (slow_writer, _):
        # The slow write has passed its early existence check; this one gets there first.
        store.put_bytes(b"first", key)

    with pytest.raises(ObjectExistsError) as raised:
        slow_writer.result(timeout=FIFO_TIMEOUT)
    assert store.uri in str(raised.value)
    assert (store.root / "warc" / "crawl-1" / "a.warc.dat").read_bytes() == b"first"
    assert _temp_files(store.root) == []


def test_a_failed_read_leaves_no_temp_file(store: LocalStore) -> None:
    # Reading /proc/self/mem at offset 0 (never mapped) fails with EIO: a source that opens
    # but cannot be read, so the failure happens after the temp file is created.
    with pytest.raises(StoreError) as raised:
        store.put_file(Path("/proc/self/mem"), "warc/crawl-1/a.warc.dat")

    assert not isinstance(raised.value, ObjectExistsError)
    assert "write failed" in str(raised.value)
    assert store.uri in str(raised.value)
    assert "warc/crawl-1/a.warc.dat" in str(raised.value)
    assert _temp_files(store.root) == []
    assert not store.exists("warc/crawl-1/a.warc.dat")


# --- files on disk ---------------------------------------------------------------------------


def test_the_store_root_is_created(tmp_path: Path) -> None:
    root = tmp_path / "a" / "b" / "archive"

    store = LocalStore(root)

    assert root.is_dir()
    assert store.root == root.resolve()
    assert store.uri == root.resolve().as_uri() + "/"


def test_a_root_that_cannot_be_created(tmp_path: Path) -> None:
    (tmp_path / "file").write_bytes(b"x")

    with pytest.raises(StoreError) as raised:
        LocalStore(tmp_path / "file" / "archive")

    assert (tmp_path / "file" / "archive").as_uri() in str(raised.value)


def test_objects_are_plain_files_under_the_root(store: LocalStore) -> None:
    store.put_bytes(b"{}", "manifests/crawl-1.json")

    assert (store.root / "manifests" / "crawl-1.json").read_bytes() == b"{}"


def test_put_file_copies_rather_than_links(store: LocalStore, tmp_path: Path) -> None:
    source = tmp_path / "a.warc.dat"
    source.write_bytes(b"original")

    store.put_file(source, "warc/crawl-1/a.warc.dat")
    source.write_bytes(b"changed later by the caller")

    assert source.stat().st_nlink == 1
    assert (store.root / "warc" / "crawl-1" / "a.warc.dat").read_bytes() == b"original"


def test_a_key_below_an_object(store: LocalStore) -> None:
    store.put_bytes(b"x", "warc/crawl-1")

    with pytest.raises(StoreError) as raised:
        store.put_bytes(b"y", "warc/crawl-1/a.warc.dat")

    assert "parent folder of this key is an object" in str(raised.value)
    assert "warc/crawl-1/a.warc.dat" in str(raised.value)
    assert list(store.list()) == ["warc/crawl-1"]


def test_a_key_that_names_a_folder(store: LocalStore) -> None:
    store.put_bytes(b"x", "warc/crawl-1/a.warc.dat")

    with pytest.raises(StoreError) as raised:
        store.put_bytes(b"y", "warc/crawl-1")

    assert not isinstance(raised.value, ObjectExistsError)
    assert "folder" in str(raised.value)
    assert list(store.list()) == ["warc/crawl-1/a.warc.dat"]
