"""What the archive tells the operator when a crawl ends: written, waiting, or paused, and how to
go on from there. One place for these lines, so that they stay the same wherever a crawl ends."""

from __future__ import annotations

import logging
from pathlib import Path

from pipelines.archive.spool import CrawlSpool

logger = logging.getLogger("pipelines.archive.session")


def finalised(
    key: str | None, left: list[Path], spool: CrawlSpool, store_uri: str, archive_uri: str
) -> bool:
    """Say what ``CrawlSpool.finalise`` did (``key``: the object it wrote, if any) or what the
    manifest waits for; whether this process's part of the crawl is complete in the store."""
    if key is not None and key.startswith("writers/"):
        logger.info(
            "this process's part of crawl %s is stored (%s%s); the manifest is written by the "
            "last of its processes to finish",
            spool.crawl_id,
            store_uri,
            key,
        )
        return True
    if key is not None:
        logger.info("manifest %s%s written", store_uri, key)
        return True
    if left:
        logger.warning(
            "%d file(s) of crawl %s could not be stored in %s and are kept in %s; they go up "
            "at the next crawl's start, or now with: scrapy upload-pending %s",
            len(left),
            spool.crawl_id,
            store_uri,
            spool.folder,
            archive_uri,
        )
    elif spool.finished() is None:
        logger.warning(
            "crawl %s was interrupted: its files are stored, its manifest waits for the "
            "crawl to be resumed (CRAWL_ID=%s) or closed with: scrapy upload-pending %s "
            "--close-interrupted",
            spool.crawl_id,
            spool.crawl_id,
            archive_uri,
        )
    return False


def paused(crawl_id: str, why: str | None, folder: Path, jobdir: Path | None) -> None:
    if jobdir is not None:
        how = f"run the same command again, with the same JOBDIR ({jobdir})"
    else:
        how = f"run the same command again with -s CRAWL_ID={crawl_id} -s JOBDIR=<a new folder>"
    logger.warning(
        "crawl %s stopped before its end (%s): it is paused, not complete, and has no "
        "manifest; its files are closed and stored or kept in %s. To finish it, %s",
        crawl_id,
        why,
        folder,
        how,
    )
