"""Whether glibc's malloc gives a large block back when it is freed (crawler/extensions/memory.py),
read in the process that runs it (a worker, a crawl)."""

from __future__ import annotations

from pathlib import Path


def kept_after_a_large_block() -> int:
    """How much memory a 24 MiB block freed keeps, once a 30 MiB one was freed
    (less than the 32 MiB up to which glibc's default threshold moves)."""

    def anonymous() -> int:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("RssAnon:"):
                return int(line.split()[1]) * 1024
        raise AssertionError("no RssAnon in /proc/self/status")

    larger = bytearray(30 << 20)
    del larger
    before = anonymous()
    block = bytearray(24 << 20)
    del block
    return anonymous() - before
