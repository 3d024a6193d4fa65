"""WACZ 1.1.1 packages of one crawl, for ReplayWeb.page and anyone who needs the crawl as one file.

``scrapy wacz ARCHIVE_URI --crawl ID -o FILE.wacz`` writes a ZIP holding::

    archive/*.warc.gz        the crawl's WARC files, stored (not compressed again) for range reads
    indexes/index.cdx.gz     the crawl's CDXJ index in gzip blocks of 300 lines, stored
    indexes/index.idx        one line per block: its first key, offset, length and SHA-256
    pages/pages.jsonl        the HTML pages served with status 200 (titles from the clean records)
    datapackage.json         every file's path, size and SHA-256; WACZ version, title, dates
    datapackage-digest.json  the SHA-256 of datapackage.json

It streams: WARC files are copied from the store into the ZIP piece by piece, and the index is
merged from the per-file CDXJ indexes (``indexes/{crawl}/*.cdxj``; a WARC without one is indexed
on the spot) through temporary files. When the crawl has a manifest, each WARC's size and SHA-256
are checked against it as it is copied, so a damaged file is never packaged. The records of
earlier crawls that revisits point at are added too (pipelines/tools/wacz_originals.py).
"""

from __future__ import annotations

import gzip
import hashlib
import heapq
import json
import tempfile
import zipfile
from collections.abc import Iterable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from pipelines.archive.versions import software_versions
from pipelines.storage import LocalStore, ObjectMissingError, Store
from pipelines.storage.base import json_bytes
from pipelines.tools.wacz_originals import MissingOriginalError, originals_name, write_originals
from pipelines.tools.wacz_pages import page_lines
from pipelines.warc import cdxj
from pipelines.warc.reader import warc_keys

WACZ_VERSION = "1.1.1"
BLOCK_LINES = 300  # CDXJ lines per gzip block of index.cdx.gz (cdxj-indexer's default)
_CHUNK = 1024 * 1024


class WaczError(Exception):
    """The crawl cannot be packaged (no WARC files, or one differs from its manifest)."""


@dataclass(frozen=True, slots=True)
class Packaged:
    path: Path
    warcs: int
    index_lines: int
    pages: int
    originals: int = 0  # records of other crawls that the crawl's revisits point at


def write_wacz(store: Store, crawl_id: str, output: Path) -> Packaged:
    keys = warc_keys(store, crawl_id)
    if not keys:
        raise WaczError(f"no WARC files under warc/{crawl_id}/ in {store.uri}")
    known = _manifest_objects(store, crawl_id)
    created = datetime.now(UTC).replace(microsecond=0)
    resources: list[dict[str, Any]] = []
    with (
        tempfile.TemporaryDirectory(prefix="newsarchive-wacz-") as tmp,
        zipfile.ZipFile(output, "w", allowZip64=True) as package,
    ):
        writer = _Writer(package, created, resources)
        for key in keys:
            writer.add_warc(store, key, known.get(key), Path(tmp))
        indexes = [_local_index(store, crawl_id, key, Path(tmp)) for key in keys]
        indexes += _add_originals(writer, store, crawl_id, indexes, Path(tmp))
        titles = _titles(store, crawl_id)
        with ExitStack() as stack:
            streams = [stack.enter_context(open(path, encoding="utf-8")) for path in indexes]
            lines, pages = writer.add_index(heapq.merge(*streams), Path(tmp) / "pages.jsonl")
        writer.add_pages(pages, titles)
        datapackage = json_bytes(
            {
                "profile": "data-package",
                "wacz_version": WACZ_VERSION,
                "title": f"newsarchive crawl {crawl_id}",
                "description": f"The WARC files of crawl {crawl_id}, with their index and pages.",
                "created": created.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "software": f"newsarchive {software_versions()['newsarchive']}",
                "resources": resources,
            }
        )
        writer.add_bytes("datapackage.json", datapackage, listed=False)
        digest = {"path": "datapackage.json", "hash": "sha256:" + _sha256(datapackage)}
        writer.add_bytes("datapackage-digest.json", json_bytes(digest), listed=False)
    return Packaged(output, len(keys), lines, writer.page_count, writer.originals)


class _Writer:
    """Adds entries to the ZIP and notes each one's size and SHA-256 for the datapackage."""

    def __init__(
        self, package: zipfile.ZipFile, created: datetime, resources: list[dict[str, Any]]
    ) -> None:
        self.package = package
        self.date_time = created.timetuple()[:6]
        self.resources = resources
        self.page_count = 0
        self.originals = 0
        self.not_pages: set[str] = set()  # WARC files whose captures are not the crawl's pages
        self.revisited: set[tuple[str, str]] = set()  # revisits of HTML pages: pages too

    def _entry(self, path: str, compress: int, size: int) -> IO[bytes]:
        """An entry whose size is given up front, so that zipfile writes a ZIP64 header only
        when the size needs it (see `add_index` for why that matters)."""
        info = zipfile.ZipInfo(path, self.date_time)
        info.compress_type = compress
        info.file_size = size
        return self.package.open(info, "w")

    def _note(self, path: str, size: int, sha256: str) -> None:
        name = path.rpartition("/")[2].lower()
        self.resources.append(
            {"name": name, "path": path, "hash": f"sha256:{sha256}", "bytes": size}
        )

    def add_warc(
        self, store: Store, key: str, expected: tuple[int, str] | None, scratch: Path
    ) -> None:
        """Add a WARC, its size known up front (see `add_index` for why): from the manifest,
        or, for a crawl without one, by copying it to `scratch` first."""
        path = "archive/" + key.rpartition("/")[2]
        digest, size = hashlib.sha256(), 0
        with ExitStack() as stack:
            source: IO[bytes] = stack.enter_context(store.get(key))
            if expected is None:
                local = scratch / "warc.tmp"
                with open(local, "wb") as copy:
                    while chunk := source.read(_CHUNK):
                        copy.write(chunk)
                source = stack.enter_context(open(local, "rb"))
                stack.callback(local.unlink)
            known = expected[0] if expected else (scratch / "warc.tmp").stat().st_size
            entry = stack.enter_context(self._entry(path, zipfile.ZIP_STORED, known))
            while chunk := source.read(_CHUNK):
                digest.update(chunk)
                size += len(chunk)
                entry.write(chunk)
        if expected is not None and (size, digest.hexdigest()) != expected:
            raise WaczError(
                f"{store.uri}: {key} is {size} bytes with SHA-256 {digest.hexdigest()}, but the "
                f"crawl's manifest lists {expected[0]} bytes with SHA-256 {expected[1]}"
            )
        self._note(path, size, digest.hexdigest())

    def add_bytes(self, path: str, data: bytes, listed: bool = True) -> None:
        with self._entry(path, zipfile.ZIP_DEFLATED, len(data)) as entry:
            entry.write(data)
        if listed:
            self._note(path, len(data), _sha256(data))

    def add_index(self, lines: Iterable[str], pages_path: Path) -> tuple[int, Path]:
        """Write ``index.cdx.gz`` in gzip blocks and ``index.idx``; pages go to a local file.

        The blocks go to a local file first, so the ZIP entry is written with its size known: an
        entry streamed with its size unknown gets a ZIP64 local header (sizes 0xFFFFFFFF plus an
        extra field), which ReplayWeb.page's range-reading ZIP reader mislocates, and then finds
        no page in the archive (seen with ReplayWeb.page 2.5.3)."""
        path, idx = "indexes/index.cdx.gz", [_idx_meta()]
        digest, offset, count = hashlib.sha256(), 0, 0
        blocks_path = pages_path.with_name("index.cdx.gz")
        with open(blocks_path, "wb") as entry, open(pages_path, "w") as pages:
            for block in _blocks(lines, BLOCK_LINES):
                data = gzip.compress("".join(block).encode("utf-8"), mtime=0)
                entry.write(data)
                digest.update(data)
                prefix = block[0].split(" {", 1)[0]
                info = {"offset": offset, "length": len(data), "digest": "sha256:" + _sha256(data)}
                idx.append(f"{prefix} {json.dumps(info)}\n")
                offset += len(data)
                count += len(block)
                pages.writelines(page_lines(block, self.not_pages, self.revisited))
        entry_out = self._entry(path, zipfile.ZIP_STORED, offset)
        with open(blocks_path, "rb") as source, entry_out as out:
            while chunk := source.read(_CHUNK):
                out.write(chunk)
        blocks_path.unlink()
        self._note(path, offset, digest.hexdigest())
        self.add_bytes("indexes/index.idx", "".join(idx).encode("utf-8"))
        return count, pages_path

    def add_pages(self, pages: Path, titles: dict[tuple[str, str], str]) -> None:
        header = {"format": "json-pages-1.0", "id": "pages", "title": "All pages"}
        out = [json.dumps(header) + "\n"]
        with open(pages, encoding="utf-8") as lines:
            for line in lines:
                page = json.loads(line)
                title = titles.get((page.pop("_filename"), page.pop("_offset")))
                if title:
                    page["title"] = title
                out.append(json.dumps(page) + "\n")
        self.page_count = len(out) - 1
        self.add_bytes("pages/pages.jsonl", "".join(out).encode("utf-8"))


def _blocks(lines: Iterable[str], size: int) -> Iterator[list[str]]:
    block: list[str] = []
    for line in lines:
        block.append(line)
        if len(block) == size:
            yield block
            block = []
    if block:
        yield block


def _idx_meta() -> str:
    return "!meta 0 " + json.dumps({"format": "cdxj-gzip-1.0", "filename": "index.cdx.gz"}) + "\n"


def _add_originals(
    writer: _Writer, store: Store, crawl_id: str, indexes: list[Path], tmp: Path
) -> list[Path]:
    """The earlier crawls' records that the crawl's revisits point at, as one more WARC file
    (pipelines/tools/wacz_originals.py); returns its index, to merge with the crawl's."""
    folder, name = tmp / "originals", originals_name(crawl_id)
    folder.mkdir()
    try:
        found = write_originals(store, crawl_id, indexes, folder / name)
    except MissingOriginalError as exc:
        raise WaczError(str(exc)) from None
    writer.originals, writer.revisited = found.copied, found.pages
    if not writer.originals:
        return []
    writer.add_warc(LocalStore(folder), name, None, tmp)
    writer.not_pages.add(name)
    index = tmp / cdxj.index_name(name)
    with open(folder / name, "rb") as stream:
        cdxj.write_index(index, cdxj.index_warc(stream, name))
    return [index]


def _local_index(store: Store, crawl_id: str, warc_key: str, folder: Path) -> Path:
    """The WARC's sorted CDXJ index in a local file: its stored index, or one built now."""
    name = cdxj.index_name(warc_key.rpartition("/")[2])
    path = folder / name
    try:
        with store.get(f"indexes/{crawl_id}/{name}") as stored, open(path, "wb") as local:
            while chunk := stored.read(_CHUNK):
                local.write(chunk)
    except ObjectMissingError:
        with store.get(warc_key) as warc:
            cdxj.write_index(path, cdxj.index_warc(warc, warc_key.rpartition("/")[2]))
    return path


def _titles(store: Store, crawl_id: str) -> dict[tuple[str, str], str]:
    """Article titles from the crawl's clean records, by their response record's place."""
    titles = {}
    for key in store.list(f"records/{crawl_id}/"):
        if key.endswith(".jsonl.gz"):
            with store.get(key) as raw, gzip.open(raw, "rt", encoding="utf-8") as lines:
                for line in lines:
                    record = json.loads(line)
                    if record.get("title"):
                        place = (record["warc"]["filename"], str(record["warc"]["offset"]))
                        titles[place] = record["title"]
    return titles


def _manifest_objects(store: Store, crawl_id: str) -> dict[str, tuple[int, str]]:
    try:
        with store.get(f"manifests/{crawl_id}.json") as stream:
            manifest = json.load(stream)
    except ObjectMissingError:
        return {}
    return {obj["key"]: (int(obj["size"]), str(obj["sha256"])) for obj in manifest["objects"]}


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
