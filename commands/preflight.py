"""The store, checked before a crawl's first request: `scrapy crawl` calls `check_store` right
after `validate`, so that a store that cannot take the archive stops the crawl with one
``error:`` line and exit status 2, instead of a crawl whose every file waits in the spool.

Refused: a store URI that names no store (``ftp://...``, ``s3://`` without a bucket), a folder
that cannot be created or written (read-only, permission denied, a file in the way), a bucket
that does not exist or that the credentials may not write, an endpoint that does not answer.
``-s STORE_PREFLIGHT=False`` skips the probe (to crawl while the store is down on purpose, and
send the spool later with ``scrapy upload-pending``); a bad URI is refused all the same.
"""

from __future__ import annotations

from scrapy.settings import BaseSettings

from crawler.config import ConfigError
from pipelines.archive.config import ArchiveConfig
from pipelines.storage import StoreError, open_store
from pipelines.storage.config import StoreConfig

__all__ = ["StoreRefusedError", "check_store"]


class StoreRefusedError(ConfigError):
    """The crawl's store cannot be used; the message names it, never a credential."""


def check_store(settings: BaseSettings) -> None:
    """Open the crawl's store and probe it (unless STORE_PREFLIGHT is off); raise
    `StoreRefusedError` with a one-line reason when it cannot take the archive."""
    uri = ArchiveConfig.from_settings(settings).uri
    config = StoreConfig.from_settings(settings)
    try:
        store = open_store(uri, config.options)
        if config.preflight:
            store.preflight()
    except StoreError as exc:
        raise StoreRefusedError(f"store {exc}") from exc
