"""What the extraction pool's forkserver imports once, before it forks any worker.

Workers are forked from the forkserver, so whatever is loaded here they have from the start
without paying for it again: the extractor's modules and py3langid's model, which takes about a
second to load and would otherwise be loaded by each worker on its first page; and jusText's
stoplist of all its languages (154,000 words, 27 MB as Python objects), which trafilatura builds
on its first fallback to jusText and keeps: built here once, it is shared by every worker instead
of copied into each one that met such a page. Then ``fix_mmap_threshold()
gc.freeze()``: the workers' collections
leave what was loaded here alone, so its memory stays shared with the forkserver instead of
being copied into each worker as the collector writes to it.

And glibc's malloc is told to serve blocks of 1 MiB and more with their own mappings, always:
by default the size from which it does grows with the largest block freed (up to 32 MiB), so
after a few large pages their buffers come from the heap, which then stays as large as the
largest page made it. A fixed size gives the memory of a large page back when it is done.

Workers ignore SIGINT: a Ctrl-C reaches the whole process group, and the crawl process handles it
as a pause (it closes its files and lets the workers finish what they hold). SIGTERM is left
alone: pebble stops a stuck worker with it.
"""

from __future__ import annotations

import ctypes
import gc
import signal

from justext.core import define_stoplist
from trafilatura.external import jt_stoplist_init

from pipelines.extract.core import extract
from pipelines.extract.language import warm_up

__all__ = ["extract"]

M_MMAP_THRESHOLD = -3  # glibc's mallopt parameter (malloc.h)
MMAP_THRESHOLD = 1024 * 1024


def fix_mmap_threshold() -> None:
    """Blocks of ``MMAP_THRESHOLD`` bytes and more in mappings of their own (glibc; elsewhere
    nothing). Inherited by every process forked after it."""
    mallopt = getattr(ctypes.CDLL(None), "mallopt", None)
    if mallopt is not None:
        mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD)


signal.signal(signal.SIGINT, signal.SIG_IGN)  # inherited by every worker forked from here
warm_up()
define_stoplist(jt_stoplist_init())  # both cached by their modules (trafilatura, jusText's lru)
fix_mmap_threshold()
gc.freeze()
