"""`scrapy verify` on local and S3 archives: a sound archive passes; changed bytes, deleted and
unlisted objects are each reported and fail it; memory stays flat for large objects."""

from __future__ import annotations

import io
import subprocess
import sys
import tracemalloc
from pathlib import Path

from pipelines.archive.spool import CrawlSpool
from pipelines.storage import LocalStore, Store
from pipelines.tools.upload_pending import upload_pending
from pipelines.tools.verify import verify
from pipelines.warc.cdxj import index_warc, write_index
from tests.servers.s3 import S3Endpoint
from tests.spools import Archive, crawl_spool, records_part, s3_archive, warc_bytes

ROOT = Path(__file__).resolve().parents[3]
CRAWL = "demo-20221012000000"
OTHER = "demo-20221013000000"
FIRST_WARC = f"warc/{CRAWL}/newsarchive-20221012000000000-00001-host-1.warc.gz"
PART = f"records/{CRAWL}/part-00001-host-1.jsonl.gz"


def archive_crawls(archive: Archive, tmp_path: Path, *crawls: str) -> Store:
    """Crawls stored with their manifests, as a crawl (or upload-pending) leaves them."""
    store = archive.store()
    for crawl in crawls:
        crawl_spool(tmp_path / "spool", crawl, store.uri)
    assert upload_pending(store, tmp_path / "spool", io.StringIO()) == 0
    return store


def run_verify(store: Store, crawl: str | None = None) -> tuple[bool, list[str]]:
    out = io.StringIO()
    report = verify(store, crawl, out)
    return report.failed, out.getvalue().splitlines()


def test_a_sound_archive_passes(archive: Archive, tmp_path: Path) -> None:
    store = archive_crawls(archive, tmp_path, CRAWL)

    failed, lines = run_verify(store)

    assert not failed
    assert lines[0] == f"verifying {store.uri}"
    assert f"ok       {FIRST_WARC}" in "\n".join(lines)
    assert any(
        line.startswith(f"ok       {FIRST_WARC}") and "2 records, digests ok" in line
        for line in lines
    )
    assert any(line.startswith(f"ok       {PART}") and "3 records" in line for line in lines)
    assert lines[-1].startswith("OK: 8 object(s)")
    assert lines[-1].endswith("0 missing, 0 corrupt, 0 unlisted, 0 mismatch")


def test_changed_bytes_put_directly_into_s3_are_caught(
    s3: S3Endpoint,
    tmp_path: Path,
) -> None:
    store = archive_crawls(s3_archive(s3), tmp_path, CRAWL)
    # Same length, valid gzip, valid WARC structure: only the digests can tell.
    damaged = warc_bytes(
        {"http://127.0.0.1/a": b"<p>first</p>" * 50},
        tamper=lambda raw: raw.replace(b"first", b"FIRST"),
    )
    s3.client().put_object(Bucket=s3.bucket, Key=s3.prefix + FIRST_WARC, Body=damaged)

    failed, lines = run_verify(store)

    assert failed
    [line] = [line for line in lines if FIRST_WARC in line]
    assert line.startswith(f"CORRUPT  {FIRST_WARC}")
    assert "manifest says" in line
    assert "block digest failed" in line
    assert lines[-1].startswith("FAILED")
    assert lines[-1].endswith("0 missing, 1 corrupt, 0 unlisted, 0 mismatch")


def test_a_changed_record_part_is_caught(archive: Archive, tmp_path: Path) -> None:
    store = archive_crawls(archive, tmp_path, CRAWL)
    replace_object(archive, store, PART, records_part(2))

    failed, lines = run_verify(store)

    assert failed
    [line] = [line for line in lines if PART in line]
    assert line.startswith(f"CORRUPT  {PART}")
    assert "2 records, manifest says 3" in line


def test_a_deleted_object_is_missing(archive: Archive, tmp_path: Path) -> None:
    store = archive_crawls(archive, tmp_path, CRAWL)
    delete_object(archive, store, FIRST_WARC)

    failed, lines = run_verify(store)

    assert failed
    assert f"MISSING  {FIRST_WARC}  listed in the manifest, not in the store" in lines
    assert lines[-1].endswith("1 missing, 0 corrupt, 0 unlisted, 0 mismatch")


def test_an_object_no_manifest_lists_is_reported(
    archive: Archive,
    tmp_path: Path,
) -> None:
    store = archive_crawls(archive, tmp_path, CRAWL)
    store.put_bytes(b"stray", f"records/{CRAWL}/part-99999-elsewhere.jsonl.gz")

    failed, lines = run_verify(store)

    assert failed
    assert f"UNLISTED records/{CRAWL}/part-99999-elsewhere.jsonl.gz  in no manifest" in lines


def test_one_crawl_at_a_time(archive: Archive, tmp_path: Path) -> None:
    store = archive_crawls(archive, tmp_path, CRAWL, OTHER)
    delete_object(archive, store, FIRST_WARC)

    assert not run_verify(store, OTHER)[0]
    failed, lines = run_verify(store, CRAWL)
    assert failed and lines[-1].startswith("FAILED: 7 object(s)")
    failed, lines = run_verify(store, "demo-20200101000000")
    assert failed
    assert "MISSING  manifests/demo-20200101000000.json  no such manifest" in lines


def test_memory_stays_flat_for_a_large_object(tmp_path: Path) -> None:
    body = b"".join(f"<p>paragraph {n}</p>\n".encode() for n in range(2_500_000))  # ~50 MB
    spool = CrawlSpool(tmp_path / "spool", CRAWL)
    store = LocalStore(tmp_path / "archive")
    spool.write_info({"crawl_id": CRAWL, "store": store.uri})
    big = spool.kind_folder("warc") / "big.warc.gz"
    big.write_bytes(warc_bytes({"http://127.0.0.1/big": body}))
    spool.note_closed(big, "warc", 2)
    index = spool.kind_folder("indexes") / "big.cdxj"
    with open(big, "rb") as stream:
        spool.note_closed(index, "indexes", write_index(index, index_warc(stream, big.name)))
    spool.finish({"finished_at": "2022-10-12T00:10:00+00:00"}, b'{"stats": {"warc/files": 1}}')
    del body
    assert upload_pending(store, tmp_path / "spool", io.StringIO()) == 0
    stored = (tmp_path / "archive" / "warc" / CRAWL / "big.warc.gz").stat().st_size

    tracemalloc.start()
    try:
        failed, lines = run_verify(store)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert not failed, lines
    assert any("2 records, digests ok" in line for line in lines)
    assert stored > 4 * 1024 * 1024
    assert peak < 8 * 1024 * 1024, f"peak {peak:,} bytes to verify {stored:,} compressed bytes"


def test_the_command_line_on_s3_exits_non_zero_on_a_problem(
    s3: S3Endpoint,
    tmp_path: Path,
) -> None:
    target = s3_archive(s3)
    store = archive_crawls(target, tmp_path, CRAWL)
    endpoint = ["-s", f"AWS_ENDPOINT_URL={s3.url}"]

    sound = scrapy("verify", store.uri, *endpoint)
    s3.client().delete_object(Bucket=s3.bucket, Key=s3.prefix + PART)
    damaged = scrapy("verify", store.uri, "--crawl", CRAWL, *endpoint)
    unreachable = scrapy("verify", store.uri, "-s", "AWS_ENDPOINT_URL=http://127.0.0.1:9")

    assert sound.returncode == 0, sound.stdout + sound.stderr
    assert damaged.returncode == 7, damaged.stdout + damaged.stderr  # a problem, not a crash
    assert f"MISSING  {PART}" in damaged.stdout
    assert unreachable.returncode != 0
    assert "FAILED" in unreachable.stdout or "error" in unreachable.stderr


def test_a_folder_that_is_no_archive_is_an_error_not_ok(tmp_path: Path) -> None:
    assert verify(LocalStore(tmp_path / "empty"), None, io.StringIO()).failed  # no manifest
    missing = scrapy("verify", str(tmp_path / "no-such-archive"))
    assert missing.returncode == 2 and "no archive folder here" in missing.stderr
    assert not (tmp_path / "no-such-archive").exists()  # verify creates nothing


def scrapy(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "scrapy", *args],
        cwd=ROOT,
        text=True,
        capture_output=True,
        check=False,
        timeout=180,
    )


def replace_object(archive: Archive, store: Store, key: str, data: bytes) -> None:
    """Change an object behind the store's back (the store itself never overwrites)."""
    if isinstance(store, LocalStore):
        (store.root / key).write_bytes(data)
    else:
        store.client.put_object(Bucket=store.bucket, Key=store.prefix + key, Body=data)  # type: ignore[attr-defined]


def delete_object(archive: Archive, store: Store, key: str) -> None:
    if isinstance(store, LocalStore):
        (store.root / key).unlink()
    else:
        store.client.delete_object(Bucket=store.bucket, Key=store.prefix + key)  # type: ignore[attr-defined]
