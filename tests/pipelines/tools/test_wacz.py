"""`scrapy wacz`: one crawl as a WACZ 1.1.1 file that py-wacz's `wacz validate` accepts, whose
index points at the records inside it, and whose datapackage fixes every file's SHA-256."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import shutil
import struct
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from tests.conftest import ArchivedCrawl
from tests.tools import run_tool
from tests.warcs import read_records

ROOT = Path(__file__).resolve().parents[3]


def wacz(archive: Path, crawl_id: str, output: Path) -> subprocess.CompletedProcess[str]:
    command = [
        sys.executable,
        "-m",
        "scrapy",
        "wacz",
        str(archive),
        "--crawl",
        crawl_id,
        "-o",
        str(output),
        "-L",
        "WARNING",
    ]
    return subprocess.run(
        command,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "SCRAPY_SETTINGS_MODULE": "settings.base"},
    )


@pytest.fixture(scope="module")
def package(archived_crawl: ArchivedCrawl, tmp_path_factory: pytest.TempPathFactory) -> Path:
    output = tmp_path_factory.mktemp("wacz") / "crawl.wacz"
    result = wacz(archived_crawl.root, archived_crawl.crawl_id, output)
    assert result.returncode == 0, result.stdout + result.stderr
    return output


def validate(path: Path) -> subprocess.CompletedProcess[str]:
    return run_tool("wacz", "validate", "-f", str(path))


def test_py_wacz_validates_it(package: Path) -> None:
    result = validate(package)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Version detected as 1.1.1" in result.stdout
    assert "Validation succeeded, the passed WACZ is valid" in result.stdout


def test_a_tampered_package_fails_validation(package: Path, tmp_path: Path) -> None:
    tampered = tmp_path / "tampered.wacz"
    with zipfile.ZipFile(package) as source, zipfile.ZipFile(tampered, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "pages/pages.jsonl":
                data += b'{"url": "http://127.0.0.1/x", "ts": "2022-10-12T00:00:00Z"}\n'
            target.writestr(info, data)
    result = validate(tampered)
    assert result.returncode == 1
    assert "Validation failed, the passed WACZ is invalid" in result.stdout
    assert "pages.jsonl" in result.stdout  # frictionless found its size and hash changed


def test_layout_and_compression(package: Path, archived_crawl: ArchivedCrawl) -> None:
    with zipfile.ZipFile(package) as zf:
        infos = {info.filename: info for info in zf.infolist()}
    warcs = {f"archive/{path.name}" for path in archived_crawl.warcs}
    assert set(infos) == warcs | {
        "indexes/index.cdx.gz",
        "indexes/index.idx",
        "pages/pages.jsonl",
        "datapackage.json",
        "datapackage-digest.json",
    }
    for name in [*warcs, "indexes/index.cdx.gz"]:  # range-readable: stored, not deflated
        assert infos[name].compress_type == zipfile.ZIP_STORED
    for path in archived_crawl.warcs:
        with zipfile.ZipFile(package) as zf:
            assert zf.read(f"archive/{path.name}") == path.read_bytes()


def test_datapackage_fixes_every_file(package: Path) -> None:
    with zipfile.ZipFile(package) as zf:
        datapackage_bytes = zf.read("datapackage.json")
        datapackage = json.loads(datapackage_bytes)
        digest = json.loads(zf.read("datapackage-digest.json"))
        assert datapackage["profile"] == "data-package"
        assert datapackage["wacz_version"] == "1.1.1"
        resources = {r["path"]: r for r in datapackage["resources"]}
        listed = set(zf.namelist()) - {"datapackage.json", "datapackage-digest.json"}
        assert set(resources) == listed
        for path, resource in resources.items():
            data = zf.read(path)
            assert resource["hash"] == "sha256:" + hashlib.sha256(data).hexdigest()
            assert resource["bytes"] == len(data)
            assert resource["name"] == path.rpartition("/")[2].lower()
    assert digest == {
        "path": "datapackage.json",
        "hash": "sha256:" + hashlib.sha256(datapackage_bytes).hexdigest(),
    }


def index_lines(zf: zipfile.ZipFile) -> list[str]:
    """The CDXJ lines, read block by block through index.idx, as ReplayWeb.page reads them."""
    idx = zf.read("indexes/index.idx").decode().splitlines()
    assert idx[0].startswith('!meta 0 {"format": "cdxj-gzip-1.0"')
    blocks = zf.read("indexes/index.cdx.gz")
    lines = []
    for line in idx[1:]:
        prefix, _, data = line.partition(" {")
        where = json.loads("{" + data)
        block = blocks[where["offset"] : where["offset"] + where["length"]]
        assert where["digest"] == "sha256:" + hashlib.sha256(block).hexdigest()
        text = gzip.decompress(block).decode()
        assert text.startswith(prefix + " ")
        lines += text.splitlines()
    return lines


def test_index_points_at_the_records_inside_the_package(
    package: Path, archived_crawl: ArchivedCrawl
) -> None:
    with zipfile.ZipFile(package) as zf:
        lines = index_lines(zf)
        for line in lines:
            fields = json.loads(line.split(" ", 2)[2])
            with zf.open(f"archive/{fields['filename']}") as warc:
                warc.seek(int(fields["offset"]))
                data = warc.read(int(fields["length"]))
            record = next(iter(ArchiveIterator(io.BytesIO(data))))
            assert record.rec_headers.get_header("WARC-Target-URI") == fields["url"]
            assert record.rec_headers.get_header("WARC-Payload-Digest") == fields["digest"]
    assert lines == sorted(lines)
    stored = sorted(
        line for path in archived_crawl.indexes for line in path.read_text().splitlines()
    )
    assert lines == stored


def test_pages_are_the_html_pages_with_article_titles(
    package: Path, archived_crawl: ArchivedCrawl
) -> None:
    with zipfile.ZipFile(package) as zf:
        header, *pages = [json.loads(line) for line in zf.read("pages/pages.jsonl").splitlines()]
    assert header == {"format": "json-pages-1.0", "id": "pages", "title": "All pages"}
    assert all({"id", "url", "ts"} <= set(page) for page in pages)
    titles = {page["url"]: page.get("title") for page in pages}
    for record in read_records(archived_crawl.record_parts):
        assert titles[record["final_url"]] == record["title"]
    assert archived_crawl.base_url + "/" in titles  # the home page, a front, is a page too


def test_a_store_without_indexes_gives_the_same_index(
    package: Path, archived_crawl: ArchivedCrawl, tmp_path: Path
) -> None:
    copy = tmp_path / "archive"
    shutil.copytree(archived_crawl.root, copy)
    shutil.rmtree(copy / "indexes")
    rebuilt = tmp_path / "rebuilt.wacz"
    result = wacz(copy, archived_crawl.crawl_id, rebuilt)
    assert result.returncode == 0, result.stderr
    with zipfile.ZipFile(package) as first, zipfile.ZipFile(rebuilt) as second:
        assert index_lines(first) == index_lines(second)


def test_an_existing_file_is_not_overwritten(package: Path, archived_crawl: ArchivedCrawl) -> None:
    before = package.read_bytes()
    result = wacz(archived_crawl.root, archived_crawl.crawl_id, package)
    assert result.returncode == 1 and "not overwritten" in result.stderr
    assert package.read_bytes() == before


def test_every_entry_has_its_sizes_in_its_local_header(package: Path) -> None:
    # ReplayWeb.page reads a WACZ by byte ranges, starting from each entry's local header. An
    # entry streamed with its size unknown gets a ZIP64 local header (sizes 0xFFFFFFFF and an
    # extra field) that its reader mislocates: with such an index.cdx.gz, ReplayWeb.page 2.5.3
    # showed "Archived Page Not Found" for every page; written like this, it replayed them.
    raw = package.read_bytes()
    with zipfile.ZipFile(package) as zf:
        for info in zf.infolist():
            local = raw[info.header_offset : info.header_offset + 30]
            signature, _, flags, _, _, _, crc, compressed, size, _, extra = struct.unpack(
                "<IHHHHHIIIHH", local
            )
            assert signature == 0x04034B50, info.filename
            assert not flags & 0x08, info.filename  # no data descriptor: sizes are up front
            assert (crc, compressed, size) == (info.CRC, info.compress_size, info.file_size)
            assert extra == 0, info.filename
