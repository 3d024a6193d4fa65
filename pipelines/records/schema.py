"""The clean record (schema version 1): one article's text and metadata, tied to its WARC record.

A record's id is derived from the WARC response record it was extracted from and the extractor's
config, so extracting the same WARC again gives the same id (re-extraction, crash-resume).
"""

from __future__ import annotations

import hashlib
import uuid
from typing import Any, Protocol

from crawler.items import ArticleItem


class Extracted(Protocol):
    """An extraction's outcome (``pipelines.extract.core.Extraction``), as the record reads it."""

    def to_dict(self) -> dict[str, Any]: ...


SCHEMA_VERSION = 1
_RECORD_NAMESPACE = uuid.UUID("5f0c1d52-8f5e-4d7b-9a51-2b8c3a7e6d10")


def clean_record(
    item: ArticleItem, extraction: Extracted, *, crawl_id: str, extractor: dict[str, str]
) -> dict[str, Any]:
    """The schema-1 record of one article. Its id is derived from the WARC record it came
    from and the extractor config, so extracting the same WARC again gives the same id."""
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
        "published_at": meta["published_at"],
        "modified_at": meta["modified_at"],
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
    }


def record_id_of(warc_record_id: str, config_sha256: str) -> str:
    """The id of the record extracted from this WARC response record with this extractor
    config: the same inputs always give the same id (re-extraction, crash-resume)."""
    return f"urn:uuid:{uuid.uuid5(_RECORD_NAMESPACE, f'{warc_record_id} {config_sha256}')}"


def is_record(item: Any) -> bool:
    return isinstance(item, dict) and item.get("schema") == SCHEMA_VERSION
