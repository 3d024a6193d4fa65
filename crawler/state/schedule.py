"""When a known article is fetched again: the seed set's ``[recrawl]`` table.

An article changes most in its first hours (corrections, updates, a new headline), then
settles. So a scheduled run re-checks a known article at fixed ages after it was first seen,
backing off, and stops after ``max_age``::

    [recrawl]
    steps = ["1h", "6h", "1d", "3d", "7d"]   # durations after first seen; "0s": every run
    max_age = "7d"                           # no re-checks after this age

A seed set without the table gets these defaults. Durations are a number and a unit: ``s``,
``m``, ``h``, ``d`` or ``w``. Seeds, feeds and sitemaps are not scheduled: every run fetches
them (conditionally).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

__all__ = ["DEFAULT", "Schedule", "parse_duration", "read_recrawl"]

_DURATION = re.compile(r"(\d+)\s*([smhdw])\Z")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}


@dataclass(frozen=True, slots=True)
class Schedule:
    steps: tuple[timedelta, ...]  # ages at which a known article is due, ascending
    max_age: timedelta  # no re-check after this age

    def next_due(self, first_seen: datetime, fetched_at: datetime) -> datetime | None:
        """When an article first seen at ``first_seen`` and fetched at ``fetched_at`` is due
        next: the first step after the fetch, or at once (a ``0s`` step: every run); None when
        no step is left within ``max_age``."""
        limit = first_seen + self.max_age
        if fetched_at >= limit:
            return None
        if any(step == timedelta(0) for step in self.steps):
            return fetched_at
        for step in self.steps:
            due = first_seen + step
            if due > fetched_at:
                return due if due <= limit else None
        return None


DEFAULT = Schedule(
    steps=tuple(timedelta(seconds=s) for s in (3600, 6 * 3600, 86400, 3 * 86400, 7 * 86400)),
    max_age=timedelta(days=7),
)


def parse_duration(text: str) -> timedelta:
    """``"6h"`` -> 6 hours; ValueError naming the text for anything else."""
    match = _DURATION.match(text.strip())
    if not match:
        raise ValueError(f"{text!r} is not a duration: write a number and s, m, h, d or w")
    return timedelta(seconds=int(match.group(1)) * _UNITS[match.group(2)])


def read_recrawl(table: object, fail: Callable[[str, str], Exception]) -> Schedule:
    """The ``[recrawl]`` table of a seed set (None: absent), checked; ``fail(key, problem)``
    makes the seed file's error for a bad key of the table ("": the table itself)."""
    if table is None:
        return DEFAULT
    if not isinstance(table, dict):
        raise fail("", f"must be a table, got {type(table).__name__}")
    for key in table:
        if key not in ("steps", "max_age"):
            raise fail(str(key), "unknown key (known: max_age, steps)")
    steps = DEFAULT.steps
    if "steps" in table:
        raw = table["steps"]
        if not isinstance(raw, list) or not all(isinstance(s, str) for s in raw):
            raise fail("steps", 'must be a list of durations, e.g. ["1h", "1d"]')
        steps = tuple(_duration(fail, "steps", s) for s in raw)
        if list(steps) != sorted(set(steps)):
            raise fail("steps", "must be ascending, each once")
    max_age = DEFAULT.max_age
    if "max_age" in table:
        raw = table["max_age"]
        if not isinstance(raw, str):
            raise fail("max_age", f'must be a duration such as "7d", got {raw!r}')
        max_age = _duration(fail, "max_age", raw)
    if steps and steps[-1] > max_age:
        raise fail("steps", f"step {steps[-1]} is after max_age ({max_age})")
    return Schedule(steps, max_age)


def _duration(fail: Callable[[str, str], Exception], key: str, text: str) -> timedelta:
    try:
        return parse_duration(text)
    except ValueError as exc:
        raise fail(key, str(exc)) from None
