"""Cleanup rules for bare labels a page prints around an article: advertising labels,
pagination, and timestamps or reading times alone on their line.

Every rule matches a *whole line* of a recognisable shape: an exact label, a line made only of
furniture words, or a short call to the reader. A sentence that reports news (it says "said",
"told", "according to" ...) is never furniture. Only exact labels and whole-line shapes count,
so "Advertisement spending rose" and "The vote is on 12 October" stay.
"""

from __future__ import annotations

import re

from pipelines.extract.textnorm import fold, fold_marks, words

__all__ = ["is_ad_label", "is_pagination", "is_timestamp", "labels"]


def labels(*texts: str) -> frozenset[str]:
    """The set of `texts` folded as `fold_marks` folds a line, for exact whole-line matches."""
    return frozenset(fold_marks(text) for text in texts)


def _word_set(text: str) -> frozenset[str]:
    return frozenset(text.split())


# --- advertising labels and pagination -----------------------------------------------------------

_AD_LABELS = labels(
    "Advertisement",
    "Advertising",
    "Ad",
    "Ads",
    "Sponsored",
    "Sponsored content",
    "Paid content",
    "Partner content",
    "Story continues below advertisement",
    "Article continues below advertisement",
    "Article continues below",
    "Continue reading below",
    "Scroll to continue with content",
    "Publicidad",
    "Anuncio",
    "Publicité",
    "Anzeige",
    "Werbung",
    "Reklama",
    "Реклама",
    "广告",
    "Publicidade",
)
_PAGINATION = re.compile(
    r"^(?:page \d+ (?:of|/) \d+|(?:next|previous|prev|older|newer)(?: (?:page|post|article))?"
    r"|continue (?:reading )?(?:on|to) (?:the )?(?:next )?page(?: \d+)?|continued on (?:the )?"
    r"next page|\d+(?: (?:\.\.\.|\u2026 )?\d+)+(?: (?:next|previous))?|\d+ (?:next|previous)"
    r"|página siguiente|page suivante)$"
)


def is_ad_label(line: str) -> bool:
    """An advertising label ("Advertisement", "- Advertisement -", "Story continues below
    advertisement", "Publicidad"). Exact labels only: "Advertisement spending rose" stays."""
    return len(line) <= 60 and fold_marks(line) in _AD_LABELS


def is_pagination(line: str) -> bool:
    """Pagination furniture: "Page 1 of 3", "Next page »", "1 2 3 Next", "Continue reading on
    the next page". Whole lines only; "The next page of the report lists ..." stays."""
    return len(line) <= 80 and bool(_PAGINATION.match(fold_marks(line)))


# --- bare timestamps and reading times -----------------------------------------------------------

_TIME_WORDS = _word_set(
    """jan feb mar apr may jun jul aug sep sept oct nov dec january february march april june july
    august september october november december mon tue wed thu fri sat sun monday tuesday wednesday
    thursday friday saturday sunday am pm a m p m ago min mins minute minutes hour hours hr hrs h
    day days week weeks month months year years sec secs second seconds updated update published
    posted last modified on at gmt utc bst cet cest est edt pst pdt cst cdt ist jst aest z
    read reading time today yesterday just now de del enero febrero marzo abril mayo junio julio
    agosto septiembre octubre noviembre diciembre hace horas hora minutos actualizado publicado
    lunes martes miércoles jueves viernes sábado domingo le à il y a janvier février mars avril
    mai juin juillet août septembre octobre novembre décembre um uhr"""
)


def is_timestamp(line: str) -> bool:
    """A line that is only a date, a time, a relative time or a reading time ("2 hours ago",
    "12 Oct 2022", "Updated: October 12, 2022 9:12 am BST", "5 min read"), as teaser rails and
    datelines print them. Every word must be a date or time word or a number, with a number
    present and a time word or a date's shape ("12/10/2022", "14:32"); any other word ("The
    vote is on 12 October") makes it a sentence, and a bare number stays."""
    if len(line) > 100:
        return False
    tokens = words(fold(line))
    if not tokens or len(tokens) > 14 or not any(char.isdigit() for char in line):
        return False
    if not all(token.isdigit() or token in _TIME_WORDS or _is_clock(token) for token in tokens):
        return False
    # a bare number ("2022", "14") is no timestamp: it needs a time word or a date's shape
    dated = any(token in _TIME_WORDS or _is_clock(token) for token in tokens)
    return dated or bool(re.search(r"\d[:/.]\d", line))


def _is_clock(token: str) -> bool:
    """ "9am", "14h30", "12th", "2h": a number glued to a time unit or ordinal suffix."""
    return bool(re.fullmatch(r"\d+(?:st|nd|rd|th|am|pm|h|hrs?|mins?|m|s|d)(?:\d+)?", token))
