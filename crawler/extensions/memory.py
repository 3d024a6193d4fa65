"""glibc's malloc told to give large blocks back, so that a long crawl's memory stays flat.

glibc serves a block of at least its *mmap threshold* with a mapping of its own, returned to the
system when freed, and smaller ones from its heap, which keeps what it once held. By default the
threshold grows to the size of the largest such block freed (up to 32 MiB): after a few large
pages, every body, decoded text and pickled hand-off of a page comes from the heap, which then
stays as large as the worst moment of the crawl made it (fragmented: at the close of a 3,000-page
crawl it held 74 MB free against 43 MB in use). A fixed threshold (``mallopt``) ends that
growth. ``MALLOC_MMAP_THRESHOLD`` (bytes) sets the crawl process's; 0 leaves glibc's default.
The extraction workers have their own, set in their forkserver (``pipelines.extract.worker``).
Elsewhere than glibc (musl, macOS), nothing is done.
"""

from __future__ import annotations

import ctypes
import logging
from typing import TYPE_CHECKING, Self

from crawler.config import ConfigError, integer

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

M_MMAP_THRESHOLD = -3  # mallopt's parameter, glibc's malloc.h
MMAP_THRESHOLD_MAX = 32 * 1024 * 1024  # glibc refuses more (HEAP_MAX_SIZE / 2 on 64 bits)


def fix_mmap_threshold(size: int) -> bool:
    """Blocks of `size` bytes and more in mappings of their own, from now on, in this process
    and those it forks; whether glibc took it."""
    mallopt = getattr(ctypes.CDLL(None), "mallopt", None)
    return mallopt is not None and bool(mallopt(M_MMAP_THRESHOLD, size))


class MallocThreshold:
    """Sets ``MALLOC_MMAP_THRESHOLD`` when the crawl is built (a bad value stops it there)."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        size = integer(crawler.settings, "MALLOC_MMAP_THRESHOLD", 0)
        if size > MMAP_THRESHOLD_MAX:
            raise ConfigError(
                f"setting MALLOC_MMAP_THRESHOLD: must be at most {MMAP_THRESHOLD_MAX} (32 MiB), "
                f"got {size}"
            )
        if size and not fix_mmap_threshold(size):
            logger.info("MALLOC_MMAP_THRESHOLD: not glibc's malloc, left as it is")
        return cls()
