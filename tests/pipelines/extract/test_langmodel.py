"""py3langid's model from the cache folder is the model py3langid loads itself, and a cache that
cannot be read or written costs nothing but the time."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pytest
from py3langid.langid import MODEL_FILE, LanguageIdentifier

from pipelines.extract import langmodel
from pipelines.extract.langmodel import cache_folder, load_identifier

SAMPLES = (
    "The minister said on Tuesday that the new budget would be presented to parliament.",
    "El ministro dijo el martes que el nuevo presupuesto se presentará al parlamento.",
    "Le ministre a déclaré mardi que le nouveau budget serait présenté au parlement.",
)


@pytest.fixture(scope="module")
def reference() -> LanguageIdentifier:
    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def assert_same(identifier: LanguageIdentifier, reference: LanguageIdentifier) -> None:
    assert identifier.nb_classes == reference.nb_classes
    assert np.array_equal(identifier.nb_ptc, reference.nb_ptc)
    assert identifier.nb_ptc.dtype == reference.nb_ptc.dtype
    assert np.array_equal(identifier.nb_pc, reference.nb_pc)
    assert identifier.tk_nextmove == reference.tk_nextmove
    assert identifier.tk_row == reference.tk_row
    assert identifier.tk_output == reference.tk_output
    for text in SAMPLES:
        assert identifier.rank(text) == reference.rank(text)


def refused(path: Path) -> object:
    raise AssertionError(f"py3langid's model file read again: {path}")


def test_the_first_load_writes_the_cache_and_the_next_reads_it(
    tmp_path: Path, reference: LanguageIdentifier, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = load_identifier(tmp_path)
    [cached] = tmp_path.iterdir()
    assert cached.name.startswith("py3langid-")
    assert {p.name for p in cached.iterdir()} == {
        f"{name}.npy" for name in ("ptc", "pc", "classes", "nextmove", "row", "output")
    }
    stamp = {p.name: p.stat().st_mtime_ns for p in cached.iterdir()}
    # py3langid's own loader is not asked again: the model comes from the cache
    monkeypatch.setattr(langmodel, "load_model", refused)
    second = load_identifier(tmp_path)
    assert {p.name: p.stat().st_mtime_ns for p in cached.iterdir()} == stamp  # read, not rewritten
    assert_same(first, reference)
    assert_same(second, reference)


def test_an_unreadable_cache_is_made_again(
    tmp_path: Path, reference: LanguageIdentifier, caplog: pytest.LogCaptureFixture
) -> None:
    load_identifier(tmp_path)
    [cached] = tmp_path.iterdir()
    (cached / "nextmove.npy").write_bytes(b"\x93NUMPY truncated")
    with caplog.at_level(logging.WARNING, logger="pipelines.extract.langmodel"):
        identifier = load_identifier(tmp_path)
    assert f"cached language model {cached} unreadable" in caplog.text
    assert_same(identifier, reference)
    assert [p.name for p in tmp_path.iterdir()] == [cached.name]  # the bad one replaced
    assert_same(load_identifier(tmp_path), reference)


def test_a_cache_that_cannot_be_written_loads_the_model_as_before(
    tmp_path: Path, reference: LanguageIdentifier
) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    assert_same(load_identifier(blocked / "cache"), reference)
    assert blocked.read_text() == "not a folder"


def test_the_cache_folder_follows_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NEWSARCHIVE_CACHE_DIR", str(tmp_path / "here"))
    assert cache_folder() == tmp_path / "here"
    monkeypatch.delenv("NEWSARCHIVE_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_folder() == tmp_path / "xdg" / "newsarchive"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert cache_folder() == tmp_path / "home" / ".cache" / "newsarchive"
