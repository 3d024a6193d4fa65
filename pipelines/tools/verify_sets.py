"""What `scrapy verify` checks of re-extraction sets (``scrapy reextract``'s output).

A set is ``reextracted/{crawl}/{tag}/``: its record parts and, written last, its
``manifest.json``, which lists the parts (key, size, SHA-256), the counts and the WARC files it
read. Its objects are verified like a crawl's (pipelines/tools/verify.py reads each part), and
here: the records the parts hold against the manifest's ``ok`` count, and each WARC file it read
against the crawl's own manifest when that is in the same store (a WARC that changed since would
make the set describe other bytes). A set without its manifest (a re-extraction that was
interrupted) leaves its parts unlisted, which is what they are.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from pipelines.storage import ObjectMissingError, Store, StoreError
from pipelines.tools.verify_counts import Counted, Findings

PREFIX = "reextracted/"
MANIFEST = "manifest.json"


def set_manifests(store: Store, crawl: str | None) -> Iterator[str]:
    """The manifests of the re-extraction sets, of one crawl or all."""
    prefix = f"{PREFIX}{crawl}/" if crawl else PREFIX
    for key in store.list(prefix):
        if key.endswith("/" + MANIFEST) and key.count("/") == 3:
            yield key


def set_objects(manifest: dict[str, Any]) -> list[dict[str, Any]]:
    """The objects a set's manifest lists, as verify reads them: record parts."""
    return [{**entry, "kind": "records"} for entry in manifest.get("objects", [])]


def check_set(
    store: Store, key: str, manifest: dict[str, Any], counted: Counted, found: Findings
) -> None:
    records = sum(counted.records.values())
    parts = len(manifest.get("objects", []))
    stated = manifest.get("counts", {}).get("ok")
    if len(counted.records) == parts and stated != records:
        found.problem(
            "mismatch", key, f"counts ok: manifest says {stated}, its parts hold {records}"
        )
    crawl_objects = _crawl_objects(store, str(manifest.get("crawl_id", key.split("/")[1])))
    for source in manifest.get("sources", []):
        known = crawl_objects.get(source.get("key"))
        if known is not None and known != (source.get("size"), source.get("sha256")):
            found.problem(
                "mismatch",
                key,
                f"read {source.get('key')} with sha256 {source.get('sha256')}, the crawl's "
                f"manifest lists sha256 {known[1]}",
            )


def _crawl_objects(store: Store, crawl: str) -> dict[str, tuple[int, str]]:
    try:
        with store.get(f"manifests/{crawl}.json") as stream:
            objects = json.load(stream).get("objects", [])
    except (ObjectMissingError, StoreError, ValueError, AttributeError):
        return {}  # no crawl manifest here (a set written --to another store): nothing to compare
    return {e["key"]: (e["size"], e["sha256"]) for e in objects if isinstance(e, dict)}
