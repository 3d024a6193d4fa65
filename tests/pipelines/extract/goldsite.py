"""The fixture news site's gold data, and how the extract() tests serve its pages."""

from __future__ import annotations

import json
from pathlib import Path

SITE = Path(__file__).resolve().parents[2] / "sites" / "news"
BASE_URL = "http://127.0.0.1:8000"
HTML_HEADERS = {"content-type": "text/html; charset=utf-8"}
GOLD = [json.loads(path.read_text(encoding="utf-8")) for path in sorted(SITE.glob("gold/*.json"))]
GOLD_IDS = [gold["path"].rstrip("/").rsplit("/", 1)[1] for gold in GOLD]
