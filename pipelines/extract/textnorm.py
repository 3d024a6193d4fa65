"""Text folding shared by the cleanup rules, the page context and the candidate scores.

Lines are compared in a folded form: casefolded, typographic quotes and dashes made plain, runs
of spaces made one, a list bullet ("- ", "• ") and surrounding marks removed. Folding is only for
comparing; the text that goes into a record keeps its original form.
"""

from __future__ import annotations

import re

__all__ = [
    "QUOTES_PLAIN",
    "TRAILING_MARKS",
    "WORD",
    "fold",
    "fold_marks",
    "reports_speech",
    "squash",
    "words",
]

# Typographic quotes, dashes and spaces as their plain forms; also used alone, keeping case.
QUOTES_PLAIN = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u00ab": '"',
        "\u00bb": '"',
        "\u00a0": " ",
        "\u2009": " ",
        "\u202f": " ",
        "\u200b": "",
        "\u2013": "-",
        "\u2014": "-",
        "\u2012": "-",
        "\u2212": "-",
    }
)
_NEEDS_PLAIN = re.compile("[" + "".join(map(chr, QUOTES_PLAIN)) + "]")
_BULLET = re.compile(r"^(?:[-*\u2022\u25aa\u25b8\u203a>]\s+)+")
TRAILING_MARKS = re.compile(r"[\s.!:|>\"\u00bb\u203a\u2013\u2014-]+$")
_LEADING_MARKS = re.compile(r"^[\s|<\"\u00ab\u2039\u2013\u2014-]+")
WORD = re.compile(r"\w+(?:['\u2019-]\w+)*")
# Sentences that report what someone said are news, whatever else they contain.
_REPORTING = re.compile(
    r"\b(?:said|says|say|told|tells|according|reported|reports|announced|added|wrote)\b", re.I
)


def fold(line: str) -> str:
    """Casefolded, plain-quoted, single-spaced form of a line, without a list bullet."""
    if _NEEDS_PLAIN.search(line):  # translate() is slow on long text: only when needed
        line = line.translate(QUOTES_PLAIN)
    return _BULLET.sub("", " ".join(line.split())).casefold()


def squash(text: str) -> str:
    """Single-spaced, without a list bullet: a cheaper key than `fold` for matching a line
    against the text of the element it came from (extractors keep case and quotes)."""
    return _BULLET.sub("", " ".join(text.split()))


def fold_marks(line: str) -> str:
    """`fold`, also without leading and trailing dashes, bars, arrows, colons and full stops:
    for labels that sites decorate ("- Advertisement -", "Read more »")."""
    return _LEADING_MARKS.sub("", TRAILING_MARKS.sub("", fold(line)))


def words(text: str) -> list[str]:
    return WORD.findall(text.casefold())


def reports_speech(line: str) -> bool:
    return bool(_REPORTING.search(line))
