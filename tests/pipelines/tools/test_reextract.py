"""`scrapy reextract`: the current extractor over a crawl's WARCs, from the WARCs alone, into a
new record set that is byte-identical from run to run and equal to the crawl's own records."""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from pipelines.storage import open_store
from pipelines.tools.reextract import extractor_info, set_tag
from pipelines.warc.record import build_record, http_head, status_line
from pipelines.warc.writer import RotatingWarcWriter
from tests.conftest import ArchivedCrawl
from tests.servers.s3 import S3Endpoint
from tests.warcs import read_records

ROOT = Path(__file__).resolve().parents[3]


def reextract(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "scrapy", "reextract", *args, "-L", "WARNING"]
    environment = {**os.environ, **(env or {}), "SCRAPY_SETTINGS_MODULE": "settings.base"}
    return subprocess.run(
        command, cwd=ROOT, capture_output=True, text=True, check=False, env=environment
    )


def files(root: Path) -> dict[str, bytes]:
    paths = sorted(path for path in root.rglob("*") if path.is_file())
    return {str(path.relative_to(root)): path.read_bytes() for path in paths}


@pytest.fixture(scope="module")
def runs(archived_crawl: ArchivedCrawl, tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Two runs: one in-process reading the crawl's store; one with two worker processes reading
    a store that holds nothing but the WARC files."""
    tmp = tmp_path_factory.mktemp("reextract")
    warcs_only = tmp / "warcs-only"
    shutil.copytree(archived_crawl.root / "warc", warcs_only / "warc")
    first, second = tmp / "first", tmp / "second"
    for source, target, workers in ((archived_crawl.root, first, "1"), (warcs_only, second, "2")):
        result = reextract(
            str(source),
            "--crawl",
            archived_crawl.crawl_id,
            "--to",
            str(target),
            "--workers",
            workers,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        assert "records" in result.stdout
    return [first, second]


def records_of(run: Path) -> list[dict[str, Any]]:
    return list(read_records(sorted(run.rglob("part-*.jsonl.gz"))))


def test_two_runs_give_identical_bytes(runs: list[Path]) -> None:
    first, second = files(runs[0]), files(runs[1])
    assert first == second
    tag = set_tag(extractor_info())
    assert any(name.endswith(f"/{tag}/manifest.json") for name in first)


def test_records_equal_the_crawls_own_and_point_at_the_same_offsets(
    archived_crawl: ArchivedCrawl, runs: list[Path]
) -> None:
    original = {r["warc"]["record_id"]: r for r in read_records(archived_crawl.record_parts)}
    again = {r["warc"]["record_id"]: r for r in records_of(runs[0])}
    assert original and set(again) == set(original)
    for record_id, record in again.items():
        # The extractor is unchanged, so even record_id and extractor are equal.
        assert record == original[record_id]
        assert record["warc"]["offset"] == original[record_id]["warc"]["offset"]


def test_records_come_in_warc_order(runs: list[Path]) -> None:
    places = [(r["warc"]["filename"], r["warc"]["offset"]) for r in records_of(runs[0])]
    assert places == sorted(places)


def test_manifest_lists_the_sources_and_the_parts(
    archived_crawl: ArchivedCrawl, runs: list[Path]
) -> None:
    manifest_path = next(runs[0].rglob("manifest.json"))
    manifest = json.loads(manifest_path.read_text())
    assert manifest["crawl_id"] == archived_crawl.crawl_id
    assert manifest["extractor"] == extractor_info()
    assert manifest["counts"]["ok"] == len(records_of(runs[0]))
    sources = {s["key"]: s for s in manifest["sources"]}
    for warc in archived_crawl.warcs:
        source = sources[f"warc/{archived_crawl.crawl_id}/{warc.name}"]
        assert source["sha256"] == hashlib.sha256(warc.read_bytes()).hexdigest()
    for obj in manifest["objects"]:
        data = (runs[0] / obj["key"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == obj["sha256"] and len(data) == obj["size"]
        assert gzip.decompress(data)  # a whole gzip stream


def test_the_old_records_are_never_touched(archived_crawl: ArchivedCrawl, runs: list[Path]) -> None:
    before = files(archived_crawl.root / "records")
    result = reextract(
        str(archived_crawl.root), "--crawl", archived_crawl.crawl_id, "--to", str(runs[0])
    )
    assert result.returncode == 1
    assert "already holds the records of this extractor" in result.stderr
    assert files(archived_crawl.root / "records") == before


def test_a_crawl_without_warcs_is_an_error(tmp_path: Path) -> None:
    result = reextract(str(tmp_path), "--crawl", "nothing-20221012000000")
    assert result.returncode == 1 and "no WARC files under warc/nothing-20221012000000/" in (
        result.stderr
    )


def test_it_reads_the_warcs_from_s3(
    archived_crawl: ArchivedCrawl,
    runs: list[Path],
    s3: S3Endpoint,
    tmp_path: Path,
) -> None:
    store = open_store(s3.uri, s3.options())
    for warc in archived_crawl.warcs:
        store.put_file(warc, f"warc/{archived_crawl.crawl_id}/{warc.name}")
    target = tmp_path / "from-s3"
    result = reextract(
        s3.uri,
        "--crawl",
        archived_crawl.crawl_id,
        "--to",
        str(target),
        "-s",
        f"AWS_ENDPOINT_URL={s3.url}",
        env=s3.env,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert files(target) == files(runs[0])


def test_warcs_without_article_metadata_are_an_error(tmp_path: Path) -> None:
    folder = tmp_path / "warc" / "old-20221012000000"
    writer = RotatingWarcWriter(
        folder,
        prefix="old",
        writer_id="host-1",
        max_size=10**6,
        max_age=0,
        warcinfo=[],
        on_close=lambda closed: None,
    )
    head = http_head(status_line("HTTP/1.1", 200), [(b"Content-Type", b"text/html")])
    writer.write(
        lambda f: [
            build_record(
                "response",
                head + b"<html></html>",
                record_id=f.make_id(),
                date="2022-10-12T00:00:00Z",
                content_type="application/http; msgtype=response",
                target_uri="http://127.0.0.1/a",
                payload_offset=len(head),
            )
        ]
    )
    writer.close()
    result = reextract(str(tmp_path), "--crawl", "old-20221012000000")
    assert result.returncode == 1 and "hold no article metadata records" in result.stderr
    assert not (tmp_path / "reextracted").exists()
