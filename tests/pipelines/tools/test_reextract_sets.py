"""Re-extraction and the rest of the archive: `scrapy verify` verifies a re-extraction set by its
own manifest (after a documented `scrapy reextract`, verify passes, issue 12), and reextract
skips a re-crawl's revisit records, counting them."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from pipelines.storage import LocalStore
from pipelines.tools.reextract import extractor_info, reextract, set_tag
from tests.conftest import ArchivedCrawl
from tests.pipelines.tools.test_verify_revisits import run_verify
from tests.revisit_archive import Captured, WarcFile, store_crawl
from tests.spools import local_archive
from tests.warcs import read_warc

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def with_set(archived_crawl: ArchivedCrawl, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the archived crawl's store, re-extracted into itself."""
    root = tmp_path_factory.mktemp("sets") / "archive"
    shutil.copytree(archived_crawl.root, root)
    result = reextract(LocalStore(root), archived_crawl.crawl_id, LocalStore(root))
    assert result.counts["ok"] > 0 and result.counts["revisits"] == 0
    return root


@pytest.fixture
def copy(with_set: Path, tmp_path: Path) -> Path:
    shutil.copytree(with_set, tmp_path / "archive")
    return tmp_path / "archive"


def set_folder(root: Path, crawl_id: str) -> Path:
    return root / "reextracted" / crawl_id / set_tag(extractor_info())


def test_verify_passes_after_a_reextraction(with_set: Path, archived_crawl: ArchivedCrawl) -> None:
    for crawl in (None, archived_crawl.crawl_id):
        failed, lines = run_verify(LocalStore(with_set), crawl)
        assert not failed, "\n".join(lines)
        prefix = f"reextracted/{archived_crawl.crawl_id}/{set_tag(extractor_info())}/"
        assert any(line.startswith(f"ok       {prefix}part-00001.jsonl.gz") for line in lines)
        assert "1 re-extraction set(s); 0 missing, 0 corrupt, 0 unlisted, 0 mismatch" in lines[-1]


def test_a_changed_part_of_a_set_is_corrupt(copy: Path, archived_crawl: ArchivedCrawl) -> None:
    part = set_folder(copy, archived_crawl.crawl_id) / "part-00001.jsonl.gz"
    part.write_bytes(part.read_bytes()[:-8] + b"\0" * 8)
    failed, lines = run_verify(LocalStore(copy))
    assert failed
    [line] = [line for line in lines if line.startswith("CORRUPT")]
    assert "part-00001.jsonl.gz" in line and "manifest says" in line


def test_a_set_without_its_manifest_leaves_its_parts_unlisted(
    copy: Path, archived_crawl: ArchivedCrawl
) -> None:
    (set_folder(copy, archived_crawl.crawl_id) / "manifest.json").unlink()  # interrupted
    failed, lines = run_verify(LocalStore(copy))
    assert failed
    unlisted = [line for line in lines if line.startswith("UNLISTED")]
    assert unlisted and all("/part-" in line for line in unlisted)


def test_counts_that_disagree_with_the_parts(copy: Path, archived_crawl: ArchivedCrawl) -> None:
    path = set_folder(copy, archived_crawl.crawl_id) / "manifest.json"
    manifest = json.loads(path.read_bytes())
    manifest["counts"]["ok"] += 1
    path.write_text(json.dumps(manifest))
    failed, lines = run_verify(LocalStore(copy))
    assert failed
    [line] = [line for line in lines if line.startswith("MISMATCH")]
    ok = manifest["counts"]["ok"]
    assert line.endswith(f"counts ok: manifest says {ok}, its parts hold {ok - 1}")


def test_reextract_skips_and_counts_revisits(
    archived_crawl: ArchivedCrawl, with_set: Path, tmp_path: Path
) -> None:
    """A re-crawl: two of the crawl's responses again, as revisits, in a WARC file that has no
    index (so it is read to count them); the records are those of the responses alone."""
    crawl = archived_crawl.crawl_id
    source = tmp_path / "source"
    for kind in ("warc", "indexes"):
        shutil.copytree(archived_crawl.root / kind, source / kind)
    responses = [
        r for path in archived_crawl.warcs for r in read_warc(path) if r.http_status == 200
    ][:2]
    warc = WarcFile()
    for record in responses:
        digest = record.headers["WARC-Payload-Digest"]
        original = Captured(record.uri, record.record_id, record.headers["WARC-Date"], digest)
        warc.same_payload(original, "2022-10-13T00:00:00Z")
    (source / "warc" / crawl / "newsarchive-20221013000000000-00099-host-1.warc.gz").write_bytes(
        warc.data()
    )
    result = subprocess.run(
        [sys.executable, "-m", "scrapy", "reextract", str(source), "--crawl", crawl, "-L", "ERROR"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "SCRAPY_SETTINGS_MODULE": "settings.base"},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "failed; 2 revisit records skipped\n" in result.stdout
    manifest = json.loads((set_folder(source, crawl) / "manifest.json").read_bytes())
    assert manifest["counts"]["revisits"] == 2
    assert manifest["counts"]["articles"] == manifest["counts"]["ok"] + manifest["counts"]["empty"]
    parts = sorted(set_folder(source, crawl).glob("part-*"))
    assert parts and [p.read_bytes() for p in parts] == [
        p.read_bytes() for p in sorted(set_folder(with_set, crawl).glob("part-*"))
    ]  # the same records as without the revisits


def test_a_crawl_of_revisits_only_gives_an_empty_set(tmp_path: Path) -> None:
    store = local_archive(tmp_path).store()
    first = WarcFile()
    a = first.response("http://127.0.0.1/a", b"<p>a</p>", "2022-10-12T00:00:00Z")
    store_crawl(store, tmp_path / "spool", "demo-20221012000000", [first.data()])
    second = WarcFile()
    second.not_modified(a, "2022-10-13T00:00:00Z")
    store_crawl(store, tmp_path / "spool", "demo-20221013000000", [second.data()])

    result = reextract(store, "demo-20221013000000", store)

    assert result.counts == {"articles": 0, "ok": 0, "empty": 0, "failed": 0, "revisits": 1}
    assert [obj.key.rpartition("/")[2] for obj in result.objects] == ["manifest.json"]
    failed, lines = run_verify(store)
    assert not failed, "\n".join(lines)
