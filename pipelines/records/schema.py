"""The clean record (schema version 2): one article's text and metadata, tied to its WARC record.

Version 2 adds, to every field of version 1, the article's version (``version``,
``previous_record_id``, ``first_seen``, ``changes``: see ``pipelines.records.versions``); a
reader of version 1 reads it as before. ``record.schema.json`` next to this module is the JSON
Schema of a record, of either version.

A record's id is derived from the WARC response record it was extracted from and the extractor's
config, so extracting the same WARC again gives the same id (re-extraction, crash-resume).
"""

from __future__ import annotations

import hashlib
import uuid
from typing import Any, Protocol

from crawler.items import ArticleItem
from crawler.timestamps import page_time


class Extracted(Protocol):
    """An extraction's outcome (``pipelines.extract.core.Extraction``), as the record reads it."""

    def to_dict(self) -> dict[str, Any]: ...


SCHEMA_VERSION = 2
_RECORD_NAMESPACE = uuid.UUID("5f0c1d52-8f5e-4d7b-9a51-2b8c3a7e6d10")


def clean_record(
    item: ArticleItem, extraction: Extracted, *, crawl_id: str, extractor: dict[str, str]
) -> dict[str, Any]:
    """The record of one article, as its first version. Its id is derived from the WARC
    record it came from and the extractor config, so extracting the same WARC again gives the
    same id."""
    meta = extraction.to_dict()
    text: str = meta["text"]
    return {
        "schema": SCHEMA_VERSION,
        "record_id": record_id_of(item.warc.record_id, extractor["config_sha256"]),
        "crawl_id": crawl_id,
        "url": item.url,
        "final_url": item.final_url,
        "canonical_url": meta["canonical_url"],
        "fetched_at": item.fetched_at,
        "status": item.status,
        "title": meta["title"],
        "authors": list(meta["authors"]),
        "published_at": page_time(meta["published_at"]),  # with a zone: in the one format
        "modified_at": page_time(meta["modified_at"]),
        "sitename": meta["sitename"],
        "publisher": meta.get("publisher"),
        "language": meta["language"],
        "description": meta["description"],
        "categories": list(meta["categories"]),
        "tags": list(meta["tags"]),
        "text": text,
        "text_sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
        "word_count": len(text.split()),
        "text_candidate": meta["candidate"],
        "related_urls": list(item.related_urls),
        "discovered_from": item.discovery.discovered_from,
        "warc": item.warc.to_dict(),
        "tls": item.tls.to_dict() if item.tls is not None else None,
        "extractor": dict(extractor),
        "version": 1,  # the versions pipeline (with the crawl state) numbers the next ones
        "previous_record_id": None,
        "first_seen": item.fetched_at,
        "changes": None,
    }


def record_id_of(warc_record_id: str, config_sha256: str) -> str:
    """The id of the record extracted from this WARC response record with this extractor
    config: the same inputs always give the same id (re-extraction, crash-resume). It has the
    form of every record id the project writes, a WARC-Record-ID's: ``<urn:uuid:...>``."""
    return f"<urn:uuid:{uuid.uuid5(_RECORD_NAMESPACE, f'{warc_record_id} {config_sha256}')}>"


def is_record(item: Any) -> bool:
    return isinstance(item, dict) and item.get("schema") == SCHEMA_VERSION
