"""The article's language: a real detector (py3langid) weighed against what the page declares.

Templates often declare the site's main language on every page, so a declaration alone can be
wrong; the detector can confuse close languages (Bosnian and Croatian, Malay and Indonesian) on
short texts, so it alone can be wrong too. `detect_language` keeps the declared language unless
the detector is sure (`DETECTOR_OVERRULES`) *and* gives the declared one next to no chance
(`DECLARED_IMPLAUSIBLE`); with nothing declared it takes the detector's answer when that is at
least `DETECTOR_ALONE` likely.
"""

from __future__ import annotations

import functools
import re

from py3langid.langid import LanguageIdentifier

from pipelines.extract.langmodel import load_identifier

__all__ = ["detect_language", "primary_language", "warm_up"]

DETECTOR_OVERRULES = 0.95
DECLARED_IMPLAUSIBLE = 0.01
DETECTOR_ALONE = 0.6
_MIN_LETTERS = 40  # below this the detector guesses
_SAMPLE_CHARS = 200  # about 35 words: sure enough on news prose; detection costs per byte
_LANGUAGE_TAG = re.compile(r"([A-Za-z]{2,3})(?:[-_][A-Za-z0-9]{1,8})*")


@functools.cache
def _identifier() -> LanguageIdentifier:
    """py3langid's model with probabilities, loaded once per process (it is never changed), from
    a cache of its arrays when there is one (``pipelines.extract.langmodel``)."""
    return load_identifier()


def warm_up() -> None:
    """Load the model now (the extraction pool's forkserver does, so its workers share it)."""
    _identifier()


def detect_language(text: str, declared: str | None) -> str | None:
    """The article's language: the declared one unless the detector is sure it is wrong, the
    detector's answer when nothing is declared, None when neither is reliable."""
    sample = text[:_SAMPLE_CHARS]
    if sum(char.isalpha() for char in sample) < _MIN_LETTERS:
        return declared
    ranking = dict(_identifier().rank(sample))
    best, confidence = max(ranking.items(), key=lambda item: item[1])
    if declared is None:
        return best if confidence >= DETECTOR_ALONE else None
    sure = confidence >= DETECTOR_OVERRULES and ranking.get(declared, 0.0) < DECLARED_IMPLAUSIBLE
    return best if sure else declared


def primary_language(tag: object) -> str | None:
    """The primary subtag of a language tag or locale ("en-GB", "es_ES" -> "en", "es")."""
    text = tag.split(",")[0].strip() if isinstance(tag, str) else None  # "en, fr"
    match = _LANGUAGE_TAG.fullmatch(text) if text else None
    return match[1].lower() if match else None
