"""`scrapy upload-pending ARCHIVE_URI`: store what earlier crawls left in the spool.

A crawl that could not reach its store (an outage longer than ``STORE_DRAIN_TIMEOUT``, or a
process killed between a file closing and its upload) leaves closed files in the spool. This
sends those meant for ARCHIVE_URI (a closed WARC file whose CDXJ index a kill prevented is
indexed first), then each finished crawl's finished marker and, once every
process sharing its crawl id has finished, its manifest. A crawl whose process died never
finished: its files are stored, and its manifest waits for the crawl to be resumed with the same
``CRAWL_ID``, or for ``--close-interrupted``, which writes it marked ``"complete": false``.
Crawls still running are left alone. Exit status 0 when nothing is left for this store, 1
otherwise. Safe to run from cron: a file is never stored twice.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import IO

from crawler.timestamps import utc_now
from pipelines.archive.coordination import MARKERS
from pipelines.archive.spool import ConflictError, CrawlSpool, crawls
from pipelines.resume.repair import index_closed_warcs
from pipelines.storage import Store, StoreError

ATTEMPTS = 3  # per file, a second and then two seconds apart


def upload_pending(
    store: Store, spool_dir: Path, out: IO[str], *, close_interrupted: bool = False
) -> int:
    """Store the spool's waiting files for `store`; returns how many are still waiting."""
    left = 0
    for spool in crawls(spool_dir):
        target = (spool.info() or {}).get("store")
        if target != store.uri:
            print(f"skip  {spool.crawl_id}: its files go to {target}", file=out)
            continue
        if not spool.lock(exclusive=True):
            print(f"skip  {spool.crawl_id}: a running crawl is sending them", file=out)
            left += len(spool.waiting())
            continue
        try:
            left += _send(store, spool, out, close_interrupted)
        finally:
            spool.unlock()
    print(f"{'done' if not left else 'left'}: {left} file(s) still in {spool_dir}", file=out)
    return left


def _send(store: Store, spool: CrawlSpool, out: IO[str], close_interrupted: bool) -> int:
    try:
        spool.announce(store)  # the started marker first: nothing of a writer goes up before it
    except ConflictError as exc:
        print(f"CONFLICT {spool.folder}: {exc}", file=out)
        return len(spool.waiting())
    except (StoreError, OSError):
        pass  # it is the first waiting file: tried again below
    try:  # a kill came between their WARC's close and them
        for index in index_closed_warcs(spool, store=store):
            print(f"indexed {index.name}: the crawl's process died before it did", file=out)
    except Exception as exc:  # the files go up all the same; `verify` names what is missing
        print(f"could not index the WARC files in {spool.folder}: {exc}", file=out)
    for path in spool.waiting():
        for attempt in range(1, ATTEMPTS + 1):
            try:
                entry = spool.store_file(store, path, spool.records_of(path))
            except ConflictError as exc:
                print(f"CONFLICT {path}: {exc}", file=out)
                break
            except (StoreError, OSError) as exc:
                print(f"failed {path} (attempt {attempt}): {exc}", file=out)
                if attempt < ATTEMPTS:
                    time.sleep(attempt)
                continue
            print(f"stored {store.uri}{entry.key} ({entry.size:,} bytes)", file=out)
            break
    waiting = spool.waiting()
    if spool.finished() is None and close_interrupted and not waiting:
        spool.finish({"finished_at": utc_now(), "interrupted": True}, None)
    if spool.finished() is None:
        print(
            f"crawl {spool.crawl_id} did not finish: its manifest waits for the crawl to be "
            "resumed (same CRAWL_ID) or for --close-interrupted",
            file=out,
        )
        return len(waiting)
    try:
        key = spool.finalise(store)
    except StoreError as exc:
        print(f"failed to write the manifest of {spool.crawl_id}: {exc}", file=out)
        return max(len(waiting), 1)
    if key is not None and key.startswith(f"{MARKERS}/"):
        print(
            f"finished {store.uri}{key}; the manifest waits for the crawl's other writers", file=out
        )
    elif key is not None:
        print(f"manifest {store.uri}{key}", file=out)
    return len(waiting)
