"""py3langid's model, kept decompressed in a cache folder so that a process loads it in a quarter
of the time.

py3langid ships its model as an LZMA-compressed ``.npz`` and decompresses all of it (68 MB) on
every load: 0.6 s of CPU, 0.4 s of it the decompression (0.14 s from the cache), paid by every
extraction pool's forkserver, so by every crawl and by each process of a shared crawl. The first
load writes the arrays it read, uncompressed, to a folder named after py3langid's version and the
model file's size and modification time (so an upgrade makes a new one); later loads read them
from there. The arrays are the ones py3langid's own loader returns and make the same
``LanguageIdentifier`` (tests/pipelines/extract/test_langmodel.py compares them).

The folder is ``$NEWSARCHIVE_CACHE_DIR``, else ``$XDG_CACHE_HOME/newsarchive``, else
``~/.cache/newsarchive``. A cache that cannot be written (a read-only home) or read (a truncated
file) costs nothing but the time: the model is loaded from py3langid's file as before.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from array import array
from importlib.metadata import version
from pathlib import Path
from typing import Any

import numpy as np
from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier
from py3langid.modelio import load_model

__all__ = ["cache_folder", "load_identifier"]

logger = logging.getLogger(__name__)

_ARRAYS = ("ptc", "pc", "classes", "nextmove", "row", "output")
_TYPECODES = {2: "H", 4: "I", 8: "L"}  # itemsize -> typecode, as py3langid's loader


def cache_folder() -> Path:
    """Where cached models live (see the module's docstring)."""
    configured = os.environ.get("NEWSARCHIVE_CACHE_DIR")
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "newsarchive"


def load_identifier(folder: Path | None = None) -> LanguageIdentifier:
    """py3langid's identifier with probabilities, from the cache when it has the model."""
    source = MODEL_DIR / MODEL_FILE
    stat = source.stat()
    cached = (folder or cache_folder()) / (
        f"py3langid-{version('py3langid')}-{stat.st_size}-{stat.st_mtime_ns}"
    )
    try:
        model = _read(cached)
    except FileNotFoundError:
        model = _cached(source, cached)
    except (OSError, ValueError, KeyError) as exc:
        logger.warning("cached language model %s unreadable (%s): made again", cached, exc)
        _discard(cached)
        model = _cached(source, cached)
    ptc, pc, classes, nextmove, row, output = model
    return LanguageIdentifier(ptc, pc, classes, nextmove, output, norm_probs=True, tk_row=row)


def _read(folder: Path) -> tuple[Any, ...]:
    loaded = {name: np.load(folder / f"{name}.npy", allow_pickle=False) for name in _ARRAYS}
    return (
        loaded["ptc"],
        loaded["pc"],
        loaded["classes"].tolist(),
        _as_array(loaded["nextmove"]),
        _as_array(loaded["row"]),
        loaded["output"].tolist(),
    )


def _as_array(values: np.ndarray[Any, Any]) -> array[int]:
    """The stdlib array py3langid's loader makes of an unsigned integer array (its DFA)."""
    out = array(_TYPECODES[values.dtype.itemsize])
    out.frombytes(np.ascontiguousarray(values).tobytes())
    return out


def _cached(source: Path, folder: Path) -> tuple[Any, ...]:
    """The model as py3langid loads it, its arrays written to `folder` whole or not at all:
    into a new folder renamed into place (a process that loses the race to another keeps the
    other's)."""
    model: tuple[Any, ...] = load_model(source)
    ptc, pc, classes, nextmove, row, output = model
    arrays = {
        "ptc": np.asarray(ptc),
        "pc": np.asarray(pc),
        "classes": np.array(classes),
        "nextmove": np.frombuffer(nextmove, dtype=f"u{nextmove.itemsize}"),
        "row": np.frombuffer(row, dtype=f"u{row.itemsize}"),
        "output": np.asarray(output, dtype=np.int32),
    }
    staging = None
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".langmodel-", dir=folder.parent))
        for name, values in arrays.items():
            np.save(staging / f"{name}.npy", values, allow_pickle=False)
        staging.rename(folder)
    except OSError as exc:
        logger.debug("language model not cached in %s: %s", folder, exc)
    finally:
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)
    return model


def _discard(folder: Path) -> None:
    """Take an unreadable cached model away: renamed first, so that no other process reads it
    half deleted."""
    aside = folder.with_name(f".discarded-{folder.name}-{os.getpid()}")
    try:
        folder.rename(aside)
    except OSError:
        return
    shutil.rmtree(aside, ignore_errors=True)
