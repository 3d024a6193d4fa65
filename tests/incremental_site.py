"""Scheduled re-crawls of a copy of the fixture site that the tests edit between runs, for the
incremental-crawl tests (tests/e2e/test_incremental*.py).

The copy is served by the fixture server with validators (tests/servers/conditional.py); each
run is the real ``scrapy crawl`` with one crawl state (STATE_DIR) kept across the runs.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.reports import report_of
from tests.servers.demo import crawl
from tests.servers.http import SITE, HttpServer, LoggedRequest
from tests.warcs import WarcRecord, read_records, read_warc

IRIS = "/2022/10/13/germany-iris-t-air-defense-delivered/"
NATO = "/2022/10/14/nato-critical-infrastructure-baltic/"
STOLTENBERG = "/2022/10/12/stoltenberg-allies-more-air-defense/"
NATO_HEADLINE = "NATO doubles naval presence to protect critical infrastructure"
ADDED_SENTENCE = "A second unit will arrive before the end of the year, officials said later."


def copy_site(target: Path) -> Path:
    """A copy of the fixture site's pages that a test may edit; the site folder to serve."""
    shutil.copytree(SITE / "pages", target / "pages")
    return target


def seeds(path: Path, base_url: str, recrawl: str = "") -> Path:
    """The demo's seed set for the site at `base_url`, with a `[recrawl]` table if given."""
    path.write_text(
        f"""name = "incremental"
start_urls = ["{base_url}/", "{base_url}/category/world/"]
feeds = ["{base_url}/feed/"]
sitemaps = ["{base_url}/news-sitemap.xml"]
allowed_domains = ["127.0.0.1"]
related_depth = 1
contact = "https://github.com/newsarchive/newsarchive"
{recrawl}
[settings]
AUTOTHROTTLE_START_DELAY = 0.0
DOWNLOAD_DELAY = 0.0
CONCURRENT_REQUESTS_PER_DOMAIN = 8
""",
        "utf-8",
    )
    return path


@dataclass
class Run:
    """One run of the seed set, read back."""

    crawl_id: str
    requests: list[LoggedRequest]  # what the server was asked in this run
    warc: list[WarcRecord]
    records: list[dict[str, Any]]
    stats: dict[str, Any]

    def of_type(self, rec_type: str) -> list[WarcRecord]:
        return [r for r in self.warc if r.rec_type == rec_type]

    def paths(self) -> list[str]:
        return [r.path for r in self.requests if r.method == "GET"]


@dataclass
class Recrawls:
    """The runs of one seed set against one server, with one state."""

    tmp: Path
    site: HttpServer
    seeds: Path
    runs: list[Run] = field(default_factory=list)

    @property
    def archive(self) -> Path:
        return self.tmp / "archive"

    def warcs(self, crawl_id: str) -> list[Path]:
        return sorted((self.archive / "warc" / crawl_id).glob("*.warc.gz"))

    def run(self, extra: dict[str, str] | None = None) -> Run:
        crawl_id = f"incremental-2022101{len(self.runs)}000000"
        before = len(self.site.requests())
        settings = {
            "STATE_DIR": str(self.tmp / "state"),
            "STORE_SPOOL_DIR": str(self.tmp / "spool"),
            "EXTRACT_WORKERS": "1",
            **(extra or {}),
        }
        log = self.tmp / f"{crawl_id}.log"
        result = crawl(
            self.site.base_url,
            str(self.archive),
            crawl_id,
            capture=True,
            log_file=log,
            extra=settings,
            seeds=str(self.seeds),
        )
        assert result.returncode == 0, result.stderr + log.read_text("utf-8")
        parts = sorted((self.archive / "records" / crawl_id).glob("*.jsonl.gz"))
        run = Run(
            crawl_id,
            self.site.requests()[before:],
            [record for path in self.warcs(crawl_id) for record in read_warc(path)],
            list(read_records(parts)),
            report_of(self.archive, crawl_id)["stats"],
        )
        self.runs.append(run)
        return run


def edit(site: Path, path: str, old: str, new: str) -> None:
    """Change the page at `path` of the copied site (its mtime moves on with it)."""
    page = site / "pages" / path.strip("/") / "index.html"
    text = page.read_text("utf-8")
    assert old in text, (path, old)
    page.write_text(text.replace(old, new), "utf-8")


NEW_ARTICLE = "/2022/10/15/iris-t-second-unit/"


def add_feed_item(site: Path) -> None:
    """A new article page, listed first in the feed."""
    source = site / "pages" / IRIS.strip("/") / "index.html"
    page = site / "pages" / NEW_ARTICLE.strip("/") / "index.html"
    page.parent.mkdir(parents=True)
    text = source.read_text("utf-8").replace("first IRIS-T", "second IRIS-T")
    page.write_text(text.replace("confirmed", "announced"), "utf-8")
    feed = site / "pages" / "feed" / "index.xml"
    item = (
        "<item>\n    <title>Germany delivers second IRIS-T air defense system</title>\n"
        f"    <link>{{{{BASE_URL}}}}{NEW_ARTICLE}</link>\n"
        "    <pubDate>Sat, 15 Oct 2022 08:00:00 +0000</pubDate>\n  </item>\n  <item>"
    )
    feed.write_text(feed.read_text("utf-8").replace("<item>", item, 1), "utf-8")
