"""Replay through pywb, the real client: a collection made from a test crawl's WARC files with
pywb's own `wb-manager`, served by `wayback` on a free loopback port, as the README shows."""

from __future__ import annotations

import gzip
import http.client
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.conftest import ArchivedCrawl
from tests.servers.http import SITE
from tests.warcs import WarcRecord, read_warc
from tests.wayback import wayback

COLLECTION = "newsarchive"
ARTICLE = "/2022/10/12/stoltenberg-allies-more-air-defense/"
GZIPPED = "/2022/10/13/germany-iris-t-air-defense-delivered/"
REDIRECT = "/old/nato-arms-production/"
REDIRECT_TARGET = "/2022/10/12/nato-increase-arms-production-ukraine/"


@dataclass
class Replay:
    port: int
    home: Path  # pywb's working folder, holding collections/
    crawl: ArchivedCrawl
    responses: dict[str, WarcRecord]  # by URL path

    def get(self, path: str) -> tuple[int, dict[str, str], bytes]:
        """GET a path on wayback: no redirect followed, nothing decoded."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            connection.request("GET", path)
            response = connection.getresponse()
            return response.status, dict(response.getheaders()), response.read()
        finally:
            connection.close()

    def capture(self, path: str, mode: str = "id_") -> str:
        """The wayback path of the archived capture of a site path (id_: as archived)."""
        record = self.responses[path]
        stamp = "".join(c for c in record.headers["WARC-Date"] if c.isdigit())[:14]
        return f"/{COLLECTION}/{stamp}{mode}/{record.uri}"


@pytest.fixture(scope="module")
def replay(
    archived_crawl: ArchivedCrawl, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Replay]:
    home = tmp_path_factory.mktemp("pywb")
    responses = {
        urlsplit(record.uri).path: record
        for path in archived_crawl.warcs
        for record in read_warc(path)
        if record.rec_type == "response"
    }
    with wayback(home, COLLECTION, archived_crawl.warcs) as port:
        yield Replay(port, home, archived_crawl, responses)


def test_article_replays_with_the_status_and_body_the_server_sent(replay: Replay) -> None:
    status, headers, body = replay.get(replay.capture(ARTICLE))
    assert status == 200
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    served = (SITE / "pages" / ARTICLE.strip("/") / "index.html").read_bytes()
    assert body == served == replay.responses[ARTICLE].payload


def test_redirect_replays_as_a_redirect_to_the_archived_target(replay: Replay) -> None:
    status, headers, _ = replay.get(replay.capture(REDIRECT, mode="mp_"))
    assert status == 301
    location = headers["Location"]
    assert location.endswith(replay.crawl.base_url + REDIRECT_TARGET)
    status, _, body = replay.get(urlsplit(location).path)  # still inside the archive
    assert status == 200
    assert b"NATO" in body


def test_gzip_encoded_page_replays_decoded(replay: Replay) -> None:
    record = replay.responses[GZIPPED]
    assert ("Content-Encoding", "gzip") in record.http_headers  # archived as sent: gzip
    status, headers, body = replay.get(replay.capture(GZIPPED))
    assert status == 200
    assert "Content-Encoding" not in headers
    served = (SITE / "pages" / GZIPPED.strip("/") / "index.html").read_bytes()
    assert body == served == gzip.decompress(record.payload)


def test_missing_page_replays_as_404(replay: Replay) -> None:
    status, _, _ = replay.get(replay.capture("/2022/10/01/removed-story/"))
    assert status == 404


def test_pywb_indexes_the_collection_exactly_as_we_did(replay: Replay) -> None:
    theirs = (replay.home / "collections" / COLLECTION / "indexes" / "index.cdxj").read_text()
    ours = sorted(line for path in replay.crawl.indexes for line in path.read_text().splitlines())
    assert theirs.splitlines() == ours
