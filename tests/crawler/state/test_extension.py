"""Opening the state for a crawl: once per process, refused while another run holds it, and
left alone with STATE_ENABLED off."""

from __future__ import annotations

from pathlib import Path

import pytest
from scrapy.settings import Settings

from crawler.config import ConfigError
from crawler.state.base import StateError
from crawler.state.extension import claim_state, crawl_state, release_state
from crawler.state.sqlite import SqliteState, state_path


def settings(tmp_path: Path, **extra: object) -> Settings:
    values = {"STATE_ENABLED": True, "STATE_DIR": str(tmp_path), "STATE_WAIT": False}
    return Settings({**values, "SEEDSET_NAME": "demo", **extra})


def test_the_command_and_the_crawl_hold_one_state(tmp_path: Path) -> None:
    claim_state(settings(tmp_path), "demo")
    state = crawl_state(settings(tmp_path))
    assert state is not None and state is crawl_state(settings(tmp_path))
    assert state.location == str(state_path(tmp_path, "demo").resolve())
    release_state(state)
    again = crawl_state(settings(tmp_path))  # released: opened anew
    assert again is not None and again is not state
    release_state(again)


def test_a_state_held_by_another_run_is_a_config_error(tmp_path: Path) -> None:
    other_run = SqliteState.open(state_path(tmp_path, "demo"))
    try:
        with pytest.raises(StateError, match="in use by another run") as raised:
            claim_state(settings(tmp_path), "demo")
        assert isinstance(raised.value, ConfigError)  # scrapy crawl: one error line, exit 2
    finally:
        other_run.close()


def test_nothing_is_opened_when_the_state_is_off(tmp_path: Path) -> None:
    off = settings(tmp_path / "off", STATE_ENABLED=False)
    claim_state(off, "demo")
    assert crawl_state(off) is None
    assert not (tmp_path / "off").exists()
    with pytest.raises(ConfigError, match="STATE_DIR"):
        crawl_state(settings(tmp_path, STATE_DIR=""))
