"""A crawl's report, as the tests read it: one part per crawling process,
``reports/{crawl}/{host}-{pid}.json``; a single-process crawl has exactly one."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.servers.s3 import S3Endpoint


def report_of(root: Path, crawl_id: str) -> dict[str, Any]:
    """The one report part of a single-process crawl stored in the folder ``root``."""
    (part,) = sorted((root / "reports" / crawl_id).glob("*.json"))
    report: dict[str, Any] = json.loads(part.read_text("utf-8"))
    return report


def s3_report_key(s3: S3Endpoint, crawl_id: str) -> str:
    (key,) = [k for k in s3.list_keys() if k.startswith(f"reports/{crawl_id}/")]
    return key
