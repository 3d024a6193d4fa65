"""`scrapy verify` checks the manifest itself, on local and S3 archives: an edit (counts,
finished_at, a settings value) is caught by the digest stored beside it, a missing digest is a
problem, and counts that disagree with the objects, an index with the WARC it indexes, or the
reports with the manifest are each a mismatch naming both numbers."""

from __future__ import annotations

import hashlib
import io
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from pipelines.archive.coordination import digest_line
from pipelines.archive.spool import CrawlSpool
from pipelines.storage import Store
from pipelines.storage.base import json_bytes
from pipelines.tools.upload_pending import upload_pending
from pipelines.tools.verify import verify
from tests.spools import Archive, crawl_spool, local_archive, overwrite

ROOT = Path(__file__).resolve().parents[3]
CRAWL = "demo-20221012000000"
MANIFEST = f"manifests/{CRAWL}.json"
DIGEST = f"{MANIFEST}.sha256"
SECOND_WARC = f"warc/{CRAWL}/newsarchive-20221012000001000-00002-host-1.warc.gz"
SECOND_INDEX = f"indexes/{CRAWL}/newsarchive-20221012000001000-00002-host-1.cdxj"
EDITS: dict[str, Callable[[dict[str, Any]], None]] = {
    "counts": lambda m: m["counts"].update(records_records=4),
    "finished_at": lambda m: m.update(finished_at="2022-10-12T00:05:00+00:00"),
    "settings": lambda m: m["settings"].update(ROBOTSTXT_OBEY=False),
}


def stored(archive: Archive, tmp_path: Path, **options: Any) -> Store:
    store = archive.store()
    crawl_spool(tmp_path / "spool", CRAWL, store.uri, **options)
    assert upload_pending(store, tmp_path / "spool", io.StringIO()) == 0
    return store


def load(store: Store, key: str = MANIFEST) -> dict[str, Any]:
    with store.get(key) as stream:
        loaded: dict[str, Any] = json.load(stream)
    return loaded


def rewrite(store: Store, manifest: dict[str, Any]) -> None:
    """The manifest and its digest replaced together, as a writer with a bug would write them."""
    overwrite(store, MANIFEST, json_bytes(manifest))
    overwrite(store, DIGEST, digest_line(manifest))


def run_verify(store: Store) -> tuple[bool, list[str]]:
    out = io.StringIO()
    return verify(store, None, out).failed, out.getvalue().splitlines()


@pytest.mark.parametrize("edit", sorted(EDITS))
def test_an_edited_manifest_is_caught_by_its_digest(
    archive: Archive, tmp_path: Path, edit: str
) -> None:
    store = stored(archive, tmp_path)
    manifest = load(store)
    EDITS[edit](manifest)
    overwrite(store, MANIFEST, json.dumps(manifest).encode())  # valid JSON, another layout

    failed, lines = run_verify(store)

    assert failed
    [line] = [line for line in lines if line.startswith(f"CORRUPT  {MANIFEST}")]
    assert "edited: its canonical form has sha256" in line and f"{DIGEST} says" in line
    if edit == "counts":
        assert (
            f"MISMATCH {MANIFEST}  counts records_records: manifest says 4, its objects list 3"
        ) in lines
    assert lines[-1].startswith("FAILED")


def test_a_missing_digest_is_a_problem(archive: Archive, tmp_path: Path) -> None:
    store = stored(archive, tmp_path)
    assert not run_verify(store)[0]
    delete(store, DIGEST)

    failed, lines = run_verify(store)

    assert failed
    assert f"MISSING  {DIGEST}  no digest of the manifest: an edit could not be told" in lines


def test_counts_that_disagree_with_the_objects_name_both_numbers(
    archive: Archive, tmp_path: Path
) -> None:
    store = stored(archive, tmp_path)
    manifest = load(store)
    manifest["counts"]["warc_records"] = 6
    rewrite(store, manifest)

    failed, lines = run_verify(store)

    assert failed
    assert f"MISMATCH {MANIFEST}  counts warc_records: manifest says 6, its objects list 5" in lines
    assert not any(line.startswith("CORRUPT") for line in lines)  # the digest agrees


def test_an_index_that_misses_a_capture_of_its_warc(archive: Archive, tmp_path: Path) -> None:
    store = stored(archive, tmp_path)
    first_line = load_bytes(store, SECOND_INDEX).splitlines(keepends=True)[0]
    overwrite(store, SECOND_INDEX, first_line)
    manifest = load(store)
    [entry] = [e for e in manifest["objects"] if e["key"] == SECOND_INDEX]
    entry.update(size=len(first_line), sha256=hashlib.sha256(first_line).hexdigest(), records=1)
    manifest["counts"]["indexes_records"] = 2
    rewrite(store, manifest)

    failed, lines = run_verify(store)

    assert failed
    assert f"MISMATCH {SECOND_INDEX}  1 lines, its WARC {SECOND_WARC} holds 2 captures" in lines


def test_reports_that_disagree_with_the_manifest(archive: Archive, tmp_path: Path) -> None:
    store = stored(archive, tmp_path, report={"records/written": 4, "warc/files": 2})

    failed, lines = run_verify(store)

    assert failed
    assert f"MISMATCH {MANIFEST}  the report(s) say 4 records written, the manifest 3" in lines


def test_reports_of_some_runs_only_are_not_compared(tmp_path: Path) -> None:
    archive = local_archive(tmp_path)
    store = archive.store()
    crawl_spool(tmp_path / "spool", CRAWL, store.uri, report={"records/written": 1})
    resumed = CrawlSpool(tmp_path / "spool", CRAWL, process="host-9")  # a run killed before
    resumed.write_info({})
    assert upload_pending(store, tmp_path / "spool", io.StringIO()) == 0

    failed, lines = run_verify(store)

    assert not failed, lines
    assert f"note     {MANIFEST}  2 run(s) and 1 readable report(s): the reports" in "\n".join(
        lines
    )


def test_the_command_line_exits_7_on_an_edited_manifest(tmp_path: Path) -> None:
    store = stored(local_archive(tmp_path), tmp_path)
    manifest = load(store)
    EDITS["settings"](manifest)
    overwrite(store, MANIFEST, json_bytes(manifest))

    result = subprocess.run(
        [sys.executable, "-m", "scrapy", "verify", str(tmp_path / "archive")],
        cwd=ROOT,
        text=True,
        capture_output=True,
        check=False,
        timeout=120,
    )

    assert result.returncode == 7, result.stdout + result.stderr
    assert f"CORRUPT  {MANIFEST}  edited" in result.stdout


def load_bytes(store: Store, key: str) -> bytes:
    with store.get(key) as stream:
        return stream.read()


def delete(store: Store, key: str) -> None:
    if hasattr(store, "root"):
        (store.root / key).unlink()
    else:
        s3: Any = store
        s3.client.delete_object(Bucket=s3.bucket, Key=s3.prefix + key)
