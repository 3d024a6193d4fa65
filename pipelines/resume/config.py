"""Crash-resume's config: on when Scrapy's JOBDIR is set and RESUME_ENABLED."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from scrapy.settings import BaseSettings

from crawler.config import read


@dataclass(frozen=True, slots=True)
class ResumeConfig:
    jobdir: Path | None  # None: resume is off

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> ResumeConfig:
        jobdir = str(settings.get("JOBDIR") or "").strip()
        enabled = read(settings, "RESUME_ENABLED", settings.getbool)
        return cls(Path(jobdir) if jobdir and enabled else None)
