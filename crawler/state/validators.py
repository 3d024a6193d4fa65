"""The validators a server sent (``ETag``, ``Last-Modified``), checked before they are kept.

They go back to the server exactly as it sent them (quotes and a weak ``W/`` prefix kept: RFC
9110 lets ``If-None-Match`` use weak comparison), so a validator is kept only when sending it
back is safe and meaningful; anything else is dropped and counted, and the URL is requested
unconditionally next time, which costs bytes, never a missed change:

- an ``ETag`` longer than ``MAX_ETAG`` or holding control or non-ASCII characters
  (``state/etag_refused``): garbage that would only bloat requests and the state;
- a ``Last-Modified`` that is not an HTTP date (``state/last_modified_unparsable``), or one
  more than ``FUTURE_SLACK`` in the future (``state/last_modified_future``): sent back, it
  could make the server answer 304 until that date comes, whatever changes meanwhile.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime

MAX_ETAG = 512  # characters; real ETags are hashes or version stamps, far shorter
FUTURE_SLACK = timedelta(days=1)  # clock skew tolerated between the server and us
_ETAG = re.compile(r'(?:W/)?"[\x21\x23-\x7e]*"\Z|[\x21-\x7e]+\Z')  # RFC 9110, or a bare token


def etag(value: str | None, count: Callable[[str], None]) -> str | None:
    """The ETag to keep, or None."""
    if value is None or not value.strip():
        return None
    value = value.strip()
    if len(value) > MAX_ETAG or not _ETAG.match(value):
        count("state/etag_refused")
        return None
    return value


def last_modified(value: str | None, now: datetime, count: Callable[[str], None]) -> str | None:
    """The Last-Modified to keep, or None."""
    if value is None or not value.strip():
        return None
    value = value.strip()
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        moment = None
    if moment is None or moment.tzinfo is None or len(value) > 64:
        count("state/last_modified_unparsable")
        return None
    if moment > now + FUTURE_SLACK:
        count("state/last_modified_future")
        return None
    return value
