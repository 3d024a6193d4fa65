"""The `[recrawl]` table of a seed set and when a known article is due again."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from crawler.state.schedule import DEFAULT, Schedule, parse_duration
from tests.crawler.seedfiles import VALID, assert_points_at, load, load_error

FIRST = datetime(2022, 10, 12, 9, 0, tzinfo=UTC)
H = timedelta(hours=1)


def test_a_seed_set_without_the_table_gets_the_defaults(tmp_path: Path) -> None:
    assert load(tmp_path, VALID).recrawl == DEFAULT
    assert DEFAULT.steps == (H, 6 * H, 24 * H, 72 * H, 168 * H)
    assert DEFAULT.max_age == timedelta(days=7)


def test_the_table_is_read(tmp_path: Path) -> None:
    text = VALID + '[recrawl]\nsteps = ["30m", "2h", "2d"]\nmax_age = "1w"\n'
    assert load(tmp_path, text).recrawl == Schedule((H / 2, 2 * H, 48 * H), timedelta(days=7))


@pytest.mark.parametrize(
    ("table", "key", "line", "problem"),
    [
        ('steps = ["1h", "soon"]', "recrawl.steps", 15, "'soon' is not a duration"),
        ('steps = ["6h", "1h"]', "recrawl.steps", 15, "must be ascending"),
        ("steps = 3", "recrawl.steps", 15, "must be a list of durations"),
        ('max_age = "1h"\nsteps = ["2h"]', "recrawl.steps", 16, "is after max_age"),
        ("max_age = 7", "recrawl.max_age", 15, "must be a duration"),
        ('every = "1h"', "recrawl.every", 15, "unknown key"),
    ],
)
def test_a_bad_table_names_file_key_and_line(
    tmp_path: Path, table: str, key: str, line: int, problem: str
) -> None:
    error = load_error(tmp_path, VALID + f"[recrawl]\n{table}\n")
    assert_points_at(error, tmp_path / "world-news.toml", key, line, problem)


def test_a_recrawl_that_is_not_a_table(tmp_path: Path) -> None:
    text = VALID.replace("[settings]", 'recrawl = "hourly"\n[settings]')
    error = load_error(tmp_path, text)
    assert error.key == "recrawl" and "must be a table" in error.problem


def test_next_due_backs_off_with_age_and_stops_after_max_age() -> None:
    assert DEFAULT.next_due(FIRST, FIRST) == FIRST + H
    assert DEFAULT.next_due(FIRST, FIRST + 2 * H) == FIRST + 6 * H
    assert DEFAULT.next_due(FIRST, FIRST + 30 * H) == FIRST + 72 * H
    assert DEFAULT.next_due(FIRST, FIRST + 100 * H) == FIRST + 168 * H
    assert DEFAULT.next_due(FIRST, FIRST + 168 * H) is None


def test_a_zero_step_means_every_run_until_max_age() -> None:
    every_run = Schedule((timedelta(0),), timedelta(days=1))
    assert every_run.next_due(FIRST, FIRST + 5 * H) == FIRST + 5 * H
    assert every_run.next_due(FIRST, FIRST + 25 * H) is None


@pytest.mark.parametrize("text", ["", "1", "h", "1.5h", "-1h", "1y", "1 hour"])
def test_durations_that_are_not_ones(text: str) -> None:
    with pytest.raises(ValueError, match="is not a duration"):
        parse_duration(text)


def test_durations() -> None:
    assert [parse_duration(t) for t in ("0s", "90s", "15m", "6h", "3d", "2w", " 1 h ")] == [
        timedelta(0),
        timedelta(seconds=90),
        timedelta(minutes=15),
        6 * H,
        timedelta(days=3),
        timedelta(weeks=2),
        H,
    ]
