"""Session-wide test support: one archived crawl of the fixture site that several modules read,
and `warcio check` on every WARC file the session's crawls wrote.

A test that writes a deliberately broken WARC file must not name it ``*.warc.gz``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.record_schema import check_parts
from tests.servers.s3 import (
    https_s3_server,
    localstack,
    moto_url,
    s3,
    s3_client,
    s3_endpoint_url,
    s3_https,
    s3_server,
    strict_s3,
    strict_s3_server,
)
from tests.spools import archive
from tests.warcs import read_warc, warcio_check

__all__ = [  # shared fixtures
    "archive",
    "https_s3_server",
    "localstack",
    "moto_url",
    "s3",
    "s3_client",
    "s3_endpoint_url",
    "s3_https",
    "s3_server",
    "strict_s3",
    "strict_s3_server",
]

ARCHIVED_CRAWL_ID = "demo-20221012120000"
SMALL_WARC_SIZE = 40_000  # bytes: the demo crawl then spans several WARC files


@dataclass(frozen=True)
class ArchivedCrawl:
    root: Path  # a local store (ARCHIVE_URI)
    crawl_id: str
    base_url: str  # where the fixture site was served during the crawl (it is stopped now)

    @property
    def warcs(self) -> list[Path]:
        return sorted((self.root / "warc" / self.crawl_id).glob("*.warc.gz"))

    @property
    def indexes(self) -> list[Path]:
        return sorted((self.root / "indexes" / self.crawl_id).glob("*.cdxj"))

    @property
    def record_parts(self) -> list[Path]:
        return sorted((self.root / "records" / self.crawl_id).glob("*.jsonl.gz"))


@pytest.fixture(scope="session")
def archived_crawl(tmp_path_factory: pytest.TempPathFactory) -> ArchivedCrawl:
    """The demo seed set crawled into a local store, with WARC files small enough to rotate."""
    from tests.servers.demo import crawl  # here, so that the hook below never depends on it
    from tests.servers.http import HttpServer

    tmp = tmp_path_factory.mktemp("archived")
    root = tmp / "archive"
    with HttpServer() as site:
        result = crawl(
            site.base_url,
            str(root),
            ARCHIVED_CRAWL_ID,
            capture=True,
            log_file=tmp / "crawl.log",
            extra={
                "STORE_SPOOL_DIR": str(tmp / "spool"),
                "EXTRACT_WORKERS": "1",
                "WARC_MAX_SIZE": str(SMALL_WARC_SIZE),
            },
        )
    assert result.returncode == 0, result.stderr + (tmp / "crawl.log").read_text("utf-8")
    archived = ArchivedCrawl(root, ARCHIVED_CRAWL_ID, site.base_url)
    assert len(archived.warcs) > 1 and archived.record_parts
    return archived


@pytest.fixture(scope="session", autouse=True)
def every_warc_passes_warcio_check(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """After the last test: warcio's checker (the CLI) on every WARC file written under the
    session's temporary folder, and each file read back with ``ArchiveIterator(check_digests=
    "raise")``, so every test crawl's output is checked by the ecosystem's own tools."""
    yield
    warcs = sorted(tmp_path_factory.getbasetemp().rglob("*.warc.gz"))
    if warcs:
        warcio_check(warcs)
        for path in warcs:
            assert read_warc(path), path
    parts = sorted(tmp_path_factory.getbasetemp().rglob("records/*/part-*.jsonl.gz"))
    check_parts(parts)  # every clean record against pipelines/records/record.schema.json
