"""What the extraction pool's forkserver imports once, before it forks any worker.

Workers are forked from the forkserver, so whatever is loaded here they have from the start
without paying for it again: the extractor's modules and py3langid's model, which takes about a
second to load and would otherwise be loaded by each worker on its first page.
"""

from __future__ import annotations

from pipelines.extract.core import extract
from pipelines.extract.language import warm_up

__all__ = ["extract"]

warm_up()
