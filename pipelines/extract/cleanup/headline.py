"""The headline repeated at the top of the text: it is the record's title, not body text.

Extractors often start the text with the headline again, and not always in the title's form:
with the kicker the page sets before it ("Premier League Rückschlag im Titelkampf", "Onlineversand
aus Fernost : Wie gefährlich ..."), without the kicker the title carries ("Orden fürs Morden" for
"Nationaler Veteranentag: Orden fürs Morden"), with or without a site suffix ("... | wdr aktuell",
"... - Güncel"), and after a section label on the line before. `drop_repeated_headline` removes,
among the first `HEAD_LINES` lines and before any line of more than `MAX_AFFIX_WORDS` words,
each line that is the title in one of these forms: equal after folding, or the one a part of
the other with a kicker of at most `MAX_AFFIX_WORDS` words before it, or a suffix of as many
words after it set off by a bar or a dash. A lead sentence that starts with the headline's
words goes on after a comma or with more words, and stays.
"""

from __future__ import annotations

import re

from pipelines.extract.textnorm import fold_marks

__all__ = ["HEAD_LINES", "MAX_AFFIX_WORDS", "drop_repeated_headline", "is_headline_again"]

HEAD_LINES = 3
MAX_AFFIX_WORDS = 5
_MIN_PART_WORDS = 3  # a shorter line is a label, whatever title it ends
_SUFFIX_MARK = re.compile(r"[!?.]*\s*[|/\u00b7\u2013\u2014-]")


def drop_repeated_headline(lines: list[str], title: str | None) -> list[str]:
    """`lines` without the headline again at the top: among the first `HEAD_LINES`, as long as
    the lines before it are labels (a section name, a kicker, a video's running time) of at
    most `MAX_AFFIX_WORDS` words; after a sentence of text a headline-like line stays."""
    if not title or not fold_marks(title):
        return lines
    kept: list[str] = []
    for index, line in enumerate(lines):
        at_top = index < HEAD_LINES and all(len(k.split()) <= MAX_AFFIX_WORDS for k in kept)
        if not (at_top and is_headline_again(line, title)):
            kept.append(line)
    return kept


def is_headline_again(line: str, title: str) -> bool:
    headline, folded = fold_marks(title), fold_marks(line)
    if not folded or not headline:
        return False
    if folded == headline:
        return True
    shorter, longer = sorted((folded, headline), key=len)
    if len(shorter.split()) < _MIN_PART_WORDS or shorter not in longer:
        return False
    before, _, after = longer.partition(shorter)
    return _is_affix(before.strip(), after.strip())


def _is_affix(before: str, after: str) -> bool:
    """A kicker before the headline (a mark after it or none) or a site suffix after it that a
    bar or dash sets off ("| wdr aktuell", "! - güncel"), of at most `MAX_AFFIX_WORDS` words;
    not both. A comma goes on with the sentence ("..., the minister said") and is no suffix."""
    if before and after:
        return False
    extra = before or after
    if len(extra.split()) > MAX_AFFIX_WORDS:
        return False
    return bool(before) or bool(_SUFFIX_MARK.match(extra))
