"""`scrapy crawl` refuses a store that cannot take the archive before its first request: one
``error:`` line, exit status 2, and the site's request log empty (not even robots.txt). Real
crawl processes against the fixture site; the store is a read-only tmpfs this test mounts, a
bucket missing from a real S3 server (moto), and a loopback port nothing listens on."""

from __future__ import annotations

import socket
import subprocess
from collections.abc import Mapping
from pathlib import Path

from tests.pipelines.storage.test_preflight import read_only_folder
from tests.servers.demo import crawl
from tests.servers.http import HttpServer
from tests.servers.s3 import LOOPBACK, S3Endpoint

CRAWL_ID = "demo-20221014000000"


def refused_crawl(
    tmp_path: Path, archive_uri: str, extra: Mapping[str, str] | None = None
) -> tuple[subprocess.CompletedProcess[str], list[str]]:
    """A crawl of the fixture site into `archive_uri`; its result and the paths it requested."""
    with HttpServer(log=tmp_path / "requests.jsonl") as site:
        result = crawl(
            site.base_url,
            archive_uri,
            CRAWL_ID,
            capture=True,
            extra={"STORE_SPOOL_DIR": str(tmp_path / "spool"), **(extra or {})},
        )
    return result, site.paths()


def error_line(result: subprocess.CompletedProcess[str]) -> str:
    """The one `error:` line the refusal printed; no traceback around it."""
    assert result.returncode == 2, result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, result.stderr
    assert "Traceback" not in result.stderr and "exception" not in result.stderr.lower()
    return errors[0]


def test_a_read_only_folder_is_refused_before_any_request(tmp_path: Path) -> None:
    with read_only_folder(tmp_path) as folder:
        result, requested = refused_crawl(tmp_path, str(folder))
    assert error_line(result) == (
        f"error: store {folder.as_uri()}/: cannot write in the store folder: "
        "it is on a read-only file system"
    )
    assert requested == []
    assert not (tmp_path / "spool").exists()


def test_a_missing_bucket_is_refused_before_any_request(s3: S3Endpoint, tmp_path: Path) -> None:
    missing = f"{s3.bucket}-missing"
    result, requested = refused_crawl(
        tmp_path, f"s3://{missing}/crawls", {"AWS_ENDPOINT_URL": s3.url}
    )
    assert error_line(result) == (
        f"error: store s3://{missing}/crawls/: the bucket '{missing}' does not exist "
        "(create it first: the crawler never creates buckets)"
    )
    assert requested == []
    secret = s3.env.get("AWS_SECRET_ACCESS_KEY")
    assert not secret or secret not in result.stderr


def test_an_unreachable_endpoint_is_refused_before_any_request(
    s3: S3Endpoint, tmp_path: Path
) -> None:
    with socket.create_server((LOOPBACK, 0)) as probe:
        endpoint = f"http://{LOOPBACK}:{probe.getsockname()[1]}"  # closed: nothing listens
    result, requested = refused_crawl(tmp_path, s3.uri, {"AWS_ENDPOINT_URL": endpoint})
    line = error_line(result)
    assert line.startswith(f"error: store {s3.uri}: preflight failed: cannot reach S3: ")
    assert endpoint in line
    assert requested == []
