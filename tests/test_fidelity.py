"""What the server sent is what the WARC holds: reason phrases, query strings, repeated headers,
de-chunked bodies said so, and bodies cut at DOWNLOAD_MAXSIZE archived up to the cut and marked."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from tests.servers.demo import crawl
from tests.servers.http import HttpServer
from tests.warcs import WarcRecord, read_warc

CRAWL_ID = "fidelity-20221012000000"
MAXSIZE = 1024 * 1024


@pytest.fixture(scope="module")
def responses(tmp_path_factory: pytest.TempPathFactory) -> dict[str, WarcRecord]:
    tmp = tmp_path_factory.mktemp("fidelity")
    seeds = tmp / "fidelity.toml"
    paths = ["/special/reason", "/special/query?a=1&b=two%20words", "/special/cookies",
             "/special/chunked", "/special/big?mb=3", "/special/pdf"]
    urls = ", ".join(f'"${{NEWSARCHIVE_DEMO_URL}}{p}"' for p in paths)
    seeds.write_text(
        f'name = "fidelity"\nstart_urls = [{urls}]\nallowed_domains = ["127.0.0.1"]\n'
        'related_depth = 0\ncontact = "https://example.org/bot"\n'
        f"[settings]\nDOWNLOAD_MAXSIZE = {MAXSIZE}\n"
    )
    root = tmp / "archive"
    with HttpServer() as site:
        result = crawl(site.base_url, str(root), CRAWL_ID, seeds=str(seeds), capture=True,
                       log_file=tmp / "crawl.log", extra={"STORE_SPOOL_DIR": str(tmp / "spool")})
    assert result.returncode == 0, result.stderr + (tmp / "crawl.log").read_text()
    found = {}
    for path in sorted((root / "warc" / CRAWL_ID).glob("*.warc.gz")):
        for record in read_warc(path):
            if record.rec_type in ("response", "request"):
                parts = urlsplit(record.uri)
                key = parts.path + (f"?{parts.query}" if parts.query else "")
                found[f"{record.rec_type} {key}"] = record
    return found



def test_reason_phrase_is_the_one_the_server_sent(responses: dict[str, WarcRecord]) -> None:
    record = responses["response /special/reason"]
    assert record.http_status == 200
    assert record.status_line == "HTTP/1.1 200 Everything Fine"


def test_request_line_keeps_the_query(responses: dict[str, WarcRecord]) -> None:
    request = responses["request /special/query?a=1&b=two%20words"]
    assert request.status_line == "GET /special/query?a=1&b=two%20words HTTP/1.1"


def test_repeated_headers_stay_repeated(responses: dict[str, WarcRecord]) -> None:
    cookies = [v for n, v in responses["response /special/cookies"].http_headers
               if n.lower() == "set-cookie"]
    assert len(cookies) == 2 and cookies[0] != cookies[1]


def test_dechunked_body_parses_and_says_so(responses: dict[str, WarcRecord]) -> None:
    record = responses["response /special/chunked"]
    names = [n.lower() for n, _ in record.http_headers]
    assert "transfer-encoding" not in names
    assert "x-archive-orig-transfer-encoding" in names
    assert record.headers["Newsarchive-Transfer-Decoded"] == "chunked"
    assert record.payload.startswith(b"<!DOCTYPE html>") and record.payload.endswith(b"</html>\n")


def test_body_past_maxsize_is_cut_there_and_marked(responses: dict[str, WarcRecord]) -> None:
    record = responses["response /special/big?mb=3"]
    assert record.headers["WARC-Truncated"] == "length"
    assert len(record.payload) == MAXSIZE
    assert ("Content-Length", str(3 * MAXSIZE)) in record.http_headers


def test_pdf_is_archived_as_it_came(responses: dict[str, WarcRecord]) -> None:
    record = responses["response /special/pdf"]
    assert ("Content-Type", "application/pdf") in record.http_headers
    assert record.payload.startswith(b"%PDF-1.4") and record.payload.rstrip().endswith(b"%%EOF")
    assert "WARC-Truncated" not in record.headers
