"""Reading Scrapy settings into frozen configs: the typed readers and the one error they raise.

Settings flow one way: Scrapy settings -> a feature's ``*Config.from_settings`` (validated,
frozen, no side effects) -> the component's plain ``__init__``. Each feature keeps its config
next to its code (``crawler/downloader/config.py``, ``pipelines/warc/config.py`` ...); they all
read through the helpers here, so a bad value always raises :class:`ConfigError` naming the
setting, its value and what was expected, before the crawl starts.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TypeVar

from scrapy.settings import BaseSettings

T = TypeVar("T")


class ConfigError(ValueError):
    """A setting has a value the crawl cannot run with."""


def read(settings: BaseSettings, name: str, getter: Callable[[str], T]) -> T:
    """``getter(name)``, with a conversion error turned into a ConfigError naming the setting."""
    try:
        return getter(name)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"setting {name}: {settings.get(name)!r} is not valid ({exc})") from exc


def integer(settings: BaseSettings, name: str, minimum: int) -> int:
    raw = settings.get(name)
    if raw is None or (isinstance(raw, float) and not raw.is_integer()):
        raise ConfigError(f"setting {name}: must be an integer >= {minimum}, got {raw!r}")
    value = read(settings, name, settings.getint)
    if value < minimum:
        raise ConfigError(f"setting {name}: must be an integer >= {minimum}, got {value}")
    return value


def number(settings: BaseSettings, name: str, minimum: float) -> float:
    if settings.get(name) is None:
        raise ConfigError(f"setting {name}: must be a number >= {minimum}, got None")
    value = read(settings, name, settings.getfloat)
    if not math.isfinite(value) or value < minimum:
        raise ConfigError(f"setting {name}: must be a number >= {minimum}, got {value}")
    return value


def choice(settings: BaseSettings, name: str, choices: tuple[str, ...]) -> str:
    value = str(settings.get(name) or "").strip()
    if value not in choices:
        raise ConfigError(f"setting {name}: {value!r} must be one of {choices}")
    return value


def optional(settings: BaseSettings, name: str) -> str | None:
    """The setting as stripped text, None when unset or empty."""
    value = settings.get(name)
    return str(value).strip() or None if value is not None else None
