"""What a crawl leaves in the spool goes up later: `scrapy upload-pending`, on a local folder and
on S3 alike; it writes the manifest only for crawls that finished, never sends a file twice, and
leaves alone what a running crawl holds."""

from __future__ import annotations

import hashlib
import io
import json
import subprocess
import sys
from pathlib import Path

from pipelines.archive.spool import CrawlSpool
from pipelines.tools.upload_pending import upload_pending
from pipelines.tools.verify import verify
from tests.servers.demo import crawl
from tests.servers.http import HttpServer
from tests.servers.s3 import S3Endpoint, TcpProxy
from tests.spools import Archive, crawl_spool, s3_archive

ROOT = Path(__file__).resolve().parents[3]
CRAWL = "demo-20221012000000"


def run(archive: Archive, spool: Path, *, close: bool = False) -> tuple[int, str]:
    out = io.StringIO()
    left = upload_pending(archive.store(), spool, out, close_interrupted=close)
    return left, out.getvalue()


def manifest(archive: Archive, crawl: str = CRAWL) -> dict[str, object]:
    with archive.store().get(f"manifests/{crawl}.json") as stream:
        loaded: dict[str, object] = json.load(stream)
    return loaded


def test_a_finished_crawls_files_go_up_and_then_its_manifest(
    archive: Archive,
    tmp_path: Path,
) -> None:
    spool = crawl_spool(tmp_path / "spool", CRAWL, archive.store().uri)
    digests = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in spool.waiting()}

    left, out = run(archive, tmp_path / "spool")

    assert left == 0, out
    store = archive.store()
    keys = sorted(store.list())
    warcs = [f"newsarchive-2022101200000{n}000-0000{n + 1}-host-1" for n in (0, 1)]
    assert keys == sorted(
        [
            f"manifests/{CRAWL}.json",
            f"manifests/{CRAWL}.json.sha256",
            f"reports/{CRAWL}/host-1.json",
            f"records/{CRAWL}/part-00001-host-1.jsonl.gz",
            *(f"warc/{CRAWL}/{name}.warc.gz" for name in warcs),
            *(f"indexes/{CRAWL}/{name}.cdxj" for name in warcs),
            f"writers/{CRAWL}/host-1.started.json",
            f"writers/{CRAWL}/host-1.finished.json",
        ]
    )
    listed = {o["key"]: o for o in manifest(archive)["objects"]}  # type: ignore[attr-defined]
    assert set(listed) == set(keys) - {f"manifests/{CRAWL}.json", f"manifests/{CRAWL}.json.sha256"}
    for key, entry in listed.items():
        if not key.endswith(".finished.json"):  # written by upload-pending, once all is stored
            assert entry["sha256"] == digests[key.rpartition("/")[2]]
    # Counted at close, or in the file when the close was not journaled (the second WARC).
    assert [listed[k]["records"] for k in sorted(listed) if "/warc/" in f"/{k}"] == [2, 3]
    assert manifest(archive)["complete"] is True
    assert manifest(archive)["counts"] == {
        "indexes_objects": 2,
        "indexes_records": 3,
        "records_objects": 1,
        "records_records": 3,
        "reports_objects": 1,
        "warc_objects": 2,
        "warc_records": 5,
        "writers_objects": 2,
    }
    writer = manifest(archive)["writers"]["host-1"]  # type: ignore[index]
    assert writer == {**writer, "complete": True, "runs": 1, "objects": 7}
    assert not (tmp_path / "spool" / CRAWL).exists()
    assert not verify(store, None, io.StringIO()).failed


def test_an_interrupted_crawl_is_stored_but_closed_only_on_request(
    archive: Archive,
    tmp_path: Path,
) -> None:
    crawl_spool(tmp_path / "spool", CRAWL, archive.store().uri, finished=False, torn=True)

    left, out = run(archive, tmp_path / "spool")

    assert left == 0
    assert "did not finish" in out
    store = archive.store()
    assert not store.exists(f"manifests/{CRAWL}.json")
    assert len(list(store.list(f"warc/{CRAWL}/"))) == 2
    unclosed = io.StringIO()
    assert verify(store, None, unclosed).failed
    assert unclosed.getvalue().count("UNLISTED") == 6  # started marker, 2 WARCs, 2 indexes, part

    left, out = run(archive, tmp_path / "spool", close=True)

    assert left == 0
    closed = manifest(archive)
    assert closed["complete"] is False
    assert closed["torn_files_left_in_spool"] == [
        "warc/newsarchive-20221012000002000-00003-host-1.warc.gz.open"
    ]
    # The torn file is never sent, nor deleted: crash-resume may still repair it.
    assert [p.name for p in (tmp_path / "spool" / CRAWL / "warc").iterdir()] == [
        "newsarchive-20221012000002000-00003-host-1.warc.gz.open"
    ]
    assert not verify(store, None, io.StringIO()).failed


def test_a_file_the_store_already_holds_counts_as_stored(
    archive: Archive,
    tmp_path: Path,
) -> None:
    # A crash after the store took the file but before the journal said so.
    spool = crawl_spool(tmp_path / "spool", CRAWL, archive.store().uri)
    first = first_of(spool, "warc")
    archive.store().put_file(first, spool.key_of(first)[1])

    left, out = run(archive, tmp_path / "spool")

    assert left == 0, out
    assert len(manifest(archive)["objects"]) == 8  # type: ignore[arg-type]


def first_of(spool: CrawlSpool, kind: str) -> Path:
    return next(path for path in spool.waiting() if path.parent.name == kind)


def test_other_bytes_under_the_key_are_a_conflict_and_the_file_stays(
    archive: Archive,
    tmp_path: Path,
) -> None:
    spool = crawl_spool(tmp_path / "spool", CRAWL, archive.store().uri)
    first = first_of(spool, "records")
    archive.store().put_bytes(b"something else", spool.key_of(first)[1])

    left, out = run(archive, tmp_path / "spool")

    assert left == 1
    assert f"CONFLICT {first}" in out
    assert first.exists()
    assert not archive.store().exists(f"manifests/{CRAWL}.json")


def test_a_running_crawls_spool_and_another_stores_are_left_alone(
    archive: Archive,
    tmp_path: Path,
) -> None:
    running = crawl_spool(tmp_path / "spool", CRAWL, archive.store().uri, finished=False)
    crawl_spool(tmp_path / "spool", "other-20221012000000", "s3://another-bucket/")
    assert running.lock(exclusive=False)  # as a live crawl process holds it
    try:
        left, out = run(archive, tmp_path / "spool")
    finally:
        running.unlock()

    assert left == 6
    assert f"skip  {CRAWL}: a running crawl" in out
    assert "skip  other-20221012000000: its files go to s3://another-bucket/" in out
    assert list(archive.store().list()) == []


def test_the_command_line(tmp_path: Path) -> None:
    archive_dir = tmp_path / "archive"
    crawl_spool(tmp_path / "spool", CRAWL, open_local(archive_dir))

    result = scrapy("upload-pending", str(archive_dir), "-s", f"STORE_SPOOL_DIR={tmp_path}/spool")

    assert result.returncode == 0, result.stdout + result.stderr
    assert f"manifest {open_local(archive_dir)}manifests/{CRAWL}.json" in result.stdout
    assert "done: 0 file(s)" in result.stdout
    verified = scrapy("verify", str(archive_dir))
    assert verified.returncode == 0, verified.stdout
    assert verified.stdout.splitlines()[-1].startswith("OK: 8 object(s)")


def open_local(path: Path) -> str:
    return path.resolve().as_uri() + "/"


def scrapy(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "scrapy", *args],
        cwd=ROOT,
        text=True,
        capture_output=True,
        check=False,
        timeout=120,
    )


def test_a_crawl_whose_store_stays_down_leaves_its_files_for_upload_pending(
    s3: S3Endpoint,
    tmp_path: Path,
) -> None:
    log = tmp_path / "crawl.log"
    with HttpServer() as site, TcpProxy(s3.url) as proxy:
        proxy.stop()  # S3 is unreachable for the whole crawl
        result = crawl(
            site.base_url,
            s3.uri,
            CRAWL,
            log_file=log,
            capture=True,
            extra={
                "AWS_ENDPOINT_URL": proxy.url,
                "STORE_SPOOL_DIR": str(tmp_path / "spool"),
                "STORE_DRAIN_TIMEOUT": "1",
                "STORE_RETRY_INITIAL_DELAY": "0.2",
                "STORE_PREFLIGHT": "False",  # down on purpose
                "EXTRACT_WORKERS": "1",
            },
        )
    assert result.returncode == 4, result.stderr  # finished, files still in the spool
    text = log.read_text("utf-8")
    assert f"are kept in {tmp_path / 'spool' / CRAWL}" in text
    assert f"scrapy upload-pending {s3.uri}" in text
    assert s3.list_keys() == []
    waiting = CrawlSpool(tmp_path / "spool", CRAWL).waiting()
    assert waiting and waiting[-1].parent.name == "reports"  # the report goes up last

    left, out = run(s3_archive(s3), tmp_path / "spool")

    assert left == 0, out
    assert f"manifest {s3.uri}manifests/{CRAWL}.json" in out
    # and then the finished marker, which lists them all
    assert len(manifest(s3_archive(s3))["objects"]) == len(waiting) + 1  # type: ignore[arg-type]
    assert not verify(s3_archive(s3).store(), None, io.StringIO()).failed
