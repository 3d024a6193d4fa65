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

from lxml.html import HtmlElement
from parsel import Selector
from pebble import ProcessPool

from crawler.itemlinks import ItemLinks, page_links
from pipelines.extract.charset import decode
from pipelines.extract.core import Extraction, extract, parse

PRELOAD = "pipelines.extract.worker"
# What a crawl's worker gives back for one article: the extraction, the item's links, and how
# the page's charset was found (``Decoded.source``).
PageResult = tuple[Extraction | None, ItemLinks, str]
# How many of an item's links it keeps, and the domains its related links must be on (None: any).
Scope = tuple[int, tuple[str, ...] | None]


def extract_page(body: bytes, url: str, headers: Mapping[str, str], scope: Scope) -> PageResult:
    """The extraction of one article, its links (`page_links_of`) and its charset's source,
    all in the worker from one decode and one parse: the reactor never walks the article's
    links or decodes its body for the item."""
    decoded = decode(body, headers)
    tree = parse(decoded)
    extraction = extract(body, url, headers, decoded, tree) if tree is not None else None
    return extraction, _tree_links(tree, url, scope), decoded.source


def page_links_of(body: bytes, url: str, headers: Mapping[str, str], scope: Scope) -> ItemLinks:
    """The item's links read as the worker reads them, for the pipeline when a worker failed:
    the first `scope` [0] links, related links on the domains `scope` [1]."""
    return _tree_links(parse(decode(body, headers)), url, scope)


def _tree_links(tree: HtmlElement | None, url: str, scope: Scope) -> ItemLinks:
    if tree is None:
        return ItemLinks((), ())
    return page_links(Selector(root=tree, type="html"), url, *scope)


class ExtractionPool:
    """``workers`` processes; a page past ``timeout`` seconds fails with
    ``concurrent.futures.TimeoutError`` and its worker is replaced (None: no limit)."""

    def __init__(self, workers: int, timeout: float | None) -> None:
        self.workers = workers
        self.timeout = timeout
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload([PRELOAD])
        # Blocking for a while on a loaded machine (the forkserver imports the extractor):
        # the crawl builds the pool in a thread. pebble starts the forkserver and the workers
        # on first use, which would be the first article's `submit_page`, on the reactor (a
        # second or more with the reactor blocked): `active` starts them here instead.
        self._pool = ProcessPool(max_workers=workers, context=context)
        if not self._pool.active:  # one of pebble's threads died: stop what did start
            self._pool.stop()  # type: ignore[no-untyped-call]
            self._pool.join()
            raise RuntimeError("the extraction pool did not start")

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
        scope: Scope,
    ) -> Future[PageResult]:
        """`extract_page` in a worker: the crawl's extraction, with the item's links, the
        first `scope` [0] of them, related links on the domains `scope` [1]."""
        future: Future[PageResult] = self._pool.schedule(
            extract_page, args=(body, url, dict(headers), scope), timeout=self.timeout
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
