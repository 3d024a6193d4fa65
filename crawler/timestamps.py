"""One timestamp format for everything the project writes: RFC 3339, in UTC, with ``Z``.

``2026-12-04T16:03:04.628161Z``: the form of a WARC-Date (WARC 1.1 allows the fraction), and so
of a record's ``fetched_at``, which is its WARC-Date; and of every moment we note ourselves: the
crawl's start and end in its markers and manifest, the times in its report, the crawl state.
Always six fraction digits, so that the strings sort as the moments do. Both sides write
timestamps (the crawl state on the engine side, the archive downstream), so the helper lives on
the lower side.

A page's own dates (``published_at``, ``modified_at``) are claims of the page: one with a zone
is given in this form (:func:`page_time`), but a bare date stays a date (``2024-05-01``:
inventing midnight would claim a precision the page does not give) and a local time without a
zone stays as the page gave it (no offset to convert with).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

__all__ = ["FORMAT", "PATTERN", "json_value", "page_time", "parse", "rfc3339", "utc_now"]

FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"
PATTERN = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z")  # FORMAT, to check it


def rfc3339(moment: datetime) -> str:
    """``moment`` (aware) in the one format; a naive one is refused, not guessed."""
    if moment.tzinfo is None:
        raise ValueError(f"{moment!r} has no time zone: a timestamp is written in UTC")
    return moment.astimezone(UTC).strftime(FORMAT)


def utc_now() -> str:
    return rfc3339(datetime.now(UTC))


def json_value(value: object) -> str:
    """``json.dumps``'s ``default`` for what JSON has no form for: a moment (Scrapy's stats
    hold its start and finish times) in the one format, anything else as text."""
    return rfc3339(value) if isinstance(value, datetime) else str(value)


def parse(text: str) -> datetime:
    """A timestamp in the one format (or any RFC 3339 date-time with a zone), aware."""
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise ValueError(f"{text!r} has no time zone")
    return moment.astimezone(UTC)


def page_time(text: str | None) -> str | None:
    """A page's date as a record gives it: a date-time with a zone in the one format; a bare
    date, a local time without a zone, or None, unchanged."""
    if text is None or len(text) <= 10:
        return text
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return text
    return text if moment.tzinfo is None else rfc3339(moment)
