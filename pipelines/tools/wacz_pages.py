"""The page list of a WACZ (``pages/pages.jsonl``): which captures of the index are pages.

A page is a capture of an HTML document served with status 200: a response record, or a revisit
whose original is one (a re-crawl's unchanged article replays as its original, so it is a page of
the re-crawl too, at the revisit's time). The records copied from earlier crawls for the
revisits (``originals-{crawl}.warc.gz``) are not the crawl's pages.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator

from warcio.timeutils import timestamp_to_iso_date

PAGE_TYPES = frozenset({"text/html", "application/xhtml+xml"})


def is_page(mime: str | None, status: str | None) -> bool:
    return status == "200" and mime in PAGE_TYPES


def page_lines(block: list[str], skip: set[str], revisited: set[tuple[str, str]]) -> Iterator[str]:
    """The page entries of a block of CDXJ lines, with the capture's place (``_filename``,
    ``_offset``) for the titles; `skip`: WARC files that hold no page; `revisited`: the places
    of revisits whose original is a page."""
    for line in block:
        key_and_time, _, data = line.partition(" {")
        fields = json.loads("{" + data)
        if fields["filename"] in skip:
            continue
        place = (fields["filename"], fields["offset"])
        if is_page(fields.get("mime"), fields.get("status")) or place in revisited:
            timestamp = key_and_time.split(" ")[1]
            page = {
                "id": hashlib.sha256(f"{timestamp} {fields['url']}".encode()).hexdigest()[:32],
                "url": fields["url"],
                "ts": timestamp_to_iso_date(timestamp),
                "_filename": fields["filename"],
                "_offset": fields["offset"],
            }
            yield json.dumps(page) + "\n"
