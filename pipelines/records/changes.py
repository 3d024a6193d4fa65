"""What changed between two versions of an article: the ``changes`` of a version-2+ record.

Sentences are compared as multisets (a sentence moved is neither added nor removed), split at
line breaks and after ``.``, ``!`` or ``?`` followed by white space. The unified diff is of
the text's lines (paragraphs), cut at ``MAX_DIFF_BYTES`` of UTF-8 on a line boundary, and says
so (``diff_truncated``): a record stays small whatever the edit.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from typing import Any

MAX_DIFF_BYTES = 4096
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+|\n+")


def sentences(text: str) -> Counter[str]:
    return Counter(s.strip() for s in _SENTENCE_END.split(text) if s.strip())


def changes(
    old_title: str | None, new_title: str | None, old_text: str, new_text: str
) -> dict[str, Any]:
    """The ``changes`` object of a record whose text or title changed since ``old_*``."""
    before, after = sentences(old_text), sentences(new_text)
    diff, truncated = unified_diff(old_text, new_text)
    return {
        "title_changed": old_title != new_title,
        "previous_title": old_title if old_title != new_title else None,
        "sentences_added": sum((after - before).values()),
        "sentences_removed": sum((before - after).values()),
        "diff": diff,
        "diff_truncated": truncated,
    }


def unified_diff(old_text: str, new_text: str) -> tuple[str, bool]:
    """The unified diff of the two texts' lines, at most MAX_DIFF_BYTES; and whether cut."""
    lines = difflib.unified_diff(
        old_text.splitlines(), new_text.splitlines(), "previous", "current", lineterm="", n=1
    )
    kept: list[str] = []
    size = 0
    for line in lines:
        size += len(line.encode("utf-8")) + 1
        if size > MAX_DIFF_BYTES:
            return "\n".join(kept), True
        kept.append(line)
    return "\n".join(kept), False
