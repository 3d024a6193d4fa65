"""`scrapy verify` and revisit records: every revisit's target must exist in the archive, in the
same crawl or an earlier one; a missing target, or one that is not what the revisit says, is a
problem naming the revisit."""

from __future__ import annotations

import io
from pathlib import Path

from pipelines.storage import Store
from pipelines.tools.verify import verify
from tests.revisit_archive import Captured, WarcFile, store_crawl
from tests.servers.s3 import S3Endpoint
from tests.spools import local_archive, s3_archive

FIRST, SECOND = "demo-20221012000000", "demo-20221013000000"
DAY1, DAY2 = "2022-10-12T00:00:00Z", "2022-10-13T00:00:00Z"
A, B, C = (f"http://127.0.0.1/{name}" for name in "abc")


def first_crawl(store: Store, tmp_path: Path) -> tuple[Captured, Captured]:
    warc = WarcFile()
    a = warc.response(A, b"<p>a</p>" * 40, DAY1)
    b = warc.response(B, b"<p>b</p>" * 40, DAY1)
    store_crawl(store, tmp_path / "spool", FIRST, [warc.data()])
    return a, b


def run_verify(store: Store, crawl: str | None = None) -> tuple[bool, list[str]]:
    out = io.StringIO()
    report = verify(store, crawl, out)
    return report.failed, out.getvalue().splitlines()


def revisits_of_this_and_an_earlier_crawl_pass(store: Store, tmp_path: Path) -> None:
    a, b = first_crawl(store, tmp_path)
    warc = WarcFile()
    warc.same_payload(a, DAY2)
    warc.not_modified(b, DAY2)
    c = warc.response(C, b"<p>c</p>", DAY2)
    warc.same_payload(c, "2022-10-13T00:00:05Z")
    [key] = store_crawl(store, tmp_path / "spool", SECOND, [warc.data()])

    for crawl in (None, SECOND):  # alone, the second crawl's targets are found in the first
        failed, lines = run_verify(store, crawl)
        assert not failed, "\n".join(lines)
        note = f"note     {key}  3 revisit(s), each target found (2 in other crawls' WARC files)"
        assert note in lines
        assert lines[-1].endswith("0 missing, 0 corrupt, 0 unlisted, 0 mismatch")


def test_revisits_of_this_and_an_earlier_crawl_pass(tmp_path: Path) -> None:
    revisits_of_this_and_an_earlier_crawl_pass(local_archive(tmp_path).store(), tmp_path)


def test_revisits_pass_in_s3_read_as_streams(s3: S3Endpoint, tmp_path: Path) -> None:
    revisits_of_this_and_an_earlier_crawl_pass(s3_archive(s3).store(), tmp_path)


def test_a_revisit_whose_target_is_gone_is_missing(tmp_path: Path) -> None:
    store = local_archive(tmp_path).store()
    a, _ = first_crawl(store, tmp_path)
    warc = WarcFile()
    gone = Captured(A, "<urn:uuid:00000000-0000-4000-8000-000000000000>", DAY1, a.digest)
    revisit = warc.same_payload(gone, DAY2)
    wrong_date = warc.not_modified(Captured(A, a.record_id, "2022-10-11T00:00:00Z", ""), DAY2)
    [key] = store_crawl(store, tmp_path / "spool", SECOND, [warc.data()])

    failed, lines = run_verify(store, SECOND)

    assert failed
    missing = [line for line in lines if line.startswith(f"MISSING  {key}")]
    assert len(missing) == 2, "\n".join(lines)
    assert f"revisit {revisit} of {A}: its target {gone.record_id} ({A} of {DAY1})" in missing[0]
    assert missing[0].endswith("is in no WARC file of this archive")
    assert f"revisit {wrong_date} of {A}" in missing[1]
    assert lines[-1].startswith("FAILED")
    assert lines[-1].endswith("2 missing, 0 corrupt, 0 unlisted, 0 mismatch")


def test_a_target_with_another_payload_is_a_mismatch(tmp_path: Path) -> None:
    store = local_archive(tmp_path).store()
    a, b = first_crawl(store, tmp_path)
    warc = WarcFile()
    revisit = warc.same_payload(a, DAY2, digest=b.digest)  # says it has b's payload
    [key] = store_crawl(store, tmp_path / "spool", SECOND, [warc.data()])

    failed, lines = run_verify(store)

    assert failed
    [line] = [line for line in lines if line.startswith("MISMATCH")]
    assert line.startswith(f"MISMATCH {key}  revisit {revisit} of {A}")
    assert f"has payload digest {a.digest}" in line and f"the revisit says {b.digest}" in line


def test_a_revisit_pointing_at_a_revisit_is_a_mismatch(tmp_path: Path) -> None:
    store = local_archive(tmp_path).store()
    a, _ = first_crawl(store, tmp_path)
    warc = WarcFile()
    first = warc.same_payload(a, DAY2)
    second = warc.same_payload(Captured(A, first, DAY2, a.digest), "2022-10-14T00:00:00Z")
    store_crawl(store, tmp_path / "spool", SECOND, [warc.data()])

    failed, lines = run_verify(store)

    assert failed
    [line] = [line for line in lines if line.startswith("MISSING") or line.startswith("MISMATCH")]
    # the index lists revisits as warc/revisit, never as a target: the one at DAY2 is not found
    assert f"revisit {second} of {A}" in line and "is in no WARC file" in line


def test_a_target_whose_warc_file_is_gone_is_missing(tmp_path: Path) -> None:
    store = local_archive(tmp_path).store()
    a, _ = first_crawl(store, tmp_path)
    warc = WarcFile()
    revisit = warc.same_payload(a, DAY2)
    store_crawl(store, tmp_path / "spool", SECOND, [warc.data()])
    [first_warc] = list(store.list(f"warc/{FIRST}/"))
    (tmp_path / "archive" / first_warc).unlink()  # its index still lists the target

    failed, lines = run_verify(store)

    assert failed
    assert any(line.startswith(f"MISSING  {first_warc}") for line in lines)
    assert any(f"revisit {revisit} of {A}" in line and "in no WARC file" in line for line in lines)
