"""A re-extraction resumed after an interruption keeps the parts the first run stored when they
hold the same records, even when the compressor wrote them in other bytes (an upgrade between
the runs), and refuses a part with other records."""

from __future__ import annotations

import gzip
import hashlib
from pathlib import Path

import pytest

from pipelines.records.pipeline import RecordBatch
from pipelines.storage import LocalStore
from pipelines.tools.reextract import ReextractError, _put

RECORDS = [{"record_id": f"r{n}", "text": "Zeile " * 50 + str(n)} for n in range(20)]
KEY = "reextracted/c/set/part-00001.jsonl.gz"


def part(tmp_path: Path, records: list[dict[str, object]]) -> Path:
    batch = RecordBatch(tmp_path / "local" / "part-00001.jsonl.gz")
    for record in records:
        batch.add(record)
    return batch.close()


@pytest.fixture
def store(tmp_path: Path) -> LocalStore:
    (tmp_path / "local").mkdir()
    return LocalStore(tmp_path / "store")


def test_a_part_with_the_same_records_in_other_bytes_is_kept(
    store: LocalStore, tmp_path: Path
) -> None:
    mine = part(tmp_path, RECORDS)
    # the first run's part: the same lines, deflated by the gzip module at its default level 9
    earlier = gzip.compress(gzip.decompress(mine.read_bytes()), compresslevel=9, mtime=0)
    assert earlier != mine.read_bytes()
    stored_path = tmp_path / "earlier.gz"
    stored_path.write_bytes(earlier)
    store.put_file(stored_path, KEY)
    kept = _put(store, mine, KEY)
    assert (kept.size, kept.sha256) == (len(earlier), hashlib.sha256(earlier).hexdigest())
    with store.get(KEY) as stream:
        assert stream.read() == earlier  # the stored part is left as it is


@pytest.mark.parametrize("stored", ["other records", "torn"])
def test_a_part_with_other_records_is_refused(
    store: LocalStore, tmp_path: Path, stored: str
) -> None:
    mine = part(tmp_path, RECORDS)
    data = mine.read_bytes()
    other = gzip.compress(gzip.decompress(data)[:-10] + b"}\n", mtime=0)
    stored_path = tmp_path / "stored.gz"
    stored_path.write_bytes(other if stored == "other records" else data[: len(data) // 2])
    store.put_file(stored_path, KEY)
    with pytest.raises(ReextractError, match="exists and differs"):
        _put(store, mine, KEY)
