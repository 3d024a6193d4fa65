"""Helpers for the cleanup tests: clean a genuine lead line plus the lines under test."""

from __future__ import annotations

from pipelines.extract.cleanup.rules import clean_text

GENUINE = "Allies pledged to speed up deliveries of air defense systems to Kyiv."


def cleaned(*lines: str, title: str | None = None) -> list[str]:
    """clean_text on a genuine lead line plus `lines`, as a list of the surviving lines."""
    return clean_text("\n".join((GENUINE, *lines)), title=title).split("\n")


def assert_removed(*lines: str) -> None:
    assert cleaned(*lines) == [GENUINE]


def assert_kept(*lines: str) -> None:
    assert cleaned(*lines) == [GENUINE, *lines]
