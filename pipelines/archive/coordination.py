"""One crawl, several writers: how the processes sharing a crawl id agree, through the store alone.

A *writer* is one spool folder of the crawl (a process, and the processes that resume it with
that spool), on any machine. Each leaves two markers in the store, next to its own report(s)::

    writers/{crawl_id}/{writer}.started.json    stored when its spool joins the crawl
    writers/{crawl_id}/{writer}.finished.json   stored once everything it wrote is stored:
                                                its head (crawl.json), its end, its runs and
                                                every object it stored, with size and SHA-256

Whoever sees a finished marker for every started one (the last writer to finish, the next
crawl's start, or ``scrapy upload-pending``) writes the manifest: every object of every writer
plus the finished markers. Both are written with conditional puts (a store never overwrites):
the digest of the manifest's canonical form first, then the manifest, last::

    manifests/{crawl_id}.json.sha256   "{sha256}  {crawl_id}.json" (sha256sum's format)
    manifests/{crawl_id}.json          a crawl with a manifest is complete

The manifest is a pure function of the finished markers, so two writers that both see every
marker write the same bytes and the second finds them there; one that sees different ones holds
a conflict. Storage is read-after-write and list-after-write consistent (a local folder, S3), so
of two writers finishing together, the later to list sees the other's marker.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from pipelines.storage import ObjectExistsError, Store, StoreError
from pipelines.storage.base import json_bytes

__all__ = [
    "MANIFEST_VERSION",
    "ConflictError",
    "Outcome",
    "build_manifest",
    "digest_key",
    "digest_line",
    "finished_key",
    "manifest_digest",
    "manifest_key",
    "parse_digest",
    "put_once",
    "started_key",
    "write_manifest",
]

MANIFEST_VERSION = 2  # 2: writers, report parts, markers, a digest beside it
MARKERS = "writers"
STARTED, FINISHED = ".started.json", ".finished.json"


class ConflictError(StoreError):
    """The key holds other bytes than those meant for it: never retried."""


@dataclass(frozen=True, slots=True)
class Outcome:
    key: str | None  # the manifest's key once it is stored, None while writers are running
    waiting_for: list[str]  # writers that started and have not finished


def manifest_key(crawl_id: str) -> str:
    return f"manifests/{crawl_id}.json"


def digest_key(crawl_id: str) -> str:
    return f"{manifest_key(crawl_id)}.sha256"


def started_key(crawl_id: str, writer: str) -> str:
    return f"{MARKERS}/{crawl_id}/{writer}{STARTED}"


def finished_key(crawl_id: str, writer: str) -> str:
    return f"{MARKERS}/{crawl_id}/{writer}{FINISHED}"


def manifest_digest(manifest: dict[str, Any]) -> str:
    """SHA-256 of the manifest's canonical form (the archive's one JSON form), so that any edit
    of a value shows, however the file is laid out."""
    return hashlib.sha256(json_bytes(manifest)).hexdigest()


def digest_line(manifest: dict[str, Any]) -> bytes:
    return f"{manifest_digest(manifest)}  {manifest['crawl_id']}.json\n".encode()


def parse_digest(data: bytes) -> str | None:
    """The hex digest of a digest object, None if it holds none."""
    word = data.decode("ascii", "replace").split(maxsplit=1)[:1]
    if word and len(word[0]) == 64 and all(c in "0123456789abcdef" for c in word[0]):
        return word[0]
    return None


def put_once(store: Store, data: bytes, key: str) -> None:
    """Store ``data`` under ``key`` unless the key holds exactly these bytes already."""
    try:
        store.put_bytes(data, key)
    except ObjectExistsError:
        with store.get(key) as stream:
            held = stream.read()
        if held != data:
            raise ConflictError(
                f"holds other bytes than this writer's ({len(held)} bytes, sha256 "
                f"{hashlib.sha256(held).hexdigest()})",
                uri=store.uri,
                key=key,
            ) from None


def writers(store: Store, crawl_id: str) -> tuple[set[str], set[str]]:
    """The writers of a crawl that started, and those that finished, from their markers."""
    started, finished = set(), set()
    for key in store.list(f"{MARKERS}/{crawl_id}/"):
        name = key.rpartition("/")[2]
        if name.endswith(STARTED):
            started.add(name.removesuffix(STARTED))
        elif name.endswith(FINISHED):
            finished.add(name.removesuffix(FINISHED))
    return started, finished


def write_manifest(store: Store, crawl_id: str) -> Outcome:
    """Write the crawl's manifest (and its digest) if every writer that started has finished."""
    started, finished = writers(store, crawl_id)
    waiting = sorted(started - finished)
    if waiting or not finished:
        return Outcome(None, waiting)
    markers: list[tuple[dict[str, Any] | None, dict[str, Any]]] = []
    for writer in sorted(finished):
        key = finished_key(crawl_id, writer)
        with store.get(key) as stream:
            data = stream.read()
        entry: dict[str, Any] = {
            "kind": MARKERS,
            "key": key,
            "size": len(data),
            "sha256": hashlib.sha256(data).hexdigest(),
            "records": None,
        }
        markers.append((entry, json.loads(data)))
    manifest = build_manifest(markers)
    put_once(store, digest_line(manifest), digest_key(crawl_id))
    put_once(store, json_bytes(manifest), manifest_key(crawl_id))
    return Outcome(manifest_key(crawl_id), [])


def build_manifest(markers: list[tuple[dict[str, Any] | None, dict[str, Any]]]) -> dict[str, Any]:
    """The manifest of the writers' finished markers, each with its own object entry (None for
    a marker not stored yet). The head is the first writer's, by start time."""
    docs = sorted((doc for _, doc in markers), key=lambda d: (_started(d), d["writer"]))
    head = docs[0]["head"]
    objects = [o for doc in docs for o in doc["objects"]]
    objects += [entry for entry, _ in markers if entry is not None]
    objects.sort(key=lambda o: o["key"])
    ends = [doc["finished"] for doc in docs]
    interrupted = any(end.get("interrupted", False) for end in ends)
    manifest = {
        "manifest_version": MANIFEST_VERSION,
        **head,
        "started_at": min(_started(d) for d in docs),
        "finished_at": max(str(end.get("finished_at", "")) for end in ends),
        **({"interrupted": True} if interrupted else {}),
        "complete": not interrupted,
        "counts": counts_of(objects),
        "objects": objects,
        "torn_files_left_in_spool": sorted({t for d in docs for t in d["torn"]}),
        "writers": {doc["writer"]: _writer_summary(doc, head) for doc in docs},
    }
    return manifest


def counts_of(objects: list[dict[str, Any]]) -> dict[str, int]:
    """Objects per kind, and their records where counted: ``{kind}_objects``, ``{kind}_records``."""
    counts: dict[str, int] = {}
    for entry in objects:
        name = f"{entry['kind']}_objects"
        counts[name] = counts.get(name, 0) + 1
        if entry.get("records") is not None:
            name = f"{entry['kind']}_records"
            counts[name] = counts.get(name, 0) + int(entry["records"])
    return counts


def _started(doc: dict[str, Any]) -> str:
    return str(doc["head"].get("started_at", ""))


def _writer_summary(doc: dict[str, Any], head: dict[str, Any]) -> dict[str, Any]:
    summary = {
        "seedset": doc["head"].get("seedset"),
        "started_at": doc["head"].get("started_at"),
        "finished_at": doc["finished"].get("finished_at"),
        "complete": not doc["finished"].get("interrupted", False),
        "runs": doc["runs"],
        "objects": len(doc["objects"]),
    }
    if doc["head"].get("settings") != head.get("settings"):
        summary["settings"] = doc["head"].get("settings")
    return summary
