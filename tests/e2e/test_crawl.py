"""End to end: crawl the fixture site with the real `scrapy crawl` into a local store, then
read everything back with warcio, gzip and json and compare it with the site and its gold data."""

from __future__ import annotations

import gzip
import hashlib
import json
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.reports import report_of
from tests.servers.demo import crawl
from tests.servers.http import SITE, HttpServer, LoggedRequest
from tests.warcs import WarcRecord, normalise, read_range, read_records, read_warc

CRAWL_ID = "demo-20221012000000"
GOLD = {p.stem: json.loads(p.read_text("utf-8")) for p in (SITE / "gold").glob("*.json")}
WARC_NAME = re.compile(r"^newsarchive-\d{17}-\d{5}-[A-Za-z0-9.-]+-\d+\.warc\.gz$")


@dataclass
class Crawled:
    root: Path
    base_url: str
    requests: list[LoggedRequest]
    log: str
    warcs: list[Path]
    records: list[dict[str, Any]]
    manifest: dict[str, Any]

    def target(self, uri: str) -> str:
        parts = urlsplit(uri)
        return parts.path + (f"?{parts.query}" if parts.query else "")

    def all_warc_records(self) -> list[WarcRecord]:
        return [record for path in self.warcs for record in read_warc(path)]


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> Crawled:
    tmp = tmp_path_factory.mktemp("e2e")
    root = tmp / "archive"
    with HttpServer(log=tmp / "requests.jsonl") as site:
        result = crawl(
            site.base_url,
            str(root),
            CRAWL_ID,
            capture=True,
            log_file=tmp / "crawl.log",
            extra={"STORE_SPOOL_DIR": str(tmp / "spool"), "EXTRACT_WORKERS": "2"},
        )
        requests = site.requests()
    log = (tmp / "crawl.log").read_text("utf-8")
    assert result.returncode == 0, result.stderr + log
    parts = sorted((root / "records" / CRAWL_ID).glob("*.jsonl.gz"))
    return Crawled(
        root=root,
        base_url=site.base_url,
        requests=requests,
        log=log,
        warcs=sorted((root / "warc" / CRAWL_ID).glob("*.warc.gz")),
        records=list(read_records(parts)),
        manifest=json.loads((root / "manifests" / f"{CRAWL_ID}.json").read_text("utf-8")),
    )


def test_every_exchange_is_archived_once_as_request_and_response(crawled: Crawled) -> None:
    records = crawled.all_warc_records()
    responses = [r for r in records if r.rec_type == "response"]
    requests = {r.headers["WARC-Concurrent-To"]: r for r in records if r.rec_type == "request"}
    served = Counter(r.path for r in crawled.requests if r.method == "GET")
    archived = Counter(crawled.target(r.uri) for r in responses)
    assert archived == served
    for response in responses:
        request = requests[response.record_id]
        assert request.uri == response.uri
        assert request.payload == b""
    assert len(requests) == len(responses)


def test_special_responses_are_archived_with_their_status(crawled: Crawled) -> None:
    status = {
        crawled.target(r.uri): r.http_status
        for r in crawled.all_warc_records()
        if r.rec_type == "response"
    }
    assert status["/robots.txt"] == 200
    assert status["/old/nato-arms-production/"] == 301
    assert status["/2022/10/01/removed-story/"] == 404
    assert status["/broken/"] == 500
    assert status["/feed/"] == 200
    assert status["/news-sitemap.xml"] == 200


def test_redirect_keeps_its_location_header(crawled: Crawled) -> None:
    [redirect] = [
        r
        for r in crawled.all_warc_records()
        if r.rec_type == "response" and r.uri.endswith("/old/nato-arms-production/")
    ]
    assert ("Location", "/2022/10/12/nato-increase-arms-production-ukraine/") in (
        redirect.http_headers
    )


def test_disallowed_path_is_never_requested(crawled: Crawled) -> None:
    paths = [r.path for r in crawled.requests]
    assert "/robots.txt" in paths
    assert not [p for p in paths if p.startswith("/private/")]
    report = report_of(crawled.root, CRAWL_ID)
    assert report["stats"]["robotstxt/forbidden"] >= 1
    # an exclusion is not a failure: logged at INFO, never counted as news/failed
    assert "news/failed/IgnoreRequest" not in report["stats"]
    assert "/private/internal-memo/ is excluded by robots.txt: not fetched" in crawled.log
    assert "failed: IgnoreRequest: Forbidden by robots.txt" not in crawled.log


def test_files_are_named_by_the_spec_and_start_with_warcinfo(crawled: Crawled) -> None:
    assert crawled.warcs
    for path in crawled.warcs:
        assert WARC_NAME.match(path.name), path.name
        first = read_warc(path)[0]
        assert first.rec_type == "warcinfo"
        assert f"isPartOf: {CRAWL_ID}".encode() in first.payload
        assert first.headers["WARC-Block-Digest"].startswith("sha256:")


def test_gzip_page_stays_gzip_in_the_warc(crawled: Crawled) -> None:
    path = "/2022/10/13/germany-iris-t-air-defense-delivered/"
    [record] = [
        r
        for r in crawled.all_warc_records()
        if r.rec_type == "response" and crawled.target(r.uri) == path
    ]
    assert ("Content-Encoding", "gzip") in record.http_headers
    assert record.payload[:2] == b"\x1f\x8b"
    assert (
        gzip.decompress(record.payload)
        == (SITE / "pages" / path.strip("/") / "index.html").read_bytes()
    )


def test_each_article_has_one_record_with_the_gold_text(crawled: Crawled) -> None:
    by_path = Counter(urlsplit(r["final_url"]).path for r in crawled.records)
    assert by_path == Counter(gold["path"] for gold in GOLD.values())
    for record in crawled.records:
        gold = next(g for g in GOLD.values() if g["path"] == urlsplit(record["final_url"]).path)
        assert normalise(record["text"]) == normalise(gold["text"]), gold["path"]
        for boilerplate in gold["boilerplate"]:
            assert boilerplate not in record["text"], (gold["path"], boilerplate)
        assert record["title"] == gold["title"]
        assert record["language"] == gold["language"]


def test_records_follow_schema_2(crawled: Crawled) -> None:
    keys = {
        "schema",
        "record_id",
        "crawl_id",
        "url",
        "final_url",
        "canonical_url",
        "fetched_at",
        "status",
        "title",
        "authors",
        "published_at",
        "modified_at",
        "sitename",
        "language",
        "description",
        "categories",
        "tags",
        "text",
        "text_sha256",
        "word_count",
        "text_candidate",
        "related_urls",
        "discovered_from",
        "warc",
        "extractor",
        "tls",
        "publisher",
        "version",  # schema 2: a first crawl writes version 1 of each article
        "previous_record_id",
        "first_seen",
        "changes",
    }
    ids = set()
    for record in crawled.records:
        assert set(record) == keys
        assert record["schema"] == 2 and record["crawl_id"] == CRAWL_ID
        assert "" not in record.values()
        assert record["text_sha256"] == hashlib.sha256(record["text"].encode()).hexdigest()
        assert record["word_count"] == len(record["text"].split())
        assert record["discovered_from"], record["url"]
        assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$", record["fetched_at"])
        assert set(record["extractor"]) == {"name", "version", "config_sha256"}
        assert record["version"] == 1 and record["previous_record_id"] is None
        ids.add(record["record_id"])
    assert len(ids) == len(crawled.records)


def test_redirected_article_keeps_first_and_final_url(crawled: Crawled) -> None:
    paths = {(urlsplit(r["url"]).path, urlsplit(r["final_url"]).path) for r in crawled.records}
    target = "/2022/10/12/nato-increase-arms-production-ukraine/"
    assert any(final == target for _, final in paths)


def test_related_links_are_recorded(crawled: Crawled) -> None:
    for record in crawled.records:
        gold = next(g for g in GOLD.values() if g["path"] == urlsplit(record["final_url"]).path)
        related = {urlsplit(u).path for u in record["related_urls"]}
        assert set(gold["related_paths"]) <= related, gold["path"]


def test_each_record_points_at_its_response_in_the_warc(crawled: Crawled) -> None:
    folder = crawled.root / "warc" / CRAWL_ID
    for record in crawled.records:
        pointer = record["warc"]
        found = read_range(folder / pointer["filename"], pointer["offset"], pointer["length"])
        assert found.rec_type == "response"
        assert found.record_id == pointer["record_id"]
        assert found.uri == record["final_url"]
        assert found.headers["WARC-Payload-Digest"] == pointer["payload_digest"]
        page = SITE / "pages" / urlsplit(record["final_url"]).path.strip("/") / "index.html"
        body = found.payload
        assert (gzip.decompress(body) if body[:2] == b"\x1f\x8b" else body) == page.read_bytes()


def test_manifest_lists_every_object_with_its_digest(crawled: Crawled) -> None:
    manifest = crawled.manifest
    listed = {o["key"]: o for o in manifest["objects"]}
    stored = {
        p.relative_to(crawled.root).as_posix() for p in crawled.root.rglob("*") if p.is_file()
    }
    # the manifest and the digest of its canonical form are the only objects it cannot list
    assert stored - set(listed) == {
        f"manifests/{CRAWL_ID}.json",
        f"manifests/{CRAWL_ID}.json.sha256",
    }
    for key, entry in listed.items():
        data = (crawled.root / key).read_bytes()
        assert entry["size"] == len(data)
        assert entry["sha256"] == hashlib.sha256(data).hexdigest()
    assert manifest["counts"]["records_records"] == len(crawled.records)
    assert manifest["crawl_id"] == CRAWL_ID and manifest["seedset"] == "demo"
    report = report_of(crawled.root, CRAWL_ID)
    assert report["stats"]["warc/exchanges"] == len(crawled.requests)


def test_a_normal_start_warns_about_nothing_that_is_simply_off(crawled: Crawled) -> None:
    # crash-resume is off without JOBDIR: its components stay out without a warning
    assert "Disabled" not in crawled.log
    assert "crash-resume is on only with JOBDIR" not in crawled.log
