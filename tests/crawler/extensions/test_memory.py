"""MALLOC_MMAP_THRESHOLD: a crawl process whose malloc gives large blocks back, and a bad value
refused when the crawl is built. The threshold is process-wide, so it is tried in a process of
its own, never in pytest's."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from scrapy.utils.test import get_crawler

from crawler.config import ConfigError
from crawler.extensions.memory import MallocThreshold

ROOT = Path(__file__).resolve().parents[3]
KEPT = """
import sys
from scrapy.utils.test import get_crawler
from crawler.extensions.memory import MallocThreshold
from tests.malloc import kept_after_a_large_block
MallocThreshold.from_crawler(get_crawler(settings_dict={{"MALLOC_MMAP_THRESHOLD": {size}}}))
print(kept_after_a_large_block())
"""


def kept(size: int) -> int:
    """What a large block freed keeps in a fresh process whose setting is `size`."""
    result = subprocess.run(
        [sys.executable, "-c", KEPT.format(size=size)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return int(result.stdout)


def test_a_fixed_threshold_gives_a_large_block_back() -> None:
    assert kept(1024 * 1024) < 1 << 20
    assert kept(0) > 20 << 20  # glibc's default: the block stays in the heap


@pytest.mark.parametrize("value", ["-1", "lots", str(64 * 1024 * 1024)])
def test_a_bad_threshold_stops_the_crawl_naming_the_setting(value: str) -> None:
    crawler = get_crawler(settings_dict={"MALLOC_MMAP_THRESHOLD": value})
    with pytest.raises(ConfigError, match="setting MALLOC_MMAP_THRESHOLD"):
        MallocThreshold.from_crawler(crawler)
