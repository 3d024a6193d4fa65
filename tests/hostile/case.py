"""One hostile case, as data; tests/hostile/cases.py says what the fields mean."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Kind = Literal["link", "seed", "feed", "sitemap"]
Archived = Literal["complete", "length", "disconnect", "none"]


@dataclass(frozen=True)
class Case:
    name: str
    path: str  # on the fixture server, query included
    kind: Kind
    sends: str
    stat: str
    archived: Archived
    record: bool = False
