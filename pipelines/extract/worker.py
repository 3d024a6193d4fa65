"""What the extraction pool's forkserver imports once, before it forks any worker.

Workers are forked from the forkserver, so whatever is loaded here they have from the start
without paying for it again: the extractor's modules and py3langid's model, which takes about a
second to load and would otherwise be loaded by each worker on its first page.

Workers ignore SIGINT: a Ctrl-C reaches the whole process group, and the crawl process handles it
as a pause (it closes its files and lets the workers finish what they hold). SIGTERM is left
alone: pebble stops a stuck worker with it.
"""

from __future__ import annotations

import signal

from pipelines.extract.core import extract
from pipelines.extract.language import warm_up

__all__ = ["extract"]

signal.signal(signal.SIGINT, signal.SIG_IGN)  # inherited by every worker forked from here
warm_up()
