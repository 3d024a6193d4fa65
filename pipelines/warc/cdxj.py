"""CDXJ indexes, the form pywb, ReplayWeb.page and WACZ read.

One line per indexed record: ``{SURT key} {14-digit timestamp} {JSON}``, the JSON holding url,
mime, status, digest, length, offset and filename, sorted as text so that readers can binary
search. The lines are byte for byte those of cdxj-indexer (the indexer of pywb and py-wacz): the
same fields in the same order, every value a string, ``json.dumps``' default separators, and
SURT keys from the ``surt`` package that pywb uses to look URLs up. The same records are indexed:
responses, revisits, resources and metadata, except ``application/warc-fields`` metadata (our
per-article records), which is not a capture and must not shadow the page in replay.

The WARC writer builds the entries as it writes (``entry``) and writes one index per closed file;
``index_warc`` builds the same lines by reading a WARC, for files that have no index.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import surt
from warcio.archiveiterator import ArchiveIterator
from warcio.timeutils import iso_date_to_timestamp, timestamp_to_iso_date

INDEXED_TYPES = frozenset({"response", "revisit", "resource", "metadata"})
NOT_INDEXED_CONTENT_TYPE = "application/warc-fields"
SUFFIX = ".cdxj"
REVISIT_MIME = "warc/revisit"  # the mime of every revisit record's line, as pywb indexes it
_MIME_END = re.compile(r"[;\s]")


@dataclass(frozen=True, slots=True)
class CdxjEntry:
    """One index line: a capture of ``url`` and where its record lives in which WARC file."""

    url: str
    date: str  # the record's WARC-Date
    mime: str | None
    status: str | None  # HTTP status code, as text; None for records without one
    digest: str | None  # WARC-Payload-Digest
    length: int  # of the record in the file (its gzip member)
    offset: int
    filename: str

    def line(self) -> str:
        fields: dict[str, str] = {"url": self.url}
        optional = {"mime": self.mime, "status": self.status, "digest": self.digest}
        fields.update((name, value) for name, value in optional.items() if value is not None)
        fields.update(length=str(self.length), offset=str(self.offset), filename=self.filename)
        return f"{surt_key(self.url)} {iso_date_to_timestamp(self.date)} {json.dumps(fields)}\n"


def parse_line(line: str) -> CdxjEntry | None:
    """The entry an index line holds; None for a line that is not one (torn by a crash)."""
    try:
        _, stamp, data = line.split(" ", 2)
        fields = json.loads(data)
        return CdxjEntry(
            url=fields["url"],
            date=timestamp_to_iso_date(stamp),
            mime=fields.get("mime"),
            status=fields.get("status"),
            digest=fields.get("digest"),
            length=int(fields["length"]),
            offset=int(fields["offset"]),
            filename=fields["filename"],
        )
    except (ValueError, KeyError, TypeError):
        return None


def surt_key(url: str) -> str:
    try:
        return str(surt.surt(url))
    except Exception:  # surt rejects some malformed URLs; cdxj-indexer then keys by the URL
        return url


def mime_type(content_type: str | None) -> str | None:
    """The media type alone, as cdxj-indexer writes it ("text/html; charset=utf-8": "text/html")."""
    if not content_type:
        return content_type
    return _MIME_END.split(content_type, maxsplit=1)[0].strip()


def index_name(warc_name: str) -> str:
    """``x.warc.gz`` -> ``x.cdxj``: the index of a WARC file is stored under the same name."""
    for suffix in (".warc.gz", ".warc"):
        if warc_name.endswith(suffix):
            return warc_name.removesuffix(suffix) + SUFFIX
    return warc_name + SUFFIX


def sorted_lines(entries: Iterable[CdxjEntry]) -> list[str]:
    """Lines in text order, each once (cdxj-indexer's ``--sort``)."""
    return sorted({entry.line() for entry in entries})


def write_index(path: Path, entries: Iterable[CdxjEntry]) -> int:
    """Write a sorted index; returns the number of lines."""
    lines = sorted_lines(entries)
    with open(path, "x", encoding="utf-8", newline="") as out:
        out.writelines(lines)
    return len(lines)


def index_warc(stream: IO[bytes], filename: str) -> Iterator[CdxjEntry]:
    """The entries of every indexed record of one WARC file, in file order."""
    iterator = ArchiveIterator(stream)
    for record in iterator:
        if not is_indexed(record.rec_type, record.rec_headers.get_header("Content-Type")):
            continue
        entry = _entry_of(record)
        iterator.read_to_end(record)
        yield CdxjEntry(
            **entry,
            length=iterator.get_record_length(),
            offset=iterator.get_record_offset(),
            filename=filename,
        )


def is_indexed(record_type: str, content_type: str | None) -> bool:
    if record_type not in INDEXED_TYPES:
        return False
    return not (
        record_type in ("resource", "metadata") and content_type == NOT_INDEXED_CONTENT_TYPE
    )


def _entry_of(record: Any) -> dict[str, Any]:
    http = record.http_headers
    if record.rec_type == "revisit":
        mime: str | None = REVISIT_MIME
    elif record.rec_type == "response":
        mime = mime_type(http.get_header("Content-Type") if http else None)
    else:
        mime = mime_type(record.rec_headers.get_header("Content-Type"))
    status = None
    if record.rec_type in ("response", "revisit") and http:
        status = http.get_statuscode()
    return {
        "url": record.rec_headers.get_header("WARC-Target-URI"),
        "date": record.rec_headers.get_header("WARC-Date"),
        "mime": mime,
        "status": status,
        "digest": record.rec_headers.get_header("WARC-Payload-Digest"),
    }
