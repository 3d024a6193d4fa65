"""What the extraction pool's forkserver imports once, before it forks any worker.

Workers are forked from the forkserver, so whatever is loaded here they have from the start
without paying for it again: the extractor's modules and py3langid's model, which takes about a
second to load and would otherwise be loaded by each worker on its first page; and jusText's
stoplist of all its languages (154,000 words, 27 MB as Python objects), which trafilatura builds
on its first fallback to jusText and keeps: built here once, it is shared by every worker instead
of copied into each one that met such a page. Then ``gc.freeze()``: the workers' collections
leave what was loaded here alone, so its memory stays shared with the forkserver instead of
being copied into each worker as the collector writes to it.

And glibc's malloc is told to serve blocks of 1 MiB and more with mappings of their own, always
(crawler/extensions/memory.py says why): a large page's memory goes back when it is done.

Workers ignore SIGINT: a Ctrl-C reaches the whole process group, and the crawl process handles it
as a pause (it closes its files and lets the workers finish what they hold). SIGTERM is left
alone: pebble stops a stuck worker with it.
"""

from __future__ import annotations

import gc
import signal

from justext.core import define_stoplist
from trafilatura.external import jt_stoplist_init

from crawler.extensions.memory import fix_mmap_threshold
from pipelines.extract.core import extract
from pipelines.extract.language import warm_up

__all__ = ["extract"]

MMAP_THRESHOLD = 1024 * 1024  # bytes (crawler/extensions/memory.py)

signal.signal(signal.SIGINT, signal.SIG_IGN)  # inherited by every worker forked from here
warm_up()
define_stoplist(jt_stoplist_init())  # both cached by their modules (trafilatura, jusText's lru)
fix_mmap_threshold(MMAP_THRESHOLD)  # inherited by every worker forked from here
gc.freeze()
