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

from tests.hostile.case import Archived, Case, Kind
from tests.hostile.content_cases import CONTENT_CASES
from tests.hostile.transport_cases import TRANSPORT_CASES

__all__ = [
    "CASES",
    "CRAWL_SETTINGS",
    "MEMORY_BOUND_MIB",
    "NEVER_REQUESTED",
    "Archived",
    "Case",
    "Kind",
    "ok_path",
]

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

# Split by subject into two modules only to keep each readable; the order is the crawl's.
CASES = (*TRANSPORT_CASES, *CONTENT_CASES)
NEVER_REQUESTED = ("/hostile/xxe-canary",)  # external entities must not be fetched


def ok_path(case: Case, side: str) -> str:
    return f"/hostile/ok/{case.name}-{side}"
