"""What counts as a secret in the settings, and the settings with their secrets taken out.

The manifest and warcinfo show the settings a crawl ran with (``redacted_settings``); the log
filter scrubs the raw secret values (``secret_values``). A value is a secret when its name says
so (``is_secret_name``: AWS keys, passwords, tokens, header-style names like X-Api-Key) or when
it is a URL's user and password part or an AWS access key id, wherever it appears.
"""

from __future__ import annotations

import re
from typing import Any

from scrapy.settings import BaseSettings

# Names that say they hold a secret. HTTPPROXY_AUTH_ENCODING is not one: AUTH must end the name.
# Header names count too: '-' separates words as '_' does (X-Api-Key, X-Auth-Token).
_SECRET_NAME = re.compile(
    r"SECRET|PASSWORD|PASSWD|(^|_)PASS($|_)|TOKEN|CREDENTIAL|PRIVATE_?KEY|AUTHORIZATION|COOKIE"
    r"|SESSION|(^|_)(API_?)?KEY(S)?($|_)|(^|_)AUTH$",
    re.IGNORECASE,
)
_URL_USERINFO = re.compile(r"(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*://)[^/@\s]+@")
# AWS access key ids (long-term AKIA, temporary ASIA, ...), wherever they appear in a value.
AWS_KEY_ID = re.compile(
    r"(?<![A-Z0-9])(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[A-Z0-9]{16}(?![A-Z0-9])"
)
REDACTED = "<redacted>"


def redacted_settings(settings: BaseSettings) -> dict[str, Any]:
    """The settings a crawl ran with, as JSON values, secrets replaced by ``<redacted>``.

    A value is a secret when its name says so (at any depth of nested dicts; a header listed
    in ``WARC_REDACT_HEADERS`` is one too), the user and password part of any URL in a string
    is removed, and so is an AWS access key id anywhere. Classes and other objects become
    their qualified names, so the result always serialises.
    """
    extra = _redact_header_names(settings)
    return {
        name: _redacted(name, value, extra=extra)
        for name, value in sorted(settings.copy_to_dict().items())
    }


def secret_values(settings: BaseSettings) -> frozenset[str]:
    """The secret strings in the settings: what `redacted_settings` hides, as the raw values
    (a URL's user and password part alone), so that logs can be scrubbed of them too."""
    found: set[str] = set()
    extra = _redact_header_names(settings)
    for name, value in settings.copy_to_dict().items():
        _collect(name, value, extra, found)
    return frozenset(found)


def is_secret_name(name: str) -> bool:
    return bool(_SECRET_NAME.search(name.replace("-", "_").replace(" ", "_")))


def _redact_header_names(settings: BaseSettings) -> frozenset[str]:
    try:
        listed = settings.getlist("WARC_REDACT_HEADERS")
    except (TypeError, ValueError):
        return frozenset()
    return frozenset(str(name).strip().lower() for name in listed if str(name).strip())


def _collect(name: str, raw: Any, extra: frozenset[str], found: set[str], depth: int = 0) -> None:
    hidden = _redacted(name, raw, depth, extra)
    if isinstance(raw, bool | int | float) or raw is None or raw == hidden:
        return
    if isinstance(raw, str):
        if hidden == REDACTED:
            found.add(raw)
            return
        for match in _URL_USERINFO.finditer(raw):
            found.add(match.group(0)[len(match.group("scheme")) : -1])
        found.update(AWS_KEY_ID.findall(raw))
    elif hidden == REDACTED:
        found.update(_strings(raw))
    elif isinstance(raw, dict):
        for key, item in raw.items():
            _collect("", str(key), extra, found, depth + 1)
            _collect(str(key), item, extra, found, depth + 1)
    elif isinstance(raw, list | tuple | set | frozenset):
        for item in raw:
            _collect("", item, extra, found, depth + 1)


def _strings(value: Any, depth: int = 0) -> list[str]:
    if isinstance(value, str):
        return [value]
    if depth > 8:
        return []
    if isinstance(value, dict):
        value = [*value.keys(), *value.values()]
    if isinstance(value, list | tuple | set | frozenset):
        return [text for item in value for text in _strings(item, depth + 1)]
    return []


def _redacted(name: str, value: Any, depth: int = 0, extra: frozenset[str] = frozenset()) -> Any:
    if isinstance(value, bool | int | float) or value is None:
        return value  # flags and numbers are never secrets (COOKIES_ENABLED, SESSION_TIMEOUT)
    if (is_secret_name(name) or name.lower() in extra) and value not in ("", [], {}):
        return REDACTED
    if isinstance(value, str):
        return AWS_KEY_ID.sub(REDACTED, _URL_USERINFO.sub(rf"\g<scheme>{REDACTED}@", value))
    if depth > 8:
        return REDACTED
    if isinstance(value, dict):
        return {
            _redacted("", str(key), depth + 1): _redacted(str(key), item, depth + 1, extra)
            for key, item in value.items()
        }
    if isinstance(value, list | tuple | set | frozenset):
        items = [_redacted("", item, depth + 1, extra) for item in value]
        return items if isinstance(value, list | tuple) else sorted(items, key=repr)
    qualified = getattr(value, "__qualname__", None)
    module = getattr(value, "__module__", None)
    return f"{module}.{qualified}" if qualified and module else type(value).__name__
