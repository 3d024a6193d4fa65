"""The embedded crawl state: one SQLite file per seed set, held by one run at a time, refused
when torn or foreign, naming the file and the command that rebuilds it."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from crawler.state.base import ArticleVersion, Capture, StateError, UrlState
from crawler.state.sqlite import SqliteState, state_path

NOW = datetime(2022, 10, 12, 9, 0, tzinfo=UTC)
CAPTURE = Capture(
    "demo-20221012090000",
    "newsarchive-20221012090000000-00001-host-1.warc.gz",
    1234,
    567,
    "<urn:uuid:00000000-0000-4000-8000-000000000001>",
    "2022-10-12T09:00:00.000000Z",
    "sha256:ABC",
    200,
)


def article(url: str, due: datetime | None, kind: str = "article") -> UrlState:
    return UrlState(
        url,
        kind,
        NOW,
        last_fetched=NOW,
        last_status=200,
        etag='W/"x y"',
        last_modified="Wed, 12 Oct 2022 09:00:00 GMT",
        capture=CAPTURE,
        article=ArticleVersion("urn:uuid:1", "ab" * 32, "Title", 1, "Text.\nMore."),
        listed="2022-10-12T08:00:00+00:00",
        next_due=due,
        discovery=(("seedset", "demo"), ("feed", "http://127.0.0.1/feed/")),
    )


@pytest.fixture
def state(tmp_path: Path) -> SqliteState:
    opened = SqliteState.open(state_path(tmp_path, "demo"))
    yield opened  # type: ignore[misc]
    opened.close()


def test_a_state_reads_back_equal_and_survives_reopening(tmp_path: Path) -> None:
    path = state_path(tmp_path / "new" / "folder", "demo")
    state = SqliteState.open(path)
    written = article("http://127.0.0.1/a/", NOW)
    state.put(written)
    assert state.get("http://127.0.0.1/a/") == written
    assert state.get("http://127.0.0.1/b/") is None
    state.close()
    again = SqliteState.open(path)
    assert list(again.states()) == [written]
    assert again.location == str(path)
    again.close()


def test_due_gives_articles_whose_time_has_come_oldest_first(state: SqliteState) -> None:
    state.put(article("http://127.0.0.1/late/", NOW + timedelta(hours=2)))
    state.put(article("http://127.0.0.1/b/", NOW - timedelta(hours=1)))
    state.put(article("http://127.0.0.1/a/", NOW))
    state.put(article("http://127.0.0.1/never/", None))
    state.put(article("http://127.0.0.1/feed/", NOW - timedelta(days=1), kind="feed"))
    due = [s.url for s in state.due(NOW)]
    assert due == ["http://127.0.0.1/b/", "http://127.0.0.1/a/"]


def test_put_replaces(state: SqliteState) -> None:
    state.put(article("http://127.0.0.1/a/", NOW))
    state.put(article("http://127.0.0.1/a/", None, kind="page"))
    assert [(s.kind, s.next_due) for s in state.states()] == [("page", None)]


def test_a_second_holder_is_refused_naming_the_first(tmp_path: Path, state: SqliteState) -> None:
    with pytest.raises(StateError, match=r"in use by another run of this seed set \(pid \d+\)"):
        SqliteState.open(state_path(tmp_path, "demo"))
    other = SqliteState.open(state_path(tmp_path, "other"))  # another seed set: its own lock
    other.close()


def test_the_lock_goes_with_close(tmp_path: Path) -> None:
    SqliteState.open(state_path(tmp_path, "demo")).close()
    SqliteState.open(state_path(tmp_path, "demo")).close()


def torn(tmp_path: Path) -> Path:
    path = state_path(tmp_path, "demo")
    state = SqliteState.open(path)
    for n in range(200):
        state.put(article(f"http://127.0.0.1/{n}/" + "x" * 300, NOW))
    state.close()
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2 + 100])
    return path


@pytest.mark.parametrize(
    "damage",
    [
        torn,
        lambda tmp: _write(tmp, b"not a database at all" * 100),
        lambda tmp: _foreign(tmp),
    ],
)
def test_a_broken_file_is_refused_naming_it_and_the_rebuild(tmp_path: Path, damage) -> None:  # type: ignore[no-untyped-def]
    path = damage(tmp_path)
    with pytest.raises(StateError) as raised:
        SqliteState.open(path)
    message = str(raised.value)
    assert f"state file {str(path)!r}" in message
    assert "scrapy state rebuild ARCHIVE_URI --seeds seeds/<set>.toml" in message
    SqliteState.open(state_path(tmp_path, "other")).close()  # the lock was let go


def test_a_newer_schema_is_refused(tmp_path: Path) -> None:
    path = state_path(tmp_path, "demo")
    SqliteState.open(path).close()
    with sqlite3.connect(path) as db:
        db.execute("UPDATE schema_version SET version = 99")
    db.close()
    with pytest.raises(StateError, match="has schema version 99"):
        SqliteState.open(path)


def test_a_bad_row_is_refused(tmp_path: Path) -> None:
    path = state_path(tmp_path, "demo")
    SqliteState.open(path).close()
    with sqlite3.connect(path) as db:
        db.execute("INSERT INTO urls VALUES ('http://x/', 'page', NULL, '{\"schema\": 1}')")
    db.close()
    state = SqliteState.open(path)
    with pytest.raises(StateError, match="a bad row"):
        state.get("http://x/")
    state.close()


def _write(tmp_path: Path, data: bytes) -> Path:
    path = state_path(tmp_path, "demo")
    path.write_bytes(data)
    return path


def _foreign(tmp_path: Path) -> Path:
    path = state_path(tmp_path, "demo")
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE something (x)")
    db.close()
    return path


def test_a_state_folder_that_cannot_be_made_is_a_state_error(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the folder should be", "utf-8")
    with pytest.raises(StateError, match="setting STATE_DIR: cannot use the state folder"):
        SqliteState.open(blocker / "state" / "demo.sqlite")
