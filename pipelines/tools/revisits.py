"""Revisit records and the captures they point at, found in the archive alone.

A ``revisit`` record (WARC/1.1, 6.7) holds no payload: it says that the payload is the one of an
earlier capture, named by ``WARC-Refers-To`` (its record id), ``WARC-Refers-To-Target-URI`` and
``WARC-Refers-To-Date``. That capture may be in the same crawl or in an earlier crawl of the
archive. `scrapy verify` checks that it exists, `scrapy wacz` copies it into the package, and
`scrapy reextract` counts revisits instead of extracting them.

Finding a target reads no WARC file whole: the archive's CDXJ indexes (``indexes/*/*.cdxj``,
small) give the captures of the target URI at the target date (and, for the
``identical-payload-digest`` profile, with the same payload digest), and then only the records at
those offsets are read, to compare their record id with ``WARC-Refers-To``. A record without the
``Refers-To`` fields is looked up as pywb looks it up: its own URI, and its payload digest.
Memory grows with the number of revisits, never with the archive.
"""

from __future__ import annotations

import io
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import IO, Any

from warcio.archiveiterator import ArchiveIterator
from warcio.timeutils import iso_date_to_timestamp

from pipelines.storage import ObjectMissingError, Store, StoreError
from pipelines.storage.base import CHUNK_SIZE
from pipelines.warc import cdxj

REVISIT_MIME = "warc/revisit"
IDENTICAL_PAYLOAD = "identical-payload-digest"  # the end of both WARC/1.0 and 1.1 profile URIs


@dataclass(frozen=True, slots=True)
class Revisit:
    """One revisit record, and what it says about its target."""

    key: str  # the WARC file holding the revisit
    record_id: str
    uri: str  # WARC-Target-URI
    profile: str
    refers_to: str | None  # WARC-Refers-To: the target's record id
    target_uri: str  # WARC-Refers-To-Target-URI, or the revisit's own URI
    target_date: str | None  # WARC-Refers-To-Date
    digest: str | None  # WARC-Payload-Digest

    @property
    def same_payload(self) -> bool:
        return self.profile.endswith(IDENTICAL_PAYLOAD)

    def describe(self) -> str:
        when = f" of {self.target_date}" if self.target_date else ""
        named = f" {self.refers_to}" if self.refers_to else ""
        return (
            f"revisit {self.record_id} of {self.uri}: its target{named} ({self.target_uri}{when})"
        )


@dataclass(frozen=True, slots=True)
class Capture:
    """A record where an index puts it."""

    key: str  # the WARC file
    offset: int
    length: int
    mime: str | None
    status: str | None = None  # the HTTP status the index gives


@dataclass(frozen=True, slots=True)
class Original:
    """A revisit's target, read from the archive."""

    capture: Capture
    record_id: str
    rec_type: str
    digest: str | None


def revisit_of(record: Any, key: str) -> Revisit | None:
    """The revisit a warcio record is, or None for any other record."""
    if record.rec_type != "revisit":
        return None
    headers = record.rec_headers
    uri = str(headers.get_header("WARC-Target-URI") or "")
    return Revisit(
        key=key,
        record_id=str(headers.get_header("WARC-Record-ID")),
        uri=uri,
        profile=str(headers.get_header("WARC-Profile") or ""),
        refers_to=headers.get_header("WARC-Refers-To"),
        target_uri=str(headers.get_header("WARC-Refers-To-Target-URI") or uri),
        target_date=headers.get_header("WARC-Refers-To-Date"),
        digest=headers.get_header("WARC-Payload-Digest"),
    )


def resolve(store: Store, revisits: Iterable[Revisit]) -> dict[str, Original | None]:
    """Each revisit's target by the revisit's record id; None where the archive holds none."""
    wanted: dict[str, list[Revisit]] = defaultdict(list)
    for revisit in revisits:
        wanted[cdxj.surt_key(revisit.target_uri)].append(revisit)
    if not wanted:
        return {}  # no index read for an archive without revisits
    candidates: dict[str, list[Capture]] = defaultdict(list)
    for index in store.list("indexes/"):
        if index.endswith(cdxj.SUFFIX):
            for revisit, capture in _matches(store, index, wanted):
                candidates[revisit.record_id].append(capture)
    originals = _read_captures(store, {c for found in candidates.values() for c in found})
    found: dict[str, Original | None] = {}
    for revisits_of_key in wanted.values():
        for revisit in revisits_of_key:
            confirmed = [
                originals[c]
                for c in candidates[revisit.record_id]
                if c in originals and _is_target(revisit, originals[c])
            ]
            found[revisit.record_id] = confirmed[0] if confirmed else None
    return found


def target_problem(revisit: Revisit, original: Original | None) -> tuple[str, str] | None:
    """What is wrong with a revisit's target, as (kind, detail), or None when it is sound."""
    if original is None:
        return "missing", f"{revisit.describe()} is in no WARC file of this archive"
    where = f"{original.capture.key} at {original.capture.offset}"
    if original.rec_type != "response":
        return "mismatch", f"{revisit.describe()} is a {original.rec_type} record ({where})"
    if revisit.same_payload and revisit.digest and revisit.digest != original.digest:
        return "mismatch", (
            f"{revisit.describe()} has payload digest {original.digest} ({where}), the revisit "
            f"says {revisit.digest}"
        )
    return None


def _matches(
    store: Store, index: str, wanted: dict[str, list[Revisit]]
) -> Iterator[tuple[Revisit, Capture]]:
    """The captures an index lists that may be the target of a wanted revisit."""
    crawl = index.split("/")[1]
    with store.get(index) as raw, io.TextIOWrapper(raw, encoding="utf-8") as lines:
        for line in lines:
            revisits = wanted.get(line.partition(" ")[0])
            entry = cdxj.parse_line(line) if revisits else None
            if entry is None or entry.mime == REVISIT_MIME:
                continue
            stamp = line.split(" ", 2)[1]
            for revisit in revisits or ():
                if _listed_target(revisit, entry, stamp):
                    key = f"warc/{crawl}/{entry.filename}"
                    place = Capture(key, entry.offset, entry.length, entry.mime, entry.status)
                    yield revisit, place


def _listed_target(revisit: Revisit, entry: cdxj.CdxjEntry, stamp: str) -> bool:
    if entry.url != revisit.target_uri:
        return False
    if revisit.target_date and iso_date_to_timestamp(revisit.target_date) != stamp:
        return False
    if not revisit.target_date and revisit.refers_to is None and revisit.digest:
        return entry.digest == revisit.digest  # no date, no id: pywb's lookup, by digest
    return True


def _is_target(revisit: Revisit, original: Original) -> bool:
    return revisit.refers_to is None or revisit.refers_to == original.record_id


def _read_captures(store: Store, captures: set[Capture]) -> dict[Capture, Original]:
    """The records at the captures' places, each WARC file read once, up to its last capture."""
    by_file: dict[str, list[Capture]] = defaultdict(list)
    for capture in captures:
        by_file[capture.key].append(capture)
    found: dict[Capture, Original] = {}
    for key, places in sorted(by_file.items()):
        try:
            with store.get(key) as stream:
                for capture, data in read_at(stream, sorted(places, key=lambda c: c.offset)):
                    original = _original(capture, data)
                    if original is not None:
                        found[capture] = original
        except StoreError:  # indexed but gone (verify says MISSING for it): no target there
            continue
    return found


def read_at(stream: IO[bytes], places: list[Capture]) -> Iterator[tuple[Capture, bytes]]:
    """The bytes at each place (sorted by offset), seeking where the stream can, else reading
    past what lies between (an S3 body); a place past the end gives what is there."""
    position = 0
    for place in places:
        if place.offset < position:  # overlapping entries: not an index of this file
            continue
        if stream.seekable():
            stream.seek(place.offset)
        else:
            while position < place.offset:
                skipped = stream.read(min(CHUNK_SIZE, place.offset - position))
                if not skipped:
                    break
                position += len(skipped)
        data = stream.read(place.length)
        position = place.offset + len(data)
        yield place, data


def _original(capture: Capture, data: bytes) -> Original | None:
    try:
        record = next(iter(ArchiveIterator(io.BytesIO(data))))
    except Exception:  # torn, or not a record: not a target
        return None
    headers = record.rec_headers
    return Original(
        capture=capture,
        record_id=str(headers.get_header("WARC-Record-ID")),
        rec_type=record.rec_type,
        digest=headers.get_header("WARC-Payload-Digest"),
    )


def revisit_count(store: Store, crawl_id: str, warc_keys: list[str]) -> int:
    """How many revisit records the crawl's WARC files hold: from their CDXJ indexes (small),
    or, for a file without one, from the file itself."""
    count = 0
    for key in warc_keys:
        name = cdxj.index_name(key.rpartition("/")[2])
        try:
            with store.get(f"indexes/{crawl_id}/{name}") as raw:
                count += sum(1 for line in raw if b'"mime": "warc/revisit"' in line)
        except ObjectMissingError:
            with store.get(key) as stream:
                count += sum(
                    record.rec_type == "revisit"
                    for record in ArchiveIterator(stream, no_record_parse=True)
                )
    return count
