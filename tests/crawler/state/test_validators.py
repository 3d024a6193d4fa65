"""Validators kept from what a server sent: as sent when sound, dropped and counted when not."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

import pytest

from crawler.state.validators import MAX_ETAG, etag, last_modified

NOW = datetime(2022, 10, 12, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize("value", ['"abc"', 'W/"abc"', '""', '"a-b_c.1:2"', "bare-token"])
def test_sound_etags_are_kept_exactly(value: str) -> None:
    counts: Counter[str] = Counter()
    assert etag(value, counts.update) == value
    assert not counts


@pytest.mark.parametrize(
    "value",
    [
        '"' + "x" * MAX_ETAG + '"',
        '"' + "garbage!" * 1024 + '"',  # 8 KB
        '"with space"',
        '"caf\u00e9"',
        "W/unquoted weak",
        '"a"\x00',
    ],
)
def test_garbage_etags_are_dropped_and_counted(value: str) -> None:
    counts: Counter[str] = Counter()
    assert etag(value, lambda key: counts.update([key])) is None
    assert counts == {"state/etag_refused": 1}


def test_no_etag() -> None:
    assert etag(None, print) is None and etag("  ", print) is None


def test_a_sound_last_modified_is_kept_exactly() -> None:
    value = "Wed, 12 Oct 2022 08:00:00 GMT"
    assert last_modified(value, NOW, print) == value


@pytest.mark.parametrize(
    ("value", "counted"),
    [
        ("Fri, 01 Jan 2100 00:00:00 GMT", "state/last_modified_future"),
        ("sometime last week", "state/last_modified_unparsable"),
        ("2022-10-12T08:00:00Z", "state/last_modified_unparsable"),
        ("Wed, 12 Oct 2022 08:00:00", "state/last_modified_unparsable"),  # no zone
        ("Wed, 12 Oct 2022 08:00:00 GMT" + " " * 60 + "x", "state/last_modified_unparsable"),
    ],
)
def test_odd_last_modified_are_dropped_and_counted(value: str, counted: str) -> None:
    counts: Counter[str] = Counter()
    assert last_modified(value, NOW, lambda key: counts.update([key])) is None
    assert counts == {counted: 1}
