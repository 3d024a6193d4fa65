"""The earlier captures a crawl's revisit records point at, for its WACZ package.

A re-crawl stores an unchanged page as a revisit record, whose payload is in an earlier crawl's
WARC file. A WACZ of the re-crawl alone would then replay those pages without a body, so
`scrapy wacz` adds one more WARC file to the package, ``originals-{crawl}.warc.gz``, holding a
copy of each target record that is not in the crawl itself: its gzip member copied byte for byte
(each record is its own member), so its record id, date and digests are the original's, and
``WARC-Refers-To`` still names it. Only those records are read from the earlier WARC files, at
the offsets the archive's CDXJ indexes give (pipelines/tools/revisits.py).

A revisit whose target the archive does not hold stops the command: the package would not
replay on its own, and `scrapy verify` names the revisit.
"""

from __future__ import annotations

import io
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

from pipelines.storage import Store
from pipelines.tools.revisits import (
    REVISIT_MIME,
    Capture,
    Original,
    Revisit,
    read_at,
    resolve,
    revisit_of,
)
from pipelines.tools.wacz_pages import is_page
from pipelines.warc import cdxj


class MissingOriginalError(Exception):
    """A revisit's target is in no WARC file of the archive."""


@dataclass(frozen=True, slots=True)
class Originals:
    revisits: int  # in the crawl
    copied: int  # records of other crawls copied
    pages: set[tuple[str, str]]  # (file name, offset) of the revisits whose original is a page


def originals_name(crawl_id: str) -> str:
    return f"originals-{crawl_id}.warc.gz"


def write_originals(store: Store, crawl_id: str, indexes: list[Path], output: Path) -> Originals:
    """Copy the targets of the crawl's revisits that lie outside the crawl into `output` (a
    WARC file), given the crawl's local CDXJ indexes. No file is written when nothing needs
    copying."""
    places = dict(_revisits(store, crawl_id, indexes))
    targets = resolve(store, places.values())
    outside: set[Capture] = set()
    pages: set[tuple[str, str]] = set()
    for place, revisit in places.items():
        original = targets.get(revisit.record_id)
        if original is None:
            raise MissingOriginalError(
                f"{revisit.describe()} (in {revisit.key}) is in no WARC file of {store.uri}: "
                "the package would not replay it; `scrapy verify` lists every such revisit"
            )
        if not _in_crawl(original, crawl_id):
            outside.add(original.capture)
        if is_page(original.capture.mime, original.capture.status):
            pages.add((place.key.rpartition("/")[2], str(place.offset)))
    if outside:
        with open(output, "xb") as out:
            for _capture, data in _copies(store, outside):
                out.write(data)
    return Originals(len(places), len(outside), pages)


def _in_crawl(original: Original, crawl_id: str) -> bool:
    return original.capture.key.startswith(f"warc/{crawl_id}/")


def _revisits(
    store: Store, crawl_id: str, indexes: list[Path]
) -> Iterator[tuple[Capture, Revisit]]:
    """The crawl's revisit records, found through its index and read where it puts them."""
    places: dict[str, list[Capture]] = defaultdict(list)
    for path in indexes:
        with open(path, encoding="utf-8") as lines:
            for line in lines:
                entry = cdxj.parse_line(line)
                if entry is not None and entry.mime == REVISIT_MIME:
                    key = f"warc/{crawl_id}/{entry.filename}"
                    places[key].append(Capture(key, entry.offset, entry.length, entry.mime))
    for key, captures in sorted(places.items()):
        with store.get(key) as stream:
            for capture, data in read_at(stream, sorted(captures, key=lambda c: c.offset)):
                for record in ArchiveIterator(io.BytesIO(data)):
                    revisit = revisit_of(record, key)
                    if revisit is not None:
                        yield capture, revisit


def _copies(store: Store, captures: set[Capture]) -> Iterator[tuple[Capture, bytes]]:
    """The bytes of each capture, file by file in key order, each file read once."""
    by_file: dict[str, list[Capture]] = defaultdict(list)
    for capture in captures:
        by_file[capture.key].append(capture)
    for key, places in sorted(by_file.items()):
        with store.get(key) as stream:
            yield from read_at(stream, sorted(places, key=lambda c: c.offset))
