"""When an exchange is archived as a ``revisit`` record, and the fields that say of what.

A URL in the crawl state was requested with its validators (``crawler.state.middleware``),
and the request carries the URL's last full capture (``crawler.meta.PREVIOUS_CAPTURE``). Then:

- a ``304 Not Modified`` to that conditional request is a revisit with the WARC 1.1 profile
  ``server-not-modified`` and an empty block (``Content-Length: 0``, which the profile allows,
  and no ``WARC-Payload-Digest``, which it does not): pywb replays such a revisit with the
  original's head and body, where a revisit holding the 304's head would replay as a 304. The
  request record shows the conditional request; the 304's validators go to the crawl state;
- a ``200`` whose payload digest equals the last capture's (a server that ignores validators,
  or sent none) is a revisit with the profile ``identical-payload-digest``: the response head
  is kept, the body is not stored, its ``WARC-Payload-Digest`` is.

Either points at the last full capture with ``WARC-Refers-To`` (its record id),
``WARC-Refers-To-Target-URI`` and ``WARC-Refers-To-Date``, by which pywb finds the original.
The field layout is that of warcio's ``RecordBuilder.create_revisit_record`` (whose profile
constant we use); the record is built by ``pipelines.warc.record``, which keeps an HTTP head
as received. A truncated body, or a 304 to a request that sent no validators, is never a
revisit.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from scrapy import Request
from scrapy.http import Response
from warcio.recordbuilder import RecordBuilder

from crawler.meta import CONDITIONAL, PREVIOUS_CAPTURE, truncated_body
from crawler.state.base import Capture
from pipelines.storage import Store
from pipelines.warc.record import sha256_digest

logger = logging.getLogger(__name__)

SERVER_NOT_MODIFIED = "http://netpreserve.org/warc/1.1/revisit/server-not-modified"
IDENTICAL_PAYLOAD_DIGEST: str = RecordBuilder.REVISIT_PROFILE_1_1
PROFILE_NAMES = {SERVER_NOT_MODIFIED: "server-not-modified"}
PROFILE_NAMES[IDENTICAL_PAYLOAD_DIGEST] = "identical-payload-digest"


@dataclass(frozen=True, slots=True)
class Revisit:
    profile: str  # the WARC-Profile URI
    refers_to: Capture  # the last full capture of the URL
    payload_digest: str | None  # the original payload's (identical-payload-digest only)

    @property
    def keeps_head(self) -> bool:
        """Whether the block holds the response's HTTP head (not for a 304)."""
        return self.profile == IDENTICAL_PAYLOAD_DIGEST

    @property
    def name(self) -> str:
        """The profile's short name, for stats."""
        return PROFILE_NAMES[self.profile]

    def fields(self, target_uri: str) -> list[tuple[str, str]]:
        """The WARC fields that tie the revisit to its original."""
        return [
            ("WARC-Profile", self.profile),
            ("WARC-Refers-To", self.refers_to.record_id),
            ("WARC-Refers-To-Target-URI", target_uri),
            ("WARC-Refers-To-Date", self.refers_to.date),
        ]


def revisit_of(request: Request, response: Response) -> Revisit | None:
    """The revisit this exchange is archived as, or None for a full response record."""
    previous = request.meta.get(PREVIOUS_CAPTURE)
    if not isinstance(previous, Capture) or previous.payload_digest is None:
        return None
    if response.status == 304:
        if not request.meta.get(CONDITIONAL):
            return None  # an answer to no question: archived as it came
        return Revisit(SERVER_NOT_MODIFIED, previous, None)
    if response.status != 200 or previous.status != 200:
        return None
    body, truncated = truncated_body(request, response)
    if truncated is not None or sha256_digest(body) != previous.payload_digest:
        return None
    return Revisit(IDENTICAL_PAYLOAD_DIGEST, previous, previous.payload_digest)


@dataclass
class Originals:
    """Whether the capture a revisit would point at is in the archive: asked of the store once
    per WARC file and run. A revisit of a capture that is not there (a lost file, a state from
    another archive) would replay nothing, so the exchange is archived in full instead, and a
    304 is fetched again without validators. A store that cannot say counts as "not there" for
    that exchange (and is asked again for the next): the cost is bytes, never a page."""

    store: Store
    crawl_id: str  # this crawl's own files are in the spool, or stored: present either way
    known: dict[str, bool] = field(default_factory=dict)

    def exist(self, capture: Capture) -> bool:
        key = capture.key
        if capture.crawl_id == self.crawl_id:
            return True
        if key not in self.known:
            try:
                found = self.store.exists(key)
            except Exception as exc:  # the store's own errors: asked again next time
                logger.warning("cannot tell whether %s is in the archive: %s", key, exc)
                return False
            self.known[key] = found
            if not found:
                logger.warning("%s is not in the archive: its URLs are archived in full", key)
        return self.known[key]
