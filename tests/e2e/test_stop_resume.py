"""A stop is a pause: a crawl run with JOBDIR and stopped by one SIGINT or one SIGTERM closes its
files, writes no manifest, exits 3 and says how to resume; the same command then finishes it, and
every page of the site is accounted for (the site's request log, the WARC response records, the
clean records, the CDXJ indexes, the manifest, ``verify`` and ``warcio check``). A second crawl
on a JOBDIR that a live crawl holds is refused before it sends any request.

The helpers here serve tests/e2e/test_write_failure.py too.
"""

from __future__ import annotations

import io
import json
import signal
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

from pipelines.archive.identity import RESUME_FILE
from pipelines.storage.local import LocalStore
from pipelines.tools.verify import verify
from pipelines.warc import cdxj
from tests.jobdir_crawl import start, wait
from tests.resume_site import article_path, generate
from tests.servers.http import HttpServer
from tests.warcs import read_records, read_warc, warcio_check

ARTICLES = 200
PAGES = {"/", "/robots.txt", *(article_path(n) for n in range(ARTICLES))}
STOPPED, COMPLETE = 3, 0


def served(site: HttpServer, count: int) -> Callable[[], bool]:
    return lambda: len(site.requests()) >= count


def crawl_id_of(tmp: Path) -> str:
    crawl_id: str = json.loads((tmp / "job" / RESUME_FILE).read_text())["crawl_id"]
    return crawl_id


def assert_paused(tmp: Path, log: Path) -> None:
    """Stopped: no manifest and no report stored, and one line that says how to resume."""
    crawl_id = crawl_id_of(tmp)
    archive = tmp / "archive"
    assert not (archive / "manifests" / f"{crawl_id}.json").exists()
    assert not (archive / "reports" / f"{crawl_id}.json").exists()
    text = log.read_text("utf-8")
    assert f"crawl {crawl_id} stopped before its end" in text, text[-3000:]
    assert f"with the same JOBDIR ({tmp / 'job'})" in text


def account(tmp: Path, fetched: Counter[str], *, refetched: bool = False) -> None:
    """Every page once in the WARCs and in the indexes, every article one record, the manifest
    complete and true, verify and warcio check pass. Each page was fetched once, or (after a
    failed write) at least once."""
    crawl_id = crawl_id_of(tmp)
    archive = tmp / "archive"
    manifest = json.loads((archive / "manifests" / f"{crawl_id}.json").read_text())
    assert manifest["complete"] is True
    assert set(fetched) == PAGES, set(fetched) ^ PAGES  # nothing skipped
    if not refetched:
        assert fetched == Counter(PAGES)  # nothing fetched twice
    warcs = sorted((archive / "warc" / crawl_id).glob("*.warc.gz"))
    listed = {o["key"].rpartition("/")[2] for o in manifest["objects"] if o["kind"] == "warc"}
    assert listed == {path.name for path in warcs}
    warcio_check(warcs)
    responses: Counter[str] = Counter()
    for path in warcs:
        captures = [r for r in read_warc(path) if r.rec_type == "response"]
        responses.update(urlsplit(record.uri).path for record in captures)
        index = archive / "indexes" / crawl_id / cdxj.index_name(path.name)
        assert len(index.read_text("utf-8").splitlines()) == len(captures), index
    assert responses == Counter(PAGES)  # every page archived, and once
    records = list(read_records(sorted((archive / "records" / crawl_id).glob("*.jsonl.gz"))))
    assert Counter(urlsplit(r["url"]).path for r in records) == Counter(
        article_path(n) for n in range(ARTICLES)
    )
    assert len({record["record_id"] for record in records}) == ARTICLES
    assert manifest["counts"]["records_records"] == ARTICLES
    out = io.StringIO()
    assert not verify(LocalStore(archive), crawl_id, out).failed, out.getvalue()
    assert not list(tmp.glob("spool*/**/*.open"))


def fetched_paths(site: HttpServer) -> Counter[str]:
    return Counter(urlsplit(r.path).path for r in site.requests() if r.method == "GET")


def test_one_sigint_pauses_the_crawl_and_the_same_command_finishes_it(tmp_path: Path) -> None:
    logs = [tmp_path / "crawl-0.log", tmp_path / "crawl-1.log"]
    with HttpServer(site=generate(tmp_path / "site", ARTICLES), delay_ms=20) as site:
        first = start(site, tmp_path, logs[0])
        assert wait(first, served(site, 60), lambda: first.send_signal(signal.SIGINT)) == STOPPED
        assert_paused(tmp_path, logs[0])
        assert "finish_reason': 'shutdown'" in logs[0].read_text("utf-8")
        assert len(site.requests()) < len(PAGES)  # it did stop early
        assert wait(start(site, tmp_path, logs[1])) == COMPLETE, logs[1].read_text()[-3000:]
        fetched = fetched_paths(site)
    assert "resume/replayed" in logs[1].read_text("utf-8")
    account(tmp_path, fetched)


def test_one_sigterm_pauses_a_second_crawl_on_its_jobdir_is_refused(tmp_path: Path) -> None:
    logs = [tmp_path / "crawl-0.log", tmp_path / "crawl-1.log", tmp_path / "crawl-2.log"]
    with (
        HttpServer(site=generate(tmp_path / "site", ARTICLES), delay_ms=20) as site,
        HttpServer(site=tmp_path / "site") as other,
    ):
        first = start(site, tmp_path, logs[0])

        def second_crawl_then_sigterm() -> None:
            assert wait(start(other, tmp_path, logs[1])) == 2
            error = logs[1].with_suffix(".stderr").read_text("utf-8")
            assert error.strip().splitlines() == [
                f"error: JOBDIR {str(tmp_path / 'job')!r} is in use by another crawl "
                f"(pid {first.pid}): wait for it to end, or stop it, before running this crawl "
                "again"
            ]
            first.send_signal(signal.SIGTERM)

        assert wait(first, served(site, 60), second_crawl_then_sigterm) == STOPPED
        assert other.requests() == []  # the second crawl sent nothing
        assert not logs[1].exists() or "Spider opened" not in logs[1].read_text("utf-8")
        assert_paused(tmp_path, logs[0])
        assert wait(start(site, tmp_path, logs[2])) == COMPLETE, logs[2].read_text()[-3000:]
        fetched = fetched_paths(site)
    account(tmp_path, fetched)
