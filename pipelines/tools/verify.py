"""`scrapy verify ARCHIVE_URI [--crawl ID]`: prove that an archive holds what its manifests say.

Every object a manifest lists is streamed once: its SHA-256 and size are recomputed, a WARC's
records are read with warcio, checking each record's block and payload digests, and the records
of WARC files, the lines of record parts and of CDXJ indexes are counted against the manifest.
The manifest itself is checked against its digest and its counts against the objects' own and
the reports' (pipelines/tools/verify_counts.py). Every revisit record's target must exist, in
this crawl or another of the archive (pipelines/tools/verify_revisits.py). Re-extraction sets are
verified by their own manifests (pipelines/tools/verify_sets.py). Objects in the store that no
manifest lists are reported too (an interrupted crawl's, or strays). Memory stays flat: objects
are read in 1 MiB chunks, never whole (reports excepted, which are small). Exit status: 0 when
all is well, 1 on any problem.
"""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass, field
from typing import IO, Any, cast

from botocore.exceptions import BotoCoreError, FlexibleChecksumError
from warcio.archiveiterator import ArchiveIterator

from pipelines.archive.coordination import digest_key
from pipelines.storage import ObjectMissingError, Store, StoreError
from pipelines.storage.base import CHUNK_SIZE, HashingReader
from pipelines.tools.revisits import Revisit, revisit_of
from pipelines.tools.verify_counts import Counted, check_counts, check_digest, report_stats
from pipelines.tools.verify_revisits import check_revisits
from pipelines.tools.verify_sets import check_set, set_manifests, set_objects
from pipelines.warc.cdxj import is_indexed
from pipelines.warc.tls import VERIFIED as TLS_VERIFIED


@dataclass
class Report:
    out: IO[str]
    objects: int = 0
    size: int = 0
    problems: dict[str, int] = field(
        default_factory=lambda: {
            "missing": 0,
            "corrupt": 0,
            "unlisted": 0,
            "mismatch": 0,
        }
    )

    def ok(self, key: str, size: int, detail: str) -> None:
        self.objects += 1
        self.size += size
        self.line("ok", key, f"{size:,} bytes, {detail}")

    def problem(self, kind: str, key: str, detail: str = "") -> None:
        self.problems[kind] += 1
        self.line(kind.upper(), key, detail)

    def note(self, key: str, detail: str) -> None:
        self.line("note", key, detail)

    def line(self, status: str, key: str, detail: str) -> None:
        print(f"{status:<9}{key}" + (f"  {detail}" if detail else ""), file=self.out)

    @property
    def failed(self) -> bool:
        return any(self.problems.values())


def verify(store: Store, crawl: str | None, out: IO[str]) -> Report:
    report = Report(out)
    print(f"verifying {store.uri}" + (f", crawl {crawl}" if crawl else ""), file=out)
    listed: set[str] = set()
    revisits: list[Revisit] = []
    manifests = (
        [f"manifests/{crawl}.json"]
        if crawl
        else [key for key in store.list("manifests/") if key.endswith(".json")]
    )
    sets = list(set_manifests(store, crawl))
    if not manifests and not sets:  # an empty folder, a wrong prefix: nothing here is proven
        report.problem("missing", "manifests/", "no manifest in this store: is it an archive?")
    for key in manifests:
        revisits += _verify_crawl(store, key, report, listed)
    for key in sets:
        _verify_set(store, key, report, listed)
    check_revisits(store, revisits, report)
    for key in store.list():
        if key not in listed and (crawl is None or crawl_of(key) == crawl):
            report.problem("unlisted", key, "in no manifest")
    counts = ", ".join(f"{n} {kind}" for kind, n in report.problems.items())
    verdict = "FAILED" if report.failed else "OK"
    in_sets = f" and {len(sets)} re-extraction set(s)" if sets else ""
    print(
        f"{verdict}: {report.objects} object(s), {report.size:,} bytes verified in "
        f"{len(manifests)} manifest(s){in_sets}; {counts}",
        file=out,
    )
    return report


def _verify_crawl(store: Store, key: str, report: Report, listed: set[str]) -> list[Revisit]:
    """One crawl's manifest and objects; returns the revisits its WARC files hold."""
    crawl_id = key.removeprefix("manifests/").removesuffix(".json")
    listed.update((key, digest_key(crawl_id)))
    manifest = _load_manifest(store, key, report)
    if manifest is None:
        return []
    check_digest(store, crawl_id, manifest, report)
    counted = Counted()
    for entry in manifest.get("objects", []):
        listed.add(entry["key"])
        check_object(store, entry, report, counted)
    check_counts(key, manifest, counted, report)
    _note_unverified(key, crawl_id, counted.unverified, report)
    return counted.revisits


def _verify_set(store: Store, key: str, report: Report, listed: set[str]) -> None:
    """One re-extraction set: its manifest, its parts (pipelines/tools/verify_sets.py)."""
    listed.add(key)
    manifest = _load_manifest(store, key, report)
    if manifest is None:
        return
    counted = Counted()
    for entry in set_objects(manifest):
        listed.add(entry["key"])
        check_object(store, entry, report, counted)
    check_set(store, key, manifest, counted, report)


def _note_unverified(key: str, crawl_id: str, urls: list[str], report: Report) -> None:
    """Captures made with TLS_VERIFY off (or for a TLS_VERIFY_EXCEPT_HOSTS host): not a fault of
    the archive, but a reviewer must see them."""
    if urls:
        shown = ", ".join(urls[:3]) + (", ..." if len(urls) > 3 else "")
        report.note(
            key,
            f"crawl {crawl_id}: {len(urls)} https capture(s) made without TLS verification: "
            + shown,
        )


def crawl_of(key: str) -> str | None:
    """The crawl a key belongs to: {kind}/{crawl}/{name}, {kind}/{crawl}.json(.sha256)."""
    parts = key.split("/")
    if len(parts) == 2:
        return parts[1].removesuffix(".sha256").removesuffix(".json")
    return parts[1] if len(parts) > 2 else None


def _load_manifest(store: Store, key: str, report: Report) -> dict[str, Any] | None:
    try:
        with store.get(key) as stream:
            manifest: dict[str, Any] = json.load(stream)
    except ObjectMissingError:
        report.problem("missing", key, "no such manifest")
        return None
    except (ValueError, UnicodeDecodeError) as exc:
        report.problem("corrupt", key, f"not a manifest: {exc}")
        return None
    if not isinstance(manifest, dict) or not isinstance(manifest.get("objects", []), list):
        report.problem("corrupt", key, "not a manifest: no list of objects")
        return None
    if not manifest.get("complete", True):
        report.note(
            key,
            f"crawl {manifest.get('crawl_id')} was interrupted; the manifest lists what it stored",
        )
    return manifest


def check_object(
    store: Store, entry: dict[str, Any], report: Report, counted: Counted | None = None
) -> None:
    key = entry["key"]
    counted = counted if counted is not None else Counted()
    try:
        with store.get(key) as stream:
            reader = HashingReader(stream)
            records, problems = _read_content(reader, entry["kind"], key, counted)
            reader.drain()
    except ObjectMissingError:
        report.problem("missing", key, "listed in the manifest, not in the store")
        return
    except FlexibleChecksumError as exc:  # S3 found the bytes differ from its own checksum
        report.problem("corrupt", key, f"the store's checksum fails: {exc}")
        return
    except (StoreError, BotoCoreError, OSError) as exc:
        report.problem("missing", key, f"cannot be read: {exc}")
        return
    sha256 = reader.digest.hexdigest()
    if sha256 != entry["sha256"]:
        problems.insert(0, f"sha256 {sha256}, manifest says {entry['sha256']}")
    if reader.size != entry["size"]:
        problems.insert(0, f"{reader.size:,} bytes, manifest says {entry['size']:,}")
    if records is not None and entry.get("records") is not None and records != entry["records"]:
        problems.append(f"{records} records, manifest says {entry['records']}")
    if problems:
        counted.captures.pop(key, None)
        report.problem("corrupt", key, "; ".join(problems))
        return
    if records is not None:
        counted.records[key] = records
    what = "sha256 ok"
    if records is not None:
        what += f", {records} {'lines' if entry['kind'] == 'indexes' else 'records'}" + (
            ", digests ok" if entry["kind"] == "warc" else ""
        )
    report.ok(key, reader.size, what)


def _read_content(
    reader: HashingReader, kind: str, key: str, counted: Counted
) -> tuple[int | None, list[str]]:
    """Read what the kind allows us to check; the caller reads the rest for the hash."""
    try:
        if kind == "warc":
            return _check_warc(reader, key, counted)
        if kind == "records":
            with gzip.GzipFile(fileobj=cast(IO[bytes], reader), mode="rb") as lines:
                return sum(1 for _ in lines), []
        if kind == "indexes":
            return sum(
                chunk.count(b"\n") for chunk in iter(lambda: reader.read(CHUNK_SIZE), b"")
            ), []
        if kind == "reports":
            counted.stats[key] = report_stats(reader.read())
    except Exception as exc:  # any parse failure of damaged bytes is a finding, not a crash
        return None, [f"unreadable {kind}: {type(exc).__name__}: {exc}"]
    return None, []


def _check_warc(reader: HashingReader, key: str, counted: Counted) -> tuple[int, list[str]]:
    problems: list[str] = []
    count = captures = 0
    for record in ArchiveIterator(reader, check_digests=True):
        count += 1
        captures += is_indexed(record.rec_type, record.rec_headers.get_header("Content-Type"))
        if (revisit := revisit_of(record, key)) is not None:
            counted.revisits.append(revisit)
        if record.rec_headers.get_header(TLS_VERIFIED) == "false":
            counted.unverified.append(str(record.rec_headers.get_header("WARC-Target-URI")))
        while record.raw_stream.read(CHUNK_SIZE):
            pass
        if record.digest_checker.passed is False:
            record_id = record.rec_headers.get_header("WARC-Record-ID")
            problems.extend(f"{record_id}: {p}" for p in record.digest_checker.problems)
    counted.captures[key] = captures
    return count, problems
