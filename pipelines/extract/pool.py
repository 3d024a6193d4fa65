"""The one extraction pool: worker processes that run :func:`pipelines.extract.core.extract`.

The crawl's extraction pipeline and ``scrapy reextract`` both use it. It is pebble's
``ProcessPool``: the standard library's ``ProcessPoolExecutor`` cannot stop one task, while
pebble kills a worker whose page runs past its timeout and starts a fresh one in its place.
Workers come from a forkserver that has imported the extractor once
(``pipelines.extract.worker``), so they start fast and never inherit the parent's threads.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Mapping
from concurrent.futures import Future

from parsel import Selector
from pebble import ProcessPool

from crawler.itemlinks import ItemLinks, page_links
from pipelines.extract.charset import decode
from pipelines.extract.core import Extraction, extract, parse

PRELOAD = "pipelines.extract.worker"
# What a crawl's worker gives back for one article: the extraction, the item's links, and how
# the page's charset was found (``Decoded.source``).
PageResult = tuple[Extraction | None, ItemLinks, str]


def extract_page(
    body: bytes,
    url: str,
    headers: Mapping[str, str],
    max_links: int,
    domains: tuple[str, ...] | None,
) -> PageResult:
    """The extraction of one article, its links (``crawler.itemlinks.page_links``) and its
    charset's source, all in the worker from one decode and one parse: the reactor never
    walks the article's links or decodes its body for the item."""
    decoded = decode(body, headers)
    tree = parse(decoded)
    if tree is None:
        return None, ItemLinks((), ()), decoded.source
    links = page_links(Selector(root=tree, type="html"), url, max_links, domains)
    return extract(body, url, headers, decoded, tree), links, decoded.source


class ExtractionPool:
    """``workers`` processes; a page past ``timeout`` seconds fails with
    ``concurrent.futures.TimeoutError`` and its worker is replaced (None: no limit)."""

    def __init__(self, workers: int, timeout: float | None) -> None:
        self.workers = workers
        self.timeout = timeout
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload([PRELOAD])
        # Blocking for a while on a loaded machine (the forkserver imports the extractor):
        # the crawl builds the pool in a thread.
        self._pool = ProcessPool(max_workers=workers, context=context)

    def submit(
        self, body: bytes, url: str, headers: Mapping[str, str]
    ) -> Future[Extraction | None]:
        future: Future[Extraction | None] = self._pool.schedule(
            extract, args=(body, url, dict(headers)), timeout=self.timeout
        )
        return future

    def submit_page(
        self,
        body: bytes,
        url: str,
        headers: Mapping[str, str],
        scope: tuple[int, tuple[str, ...] | None],
    ) -> Future[PageResult]:
        """`extract_page` in a worker: the crawl's extraction, with the item's links, the
        first `scope` [0] of them, related links on the domains `scope` [1]."""
        future: Future[PageResult] = self._pool.schedule(
            extract_page, args=(body, url, dict(headers), *scope), timeout=self.timeout
        )
        return future

    def close(self, grace: float | None = None) -> None:
        """Let the workers finish what they hold (at most ``grace`` seconds), then stop them."""
        self._pool.close()  # type: ignore[no-untyped-call]  # pebble leaves these unannotated
        try:
            self._pool.join(timeout=grace)
        except TimeoutError:  # a worker still busy after the grace period is stuck
            self._pool.stop()  # type: ignore[no-untyped-call]
            self._pool.join()

    def __enter__(self) -> ExtractionPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
