"""`scrapy wacz` of a re-crawl: the records of earlier crawls that its revisits point at go into
the package, byte for byte, so that it validates and replays on its own (pywb serves the original
body for the revisited page from the package's files alone)."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from pipelines.storage import Store
from tests.pipelines.tools.test_wacz import index_lines, validate, wacz
from tests.revisit_archive import Captured, WarcFile, store_crawl
from tests.spools import local_archive
from tests.warcs import read_warc
from tests.wayback import get, wayback

FIRST, SECOND = "demo-20221012000000", "demo-20221013000000"
DAY1, DAY2 = "2022-10-12T00:00:00Z", "2022-10-13T00:00:00Z"
A, B, C = (f"http://127.0.0.1/{name}" for name in ("a", "b", "c"))
BODY_A = b"<html><head><title>A</title></head><body><p>The original text of A.</p></body></html>"
ORIGINALS = f"archive/originals-{SECOND}.warc.gz"


def member(store: Store, key: str, record_id: str) -> bytes:
    """The gzip member of the record `record_id` in a stored WARC file, as stored."""
    path = Path(store.uri.removeprefix("file://")) / key
    [record] = [r for r in read_warc(path) if r.record_id == record_id]
    return path.read_bytes()[record.offset : record.offset + record.length]


def recrawl(tmp_path: Path, gone: bool = False) -> tuple[Path, Captured, Captured]:
    """Two crawls; the second revisits A (same payload) and B (304) of the first, and C of
    its own."""
    store = local_archive(tmp_path).store()
    first = WarcFile()
    a = first.response(A, BODY_A, DAY1)
    b = first.response(B, b"<html><body><p>B</p></body></html>", DAY1)
    store_crawl(store, tmp_path / "spool", FIRST, [first.data()])
    second = WarcFile()
    second.same_payload(
        a, DAY2, refers_to="<urn:uuid:00000000-0000-4000-8000-0000000000aa>" if gone else None
    )
    second.not_modified(b, DAY2)
    c = second.response(C, b"<html><body><p>C</p></body></html>", DAY2)
    second.same_payload(c, "2022-10-13T00:00:05Z")
    store_crawl(store, tmp_path / "spool", SECOND, [second.data()])
    return tmp_path / "archive", a, b


@pytest.fixture(scope="module")
def package(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Captured, Captured]:
    tmp = tmp_path_factory.mktemp("wacz-revisits")
    root, a, b = recrawl(tmp)
    output = tmp / "second.wacz"
    result = wacz(root, SECOND, output)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 record(s) of earlier crawls" in result.stdout
    return output, root, a, b


def test_it_validates(package: tuple[Path, Path, Captured, Captured]) -> None:
    result = validate(package[0])
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Validation succeeded" in result.stdout


def test_the_originals_are_copied_byte_for_byte(
    package: tuple[Path, Path, Captured, Captured],
) -> None:
    output, root, a, b = package
    store = local_archive(root.parent).store()
    [first_warc] = [key for key in store.list(f"warc/{FIRST}/")]
    with zipfile.ZipFile(output) as zf:
        names = set(zf.namelist())
        copied = zf.read(ORIGINALS)
        lines = index_lines(zf)
        pages = zf.read("pages/pages.jsonl").decode()
    # A and B, in their file order; C's revisit points inside the crawl, which is packaged whole
    assert copied == member(store, first_warc, a.record_id) + member(store, first_warc, b.record_id)
    assert sum(name.startswith("archive/") for name in names) == 2
    originals = [line for line in lines if f'"filename": "originals-{SECOND}.warc.gz"' in line]
    assert len(originals) == 2
    # the revisited pages are pages of this crawl, at its time; the originals are not
    listed = sorted((page["url"], page["ts"]) for page in map(json.loads, pages.splitlines()[1:]))
    day2 = "2022-10-13T00:00:00Z"
    assert listed == [(A, day2), (B, day2), (C, day2), (C, "2022-10-13T00:00:05Z")]


def test_pywb_replays_the_revisit_from_the_package_alone(
    package: tuple[Path, Path, Captured, Captured], tmp_path: Path
) -> None:
    output, *_ = package
    folder = tmp_path / "unpacked"
    with zipfile.ZipFile(output) as zf:
        warcs = [name for name in zf.namelist() if name.startswith("archive/")]
        zf.extractall(folder, warcs)
    with wayback(tmp_path, "pkg", sorted(folder.glob("archive/*.warc.gz"))) as port:
        status, body = get(port, f"/pkg/20221013000000id_/{A}")
    assert status == 200
    assert body == BODY_A


def test_a_revisit_without_its_original_stops_the_package(tmp_path: Path) -> None:
    root, _, _ = recrawl(tmp_path, gone=True)
    output = tmp_path / "second.wacz"
    result = wacz(root, SECOND, output)
    assert result.returncode == 1
    assert "is in no WARC file of" in result.stderr and f"of {A}" in result.stderr
    assert not output.exists() and not output.with_name("second.wacz.part").exists()
