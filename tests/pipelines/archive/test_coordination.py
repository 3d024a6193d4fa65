"""Several writers of one crawl agree through the store alone, on a local folder and on S3: each
leaves a started and a finished marker and its own report part; the manifest is written once,
by whoever sees every writer finished (a crawl's end, `upload-pending`), listing them all."""

from __future__ import annotations

import io
import json
import threading
from pathlib import Path
from typing import Any

import pytest

from pipelines.archive import coordination
from pipelines.archive.spool import ConflictError, CrawlSpool
from pipelines.storage import Store
from pipelines.tools.upload_pending import upload_pending
from pipelines.tools.verify import verify
from tests.spools import Archive, crawl_spool

CRAWL = "shared-20221012000000"
MANIFEST = f"manifests/{CRAWL}.json"


def send(store: Store, spool_dir: Path, **options: Any) -> tuple[int, str]:
    out = io.StringIO()
    left = upload_pending(store, spool_dir, out, **options)
    return left, out.getvalue()


def manifest_of(store: Store) -> dict[str, Any]:
    with store.get(MANIFEST) as stream:
        loaded: dict[str, Any] = json.load(stream)
    return loaded


def test_the_last_writer_to_finish_writes_the_manifest_of_both(
    archive: Archive, tmp_path: Path
) -> None:
    store = archive.store()
    crawl_spool(tmp_path / "a", CRAWL, store.uri, writer="host-1")
    second = crawl_spool(tmp_path / "b", CRAWL, store.uri, writer="host-2", finished=False)
    assert send(store, tmp_path / "b")[0] == 0  # its files and started marker go up: running

    left, out = send(store, tmp_path / "a")

    assert left == 0, out
    assert "the manifest waits for the crawl's other writers" in out
    assert "CONFLICT" not in out
    assert not store.exists(MANIFEST)
    assert not (tmp_path / "a" / CRAWL).exists()  # its part is done: listed in its marker

    second.finish({"finished_at": "2022-10-12T00:20:00+00:00"}, b'{"stats": {}}\n')
    second.report_path.write_bytes(
        json.dumps({"stats": {"records/written": 3, "warc/files": 2}}).encode()
    )
    left, out = send(store, tmp_path / "b")

    assert left == 0, out
    assert f"manifest {store.uri}{MANIFEST}" in out
    manifest = manifest_of(store)
    assert sorted(manifest["writers"]) == ["host-1", "host-2"]
    assert manifest["finished_at"] == "2022-10-12T00:20:00+00:00"  # the last writer's end
    listed = {entry["key"] for entry in manifest["objects"]}
    assert set(store.list()) - listed == {MANIFEST, f"{MANIFEST}.sha256"}
    assert {k for k in listed if k.startswith("reports/")} == {
        f"reports/{CRAWL}/host-1.json",
        f"reports/{CRAWL}/host-2.json",
    }
    assert manifest["counts"]["records_records"] == 6
    assert manifest["counts"]["writers_objects"] == 4
    report = io.StringIO()
    assert not verify(store, None, report).failed, report.getvalue()


def test_two_writers_finishing_together_write_one_manifest(
    archive: Archive, tmp_path: Path
) -> None:
    store = archive.store()
    roots = [tmp_path / "a", tmp_path / "b"]
    for root, writer in zip(roots, ("host-1", "host-2"), strict=True):
        spool = crawl_spool(root, CRAWL, store.uri, writer=writer, finished=False)
        spool.announce(store)  # both started before either finishes
        spool.finish({"finished_at": "2022-10-12T00:10:00+00:00"}, b'{"stats": {}}\n')
        spool.report_path.write_bytes(b'{"stats": {"records/written": 3, "warc/files": 2}}\n')
    results: list[tuple[int, str]] = []
    barrier = threading.Barrier(2)

    def run(root: Path) -> None:
        barrier.wait()
        results.append(send(archive.store(), root))

    threads = [threading.Thread(target=run, args=(root,)) for root in roots]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert [left for left, _ in results] == [0, 0], results
    assert not any("CONFLICT" in out or "failed" in out for _, out in results), results
    assert sorted(manifest_of(store)["writers"]) == ["host-1", "host-2"]
    assert not verify(store, None, io.StringIO()).failed


def test_a_writer_that_never_finishes_holds_the_manifest_until_closed(
    archive: Archive, tmp_path: Path
) -> None:
    store = archive.store()
    crawl_spool(tmp_path / "a", CRAWL, store.uri, writer="host-1")
    running = crawl_spool(tmp_path / "b", CRAWL, store.uri, writer="host-2", finished=False)
    running.announce(store)  # as its crawl does when it starts
    assert send(store, tmp_path / "a")[0] == 0
    left, out = send(store, tmp_path / "b")  # it died: its files go up, it is not finished
    assert left == 0 and "did not finish" in out
    assert not store.exists(MANIFEST)

    left, out = send(store, tmp_path / "b", close_interrupted=True)

    assert left == 0, out
    manifest = manifest_of(store)
    assert manifest["complete"] is False
    assert manifest["writers"]["host-1"]["complete"] is True
    assert manifest["writers"]["host-2"]["complete"] is False
    assert not verify(store, None, io.StringIO()).failed


def test_a_process_cannot_join_a_crawl_that_has_its_manifest(
    archive: Archive, tmp_path: Path
) -> None:
    store = archive.store()
    crawl_spool(tmp_path / "a", CRAWL, store.uri, writer="host-1")
    assert send(store, tmp_path / "a")[0] == 0
    late = CrawlSpool(tmp_path / "b", CRAWL, process="host-3")
    late.write_info({"crawl_id": CRAWL, "store": store.uri, "started_at": "2022-10-13"})

    with pytest.raises(ConflictError, match="is complete"):
        late.announce(store)

    left, out = send(store, tmp_path / "b")
    assert left == 1 and f"CONFLICT {late.folder}" in out
    assert not store.exists(coordination.started_key(CRAWL, "host-3"))


def test_the_manifest_is_a_function_of_the_markers(archive: Archive, tmp_path: Path) -> None:
    store = archive.store()
    crawl_spool(tmp_path / "a", CRAWL, store.uri, writer="host-1")
    assert send(store, tmp_path / "a")[0] == 0
    with store.get(MANIFEST) as stream:
        first = stream.read()

    again = coordination.write_manifest(store, CRAWL)  # a second writer that saw the same

    assert again == coordination.Outcome(MANIFEST, [])
    with store.get(MANIFEST) as stream:
        assert stream.read() == first
    with store.get(f"{MANIFEST}.sha256") as stream:
        digest = stream.read().decode()
    assert digest == f"{coordination.manifest_digest(json.loads(first))}  {CRAWL}.json\n"
