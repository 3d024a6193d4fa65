"""The hostile inputs, as data: where each is served, what it sends, and what the crawl must do.

One crawl (tests/e2e/test_hostile.py) fetches them all. Each case is reached the way such input
reaches a real crawl: ``link`` cases are links of the hostile front page (/hostile/), ``seed``
cases are start URLs (fronts whose links are followed), ``feed`` and ``sitemap`` cases are the
seed set's feeds and sitemaps. Around each case the crawl fetches two ordinary articles,
/hostile/ok/<name>-before and -after.

The outcome of each case is counted under `stat` (at least once per case naming it), and what
the WARC holds for its URL is `archived`:

- ``complete``: a response record with the whole body as sent;
- ``length`` / ``disconnect``: a response record marked ``WARC-Truncated`` with that reason;
- ``none``: no response record (the request failed before any response existed).

`record` says that the case's URL must also give a clean record (an article that survived).
The crawl runs with the limits in `CRAWL_SETTINGS`, small so that it stays fast.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Kind = Literal["link", "seed", "feed", "sitemap"]
Archived = Literal["complete", "length", "disconnect", "none"]

MIB = 1024 * 1024
CRAWL_SETTINGS = {
    "DOWNLOAD_TIMEOUT": "10",  # the slow drip and the stalled answer end here; shorter would
    # also cut ordinary pages when a loaded machine stalls the crawler for a few seconds
    "DOWNLOAD_MAXSIZE": str(32 * MIB),  # the 50 MB page is cut here; bombs stop expanding here
    "REDIRECT_MAX_TIMES": "5",
    "RETRY_ENABLED": "False",  # one attempt each: failures are outcomes here, not glitches
    "NEWS_MAX_LINKS_PER_PAGE": "20",
    "NEWS_MAX_SITEMAP_URLS": "10",
    "NEWS_MAX_SITEMAP_DEPTH": "3",
    "CONCURRENT_REQUESTS": "1",  # one request at a time: "before" and "after" mean something
    "SCHEDULER_MEMORY_QUEUE": "scrapy.squeues.FifoMemoryQueue",
    "AUTOTHROTTLE_ENABLED": "False",
    "EXTRACT_WORKERS": "1",
}
MEMORY_BOUND_MIB = 512  # peak RSS of the crawl process tree, checked by the test


@dataclass(frozen=True)
class Case:
    name: str
    path: str  # on the fixture server, query included
    kind: Kind
    sends: str
    stat: str
    archived: Archived
    record: bool = False


CASES = (
    # Compression
    Case(
        "gzip-bomb",
        "/hostile/gzip-bomb",
        "link",
        "1 GiB of zeros as 1 MB of gzip",
        "download/decompression_bomb",
        "complete",
    ),
    Case(
        "deflate-bomb",
        "/hostile/deflate-bomb",
        "link",
        "1 GiB of zeros as 1 MB of deflate",
        "download/decompression_bomb",
        "complete",
    ),
    Case(
        "gzip-corrupt",
        "/hostile/gzip-corrupt",
        "link",
        "random bytes labelled gzip",
        "news/failed/BadGzipFile",
        "complete",
    ),
    Case(
        "gzip-twice-labelled",
        "/hostile/gzip-twice-labelled",
        "link",
        "Content-Encoding: gzip, gzip on a body gzipped once",
        "news/failed/BadGzipFile",
        "complete",
    ),
    # Size
    Case(
        "page-50mb",
        "/special/big?mb=50",
        "link",
        "a 50 MB page (Content-Length)",
        "download/truncated/length",
        "length",
    ),
    Case(
        "page-12mb",
        "/special/big?mb=12",
        "link",
        "a 12 MB page, below DOWNLOAD_MAXSIZE",
        "news/pages/too_large",
        "complete",
    ),
    Case(
        "wide-tree",
        "/hostile/wide-tree",
        "link",
        "an article of 200,000 elements",
        "news/articles/too_large",
        "complete",
    ),
    Case(
        "deep-nesting",
        "/hostile/deep-nesting",
        "link",
        "an article nested 100,000 deep",
        "news/articles",
        "complete",
    ),
    Case(
        "json-ld-bomb",
        "/hostile/json-ld-bomb",
        "link",
        "JSON-LD arrays 100,000 deep",
        "news/articles",
        "complete",
    ),
    Case(
        "many-headers",
        "/special/many-headers?n=20000",
        "link",
        "20,000 response headers",
        "news/pages/not_article",
        "complete",
    ),
    Case(
        "huge-header",
        "/special/huge-header?kb=1024",
        "link",
        "one 1 MiB header line",
        "news/failed/DownloadFailedError",
        "none",
    ),
    Case(
        "set-cookie-flood",
        "/hostile/set-cookie-flood",
        "link",
        "5,000 Set-Cookie headers",
        "news/pages/not_article",
        "complete",
    ),
    # Connections
    Case(
        "redirect-loop",
        "/special/redirect-loop",
        "link",
        "302 to ?n+1, forever",
        "news/failed/IgnoreRequest",
        "complete",
    ),
    Case(
        "meta-refresh-loop",
        "/hostile/meta-refresh-loop",
        "link",
        "a meta refresh to ?n+1, forever",
        "news/failed/IgnoreRequest",
        "complete",
    ),
    Case(
        "redirect-to-file",
        "/hostile/redirect-to-file",
        "link",
        "302 to file:///etc/passwd (not followed)",
        "httperror/response_ignored_status_count/302",
        "complete",
    ),
    Case(
        "slow-drip",
        "/special/drip?ms=200",
        "link",
        "one byte every 200 ms",
        "news/failed/DownloadTimeoutError",
        "none",
    ),
    Case(
        "stall",
        "/special/stall?ms=30000",
        "link",
        "reads the request, never answers",
        "news/failed/DownloadTimeoutError",
        "none",
    ),
    Case(
        "reset-mid-body",
        "/special/reset",
        "link",
        "16 of 64 KiB, then a TCP reset",
        "news/pages/truncated",
        "disconnect",
    ),
    Case(
        "truncated-chunked",
        "/special/truncated-chunked",
        "link",
        "two chunks, then close without the last chunk",
        "news/pages/truncated",
        "disconnect",
    ),
    Case(
        "length-lie",
        "/special/length-lie",
        "link",
        "Content-Length 10,000, 2,000 sent",
        "news/pages/truncated",
        "disconnect",
    ),
    Case(
        "close-delimited",
        "/special/close-delimited",
        "link",
        "no length, body ends at close (legal)",
        "news/pages/not_article",
        "complete",
    ),
    Case(
        "bad-status-line",
        "/special/bad-status",
        "link",
        "status code '2OO'",
        "news/failed/DownloadFailedError",
        "none",
    ),
    Case(
        "no-status-line",
        "/special/no-status",
        "link",
        "a bare body, no status line",
        "news/failed/DownloadFailedError",
        "none",
    ),
    # Content
    Case(
        "charset-bogus",
        "/hostile/charset-bogus",
        "link",
        "charset=x-no-such-charset",
        "news/articles",
        "complete",
        record=True,
    ),
    Case(
        "charset-mixed",
        "/hostile/charset-mixed",
        "link",
        "header UTF-8, meta windows-1251, Latin-1 bytes",
        "news/articles",
        "complete",
        record=True,
    ),
    Case(
        "invalid-utf8",
        "/hostile/invalid-utf8",
        "link",
        "invalid UTF-8 sequences",
        "news/articles",
        "complete",
        record=True,
    ),
    Case(
        "utf16",
        "/hostile/utf16",
        "link",
        "UTF-16 with a BOM, no charset",
        "news/articles",
        "complete",
        record=True,
    ),
    Case(
        "nul-bytes",
        "/hostile/nul-bytes",
        "link",
        "NUL bytes in the HTML",
        "news/articles",
        "complete",
        record=True,
    ),
    Case(
        "binary-as-html",
        "/hostile/binary-as-html",
        "link",
        "64 KiB of noise as text/html",
        "news/pages/not_article",
        "complete",
    ),
    Case(
        "malformed",
        "/hostile/malformed",
        "link",
        "unclosed, overlapping, broken markup",
        "news/articles",
        "complete",
    ),
    Case(
        "empty",
        "/hostile/empty",
        "link",
        "200 with an empty body",
        "news/pages/not_article",
        "complete",
    ),
    Case(
        "feed-as-html",
        "/hostile/feed-as-html",
        "link",
        "an RSS feed labelled text/html",
        "news/pages/not_article",
        "complete",
    ),
    # Links
    Case(
        "link-bomb",
        "/hostile/link-bomb",
        "seed",
        "a front with 100,000 links",
        "news/links_cut",
        "complete",
    ),
    Case(
        "bad-links",
        "/hostile/bad-links",
        "seed",
        "invalid URLs, non-HTTP schemes, a 10,000-character URL",
        "news/links_skipped",
        "complete",
    ),
    # Feeds and sitemaps
    Case(
        "feed-laughs",
        "/hostile/feed-laughs.xml",
        "feed",
        "billion laughs in an RSS DTD",
        "news/feeds",
        "complete",
    ),
    Case(
        "feed-xxe",
        "/hostile/feed-xxe.xml",
        "feed",
        "external entities: a file, a URL",
        "news/feeds",
        "complete",
    ),
    Case(
        "feed-huge", "/hostile/feed-huge.xml", "feed", "5,000 items", "news/links_cut", "complete"
    ),
    Case(
        "feed-binary",
        "/hostile/feed-binary.xml",
        "feed",
        "noise labelled RSS",
        "news/feeds_broken",
        "complete",
    ),
    Case(
        "sitemap-100k",
        "/hostile/sitemap-100k.xml",
        "sitemap",
        "100,000 URLs",
        "news/sitemaps_cut",
        "complete",
    ),
    Case(
        "sitemap-bomb",
        "/hostile/sitemap-bomb.xml.gz",
        "sitemap",
        "a gzipped sitemap expanding to 1 GiB",
        "news/sitemaps_broken",
        "complete",
    ),
    Case(
        "sitemap-laughs",
        "/hostile/sitemap-laughs.xml",
        "sitemap",
        "billion laughs in a sitemap DTD",
        "news/sitemaps",
        "complete",
    ),
    Case(
        "sitemap-xxe",
        "/hostile/sitemap-xxe.xml",
        "sitemap",
        "external entities: a file, a URL",
        "news/sitemaps",
        "complete",
    ),
    Case(
        "sitemap-deep",
        "/hostile/sitemap-deep.xml",
        "sitemap",
        "sitemap indexes nested forever",
        "news/sitemaps_too_deep",
        "complete",
    ),
    Case(
        "sitemap-loop",
        "/hostile/sitemap-loop.xml",
        "sitemap",
        "a sitemap index listing itself",
        "dupefilter/filtered",
        "complete",
    ),
)
NEVER_REQUESTED = ("/hostile/xxe-canary",)  # external entities must not be fetched


def ok_path(case: Case, side: str) -> str:
    return f"/hostile/ok/{case.name}-{side}"
