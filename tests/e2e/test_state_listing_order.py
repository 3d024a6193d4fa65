"""An article reached both from a front page and from a feed gets the feed's date (``listed``)
whichever of the two the crawl read first, and ``state rebuild`` finds the same state.

Which path reaches the article first is a race in a real crawl; this test forces each order
with a site that holds a reply until a request shows the other path is done (no waiting on
time): front first, the feed is answered only once the article's related link is requested,
that is once the article was fetched and parsed; feed first, the article is answered only
once the entry listed after it in the feed is requested, that is once the feed's entries went
through the crawl state (``crawler.state.tracker.StateTracker.wanted``).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.e2e.test_state_rebuild import differences, rebuild, states
from tests.servers.demo import crawl

HOLD_TIMEOUT = 60.0  # a reply held longer than this means the other path never came: fail
FEED_DATE = "Tue, 11 Oct 2022 17:05:00 +0000"
LISTED = "2022-10-11T17:05:00+00:00"  # the feed's date as the state keeps it (Listing.stamp)
PARAGRAPH = (
    "<p>" + "The alliance said on Tuesday that its annual nuclear deterrence exercise would go "
    "ahead next week as planned, despite warnings from Moscow. " * 3 + "</p>"
)


def article(title: str, extra: str = "") -> bytes:
    """A page the spider takes for an article; `extra` goes at the end of its body."""
    return (
        f'<!doctype html><html lang="en"><head><title>{title}</title>'
        '<meta property="og:type" content="article"><script type="application/ld+json">'
        f'{{"@context":"https://schema.org","@type":"NewsArticle","headline":"{title}"}}'
        f"</script></head><body><article><h1>{title}</h1>{PARAGRAPH * 4}{extra}</article>"
        "</body></html>"
    ).encode()


def feed(base: str) -> bytes:
    items = "".join(
        f"<item><title>{path}</title><link>{base}{path}</link><pubDate>{FEED_DATE}</pubDate></item>"
        for path in ("/a/", "/only-in-feed/")
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Feed</title>'
        f"<link>{base}/</link>{items}</channel></rss>"
    ).encode()


FRONT = (
    b'<!doctype html><html><head><title>Front</title></head><body><a href="/a/">A</a></body></html>'
)


class GatedSite(ThreadingHTTPServer):
    """A front page linking to article /a/, a feed listing /a/ then /only-in-feed/, and /a/'s
    related page; `holds` maps a path to the path whose request releases its reply."""

    daemon_threads = True

    def __init__(self, holds: dict[str, str]) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.holds = holds
        self.log: list[tuple[str, str]] = []  # ("asked" or "sent", path), as it happened
        self.events: dict[str, threading.Event] = {}
        self.lock = threading.Lock()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def event(self, path: str) -> threading.Event:
        with self.lock:
            return self.events.setdefault(path, threading.Event())

    def body(self, path: str) -> bytes | None:
        pages = {
            "/": FRONT,
            "/feed/": feed(self.base_url),
            "/a/": article("Exercise goes ahead", '<p>See <a href="/related/">before</a>.</p>'),
            "/only-in-feed/": article("Only in the feed"),
            "/related/": article("The earlier report"),
        }
        return pages.get(path)


class _Handler(BaseHTTPRequestHandler):
    server: GatedSite

    def do_GET(self) -> None:
        site = self.server
        with site.lock:
            site.log.append(("asked", self.path))
        site.event(self.path).set()
        release = site.holds.get(self.path)
        if release is not None and not site.event(release).wait(HOLD_TIMEOUT):
            self.send_error(503, f"held until {release} was requested, which never came")
            return
        body = site.body(self.path)
        if body is None:
            self.send_error(404)
            return
        kind = "application/rss+xml" if self.path == "/feed/" else "text/html; charset=utf-8"
        with site.lock:  # before the answer goes out: the crawl may end as soon as it has it
            site.log.append(("sent", self.path))
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the site keeps its own log."""


@pytest.fixture
def gated() -> Iterator[Callable[[dict[str, str]], GatedSite]]:
    started: list[GatedSite] = []

    def make(holds: dict[str, str]) -> GatedSite:
        site = GatedSite(holds)
        threading.Thread(target=site.serve_forever, daemon=True).start()
        started.append(site)
        return site

    yield make
    for site in started:
        site.shutdown()
        site.server_close()


def seed_file(path: Path, base: str) -> Path:
    path.write_text(
        f'name = "incremental"\nstart_urls = ["{base}/"]\nfeeds = ["{base}/feed/"]\n'
        'allowed_domains = ["127.0.0.1"]\nrelated_depth = 1\n'
        'contact = "https://github.com/newsarchive/newsarchive"\n'
        "[settings]\nAUTOTHROTTLE_START_DELAY = 0.0\nDOWNLOAD_DELAY = 0.0\n"
        "CONCURRENT_REQUESTS_PER_DOMAIN = 8\n",
        "utf-8",
    )
    return path


ORDERS = {
    "front first": {"/feed/": "/related/"},  # the feed waits until /a/ was fetched and parsed
    "feed first": {"/a/": "/only-in-feed/"},  # /a/ waits until the feed's entries were seen
}


@pytest.mark.parametrize("order", sorted(ORDERS))
def test_the_listing_date_and_its_rebuild_do_not_depend_on_the_order(
    order: str, gated: Callable[[dict[str, str]], GatedSite], tmp_path: Path
) -> None:
    site = gated(ORDERS[order])
    seeds = seed_file(tmp_path / "seeds.toml", site.base_url)
    archive, log = tmp_path / "archive", tmp_path / "crawl.log"
    settings = {"STATE_DIR": str(tmp_path / "state"), "STORE_SPOOL_DIR": str(tmp_path / "spool")}
    result = crawl(
        site.base_url,
        str(archive),
        "incremental-20221012000000",
        capture=True,
        log_file=log,
        extra={**settings, "EXTRACT_WORKERS": "1"},
        seeds=str(seeds),
    )
    assert result.returncode == 0, result.stderr + log.read_text("utf-8")
    [(held, release)] = ORDERS[order].items()
    assert site.log.index(("asked", release)) < site.log.index(("sent", held))  # forced
    live = states(tmp_path / "state")
    assert live[f"{site.base_url}/a/"].listed == LISTED
    assert live[f"{site.base_url}/only-in-feed/"].listed == LISTED
    assert live[f"{site.base_url}/related/"].listed is None  # listed nowhere
    rebuilt = rebuild(archive, seeds, tmp_path / "rebuilt")
    assert rebuilt.returncode == 0, rebuilt.stdout + rebuilt.stderr
    assert differences(live, states(tmp_path / "rebuilt")) == []
