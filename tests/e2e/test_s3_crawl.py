"""Real crawls of the fixture site into S3 (moto and LocalStack over HTTP, LocalStack over HTTPS,
or TEST_S3_ENDPOINT_URL): read back through boto3 and warcio; an S3 outage in the middle of a
crawl; a crawl SIGKILLed between a WARC closing and its upload. Credentials reach the crawl only
through the environment."""

from __future__ import annotations

import hashlib
import io
import json
import os
import signal
import subprocess
import time
from collections import Counter
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from pipelines.tools.upload_pending import upload_pending
from pipelines.tools.verify import verify
from tests.reports import s3_report_key
from tests.servers.demo import crawl, crawl_command
from tests.servers.http import HttpServer
from tests.servers.s3 import S3Endpoint, TcpProxy
from tests.spools import s3_archive
from tests.warcs import read_records, read_warc

ROOT = Path(__file__).resolve().parents[2]
CRAWL_ID = "demo-20221012000000"
TIMEOUT = 120.0  # seconds; only reached when something is broken
# Fast retries and a long drain: the crawl waits for S3 to come back instead of giving up.
RETRY_FAST = {
    "STORE_RETRY_INITIAL_DELAY": "0.2",
    "STORE_RETRY_MAX_DELAY": "1",
    "STORE_DRAIN_TIMEOUT": str(TIMEOUT),
}
# One exchange per WARC file and a slow crawl, so that files close while the test acts.
SLOW_ROTATING = {
    "WARC_MAX_SIZE": "1024",
    "DOWNLOAD_DELAY": "0.3",
    "AUTOTHROTTLE_ENABLED": "False",
    "CONCURRENT_REQUESTS_PER_DOMAIN": "1",
    "EXTRACT_WORKERS": "1",
}


def wait_for(condition: Callable[[], bool], what: str, timeout: float = TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def start_crawl(
    site_url: str, archive_uri: str, settings: Mapping[str, str]
) -> subprocess.Popen[str]:
    """`scrapy crawl` as `tests.servers.demo.crawl` runs it, but not waited for, in a process
    group of its own so that a SIGKILL also takes its extraction workers."""
    command, env = crawl_command(site_url, archive_uri, CRAWL_ID, settings)
    return subprocess.Popen(
        command,
        cwd=ROOT,
        env=env,
        text=True,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def download(s3: S3Endpoint, key: str, folder: Path) -> Path:
    path = folder / key
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(s3.read(key))
    return path


def manifest_of(s3: S3Endpoint, crawl_id: str = CRAWL_ID) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(s3.read(f"manifests/{crawl_id}.json"))
    return loaded


def assert_verifies(s3: S3Endpoint) -> str:
    out = io.StringIO()
    report = verify(s3_archive(s3).store(), None, out)
    assert not report.failed, out.getvalue()
    return out.getvalue()


def test_a_crawl_into_s3_reads_back_whole(s3: S3Endpoint, tmp_path: Path) -> None:
    crawl_reads_back_whole(s3, tmp_path, {})


def test_a_crawl_into_s3_over_https_reads_back_whole(s3_https: S3Endpoint, tmp_path: Path) -> None:
    # The certificate reaches the crawl as AWS_CA_BUNDLE (the fixture sets it); it names
    # "localhost", where bucket names cannot be host names.
    crawl_reads_back_whole(s3_https, tmp_path, {"STORE_S3_ADDRESSING_STYLE": "path"})


def crawl_reads_back_whole(s3: S3Endpoint, tmp_path: Path, settings: dict[str, str]) -> None:
    with HttpServer(log=tmp_path / "requests.jsonl") as site:
        result = crawl(
            site.base_url,
            s3.uri,
            CRAWL_ID,
            capture=True,
            log_file=tmp_path / "crawl.log",
            extra={
                "STORE_SPOOL_DIR": str(tmp_path / "spool"),
                "AWS_ENDPOINT_URL": s3.url,
                "EXTRACT_WORKERS": "1",
                "WARC_MAX_SIZE": "40000",
                **settings,
            },
        )
        served = Counter(r.path for r in site.requests() if r.method == "GET")
    log = (tmp_path / "crawl.log").read_text("utf-8")
    assert result.returncode == 0, result.stderr + log

    manifest = manifest_of(s3)
    listed = {entry["key"]: entry for entry in manifest["objects"]}
    manifests = {f"manifests/{CRAWL_ID}.json", f"manifests/{CRAWL_ID}.json.sha256"}
    assert set(s3.list_keys()) - set(listed) == manifests
    warcs, parts = [], []
    for key, entry in listed.items():
        path = download(s3, key, tmp_path / "read-back")
        assert entry["size"] == path.stat().st_size
        assert entry["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
        (warcs if entry["kind"] == "warc" else parts if entry["kind"] == "records" else []).append(
            path
        )
    assert len(warcs) > 1  # rotated, each file uploaded as it closed
    responses = [r for path in warcs for r in read_warc(path) if r.rec_type == "response"]
    assert Counter(urlsplit(r.uri).path for r in responses) == served
    records = list(read_records(parts))
    assert len(records) == manifest["counts"]["records_records"] > 0
    warc_names = {path.name for path in warcs}
    assert {record["warc"]["filename"] for record in records} <= warc_names
    assert not (tmp_path / "spool" / CRAWL_ID).exists()
    secret = os.environ["AWS_SECRET_ACCESS_KEY"]
    for text in (log, json.dumps(manifest), s3.read(s3_report_key(s3, CRAWL_ID)).decode()):
        assert secret not in text
    assert_verifies(s3)


def test_an_s3_outage_mid_crawl_loses_nothing(s3: S3Endpoint, tmp_path: Path) -> None:
    log = tmp_path / "crawl.log"
    with HttpServer(log=tmp_path / "requests.jsonl") as site, TcpProxy(s3.url) as proxy:
        settings = {
            "AWS_ENDPOINT_URL": proxy.url,
            "STORE_SPOOL_DIR": str(tmp_path / "spool"),
            "LOG_FILE": str(log),
            **SLOW_ROTATING,
            **RETRY_FAST,
        }
        process = start_crawl(site.base_url, s3.uri, settings)
        try:
            wait_for(lambda: any(k.startswith("warc/") for k in s3.list_keys()), "a first upload")
            proxy.stop()  # S3 is unreachable from here on
            before = len(site.requests())
            wait_for(lambda: "retrying in" in log.read_text("utf-8"), "a failed upload")
            wait_for(lambda: len(site.requests()) >= before + 3, "the crawl going on")
            assert process.poll() is None
            proxy.start()
            assert process.wait(timeout=TIMEOUT) == 0, process.stderr and process.stderr.read()
        finally:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
            if process.stderr:
                process.stderr.close()
        served = Counter(r.path for r in site.requests() if r.method == "GET")

    report = json.loads(s3.read(s3_report_key(s3, CRAWL_ID)))["stats"]
    assert report["archive/store_failed/warc"] >= 1
    assert report["warc/exchanges"] == sum(served.values())
    manifest = manifest_of(s3)
    assert manifest["counts"]["warc_objects"] == report["warc/files"]
    assert not (tmp_path / "spool" / CRAWL_ID).exists()
    assert_verifies(s3)


def test_a_crawl_killed_before_its_upload_is_finished_by_the_next_run(
    s3: S3Endpoint,
    tmp_path: Path,
) -> None:
    spool = tmp_path / "spool" / CRAWL_ID
    with HttpServer() as site, TcpProxy(s3.url) as proxy:
        proxy.stop()  # uploads are impossible
        settings = {
            "AWS_ENDPOINT_URL": proxy.url,
            "STORE_SPOOL_DIR": str(tmp_path / "spool"),
            "STORE_PREFLIGHT": "False",  # the store is down on purpose: crawl into the spool
            **SLOW_ROTATING,
        }
        process = start_crawl(site.base_url, s3.uri, settings)
        try:
            wait_for(lambda: bool(list(spool.glob("warc/*.warc.gz"))), "a closed WARC file")
        finally:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=TIMEOUT)
            if process.stderr:
                process.stderr.close()
        closed = {
            p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in spool.glob("warc/*.warc.gz")
        }
        torn = sorted(p.relative_to(spool).as_posix() for p in spool.glob("*/*.open"))
        # Usually the next file is open too (torn by the kill); rotation may have been between
        # the two, so whatever the kill left open is what the manifest must name.
        assert closed and s3.list_keys() == []

        proxy.start()
        result = crawl(
            site.base_url,
            s3.uri,
            CRAWL_ID,
            capture=True,
            extra={
                "AWS_ENDPOINT_URL": proxy.url,
                "STORE_SPOOL_DIR": str(tmp_path / "spool"),
                "EXTRACT_WORKERS": "1",
            },
        )
    assert result.returncode == 0, result.stderr

    manifest = manifest_of(s3)
    listed = {entry["key"]: entry for entry in manifest["objects"]}
    for name, sha256 in closed.items():
        assert listed[f"warc/{CRAWL_ID}/{name}"]["sha256"] == sha256
        assert hashlib.sha256(s3.read(f"warc/{CRAWL_ID}/{name}")).hexdigest() == sha256
    assert manifest["torn_files_left_in_spool"] == torn
    assert_verifies(s3)


def kill_after_a_closed_warc(process: subprocess.Popen[str], spool: Path) -> list[str]:
    """SIGKILL the crawl once a WARC file has closed; the names of the closed files."""
    try:
        wait_for(lambda: bool(list(spool.glob("warc/*.warc.gz"))), "a closed WARC file")
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=TIMEOUT)
        if process.stderr:
            process.stderr.close()
    return sorted(p.name for p in spool.glob("warc/*.warc.gz"))


def test_a_killed_crawl_is_sent_by_the_next_crawls_start_and_closed_by_hand(
    s3: S3Endpoint,
    tmp_path: Path,
) -> None:
    spool = tmp_path / "spool" / CRAWL_ID
    with HttpServer() as site, TcpProxy(s3.url) as proxy:
        proxy.stop()
        process = start_crawl(
            site.base_url,
            s3.uri,
            {
                "AWS_ENDPOINT_URL": proxy.url,
                "STORE_SPOOL_DIR": str(tmp_path / "spool"),
                "STORE_PREFLIGHT": "False",  # the store is down on purpose
                **SLOW_ROTATING,
            },
        )
        closed = kill_after_a_closed_warc(process, spool)

        proxy.start()
        result = crawl(
            site.base_url,
            s3.uri,
            "demo-20221013000000",
            capture=True,
            log_file=tmp_path / "next.log",
            extra={
                "AWS_ENDPOINT_URL": proxy.url,
                "STORE_SPOOL_DIR": str(tmp_path / "spool"),
                "EXTRACT_WORKERS": "1",
            },
        )
    assert result.returncode == 0, result.stderr
    log = (tmp_path / "next.log").read_text("utf-8")
    assert f"crawl {CRAWL_ID} was interrupted" in log
    keys = s3.list_keys()
    assert {f"warc/{CRAWL_ID}/{name}" for name in closed} <= set(keys)
    assert f"manifests/{CRAWL_ID}.json" not in keys  # it never finished

    out = io.StringIO()
    assert (
        upload_pending(s3_archive(s3).store(), tmp_path / "spool", out, close_interrupted=True) == 0
    )
    assert manifest_of(s3)["complete"] is False
    assert "was interrupted" in assert_verifies(s3)
