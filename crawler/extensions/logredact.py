"""Secrets never reach the log: a filter on every log handler that scrubs each line.

Scrapy itself logs every overridden setting at startup (``AWS_SECRET_ACCESS_KEY`` given with
``-s``, ``DEFAULT_REQUEST_HEADERS`` carrying an ``Authorization`` ...), and botocore logs signed
request headers at DEBUG. `LogRedaction` puts a `SecretFilter` on the root logger's handlers
before Scrapy's settings line is written, and that line is rebuilt from the redacted settings
(pprint may wrap a long value over two lines, where no search would find it). The filter then
replaces, in every formatted message and traceback:

- every secret value of the settings (what ``crawler.redaction.secret_values`` finds: values of
  settings and nested keys whose names say they are secret, headers in ``WARC_REDACT_HEADERS``,
  the user and password of URLs) and of secret-named environment variables (``AWS_*`` ...);
- wherever they appear: AWS access key ids, the user and password of URLs, and the values of
  ``Authorization``, ``Proxy-Authorization``, ``Cookie``, ``X-Amz-Security-Token`` headers (and
  query parameters), and SigV4 signatures (botocore logs them at DEBUG).
"""

from __future__ import annotations

import logging
import os
import pprint
import re
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Self

from scrapy.settings import BaseSettings, overridden_settings

from crawler.redaction import (
    AWS_KEY_ID,
    REDACTED,
    is_secret_name,
    redacted_settings,
    secret_values,
)

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

SCRAPY_SETTINGS_LINE = "Overridden settings:\n%(settings)s"  # scrapy.crawler logs this
MIN_SECRET_LENGTH = 8  # shorter values ("test", "1") would scrub ordinary words out of the log
_PATTERNS = (
    (re.compile(r"(?P<keep>[A-Za-z][A-Za-z0-9+.-]*://)[^/@\s'\"]+@"), rf"\g<keep>{REDACTED}@"),
    (
        re.compile(
            r"(?P<keep>\b(?:Proxy-)?Authorization|\bCookie|\bX-Amz-(?:Security-Token|Credential))"
            r"(?P<sep>['\"]?\s*[:=]\s*b?['\"]?)[^'\"\r\n]+",
            re.IGNORECASE,
        ),
        rf"\g<keep>\g<sep>{REDACTED}",
    ),
    (re.compile(r"(?P<keep>\bSignature\s*[=:]\s*)[0-9a-fA-F]{16,}"), rf"\g<keep>{REDACTED}"),
    (AWS_KEY_ID, REDACTED),
)


def scrub(text: str, secrets: Iterable[str] = ()) -> str:
    """`text` without the given secret values and without anything that looks like a credential."""
    for secret in sorted(secrets, key=len, reverse=True):  # longest first: one may hold another
        if len(secret) >= MIN_SECRET_LENGTH:
            text = text.replace(secret, REDACTED)
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


def environment_secrets(environ: Mapping[str, str]) -> frozenset[str]:
    return frozenset(value for name, value in environ.items() if is_secret_name(name) and value)


def settings_dump(settings: BaseSettings) -> str:
    """What Scrapy logs as its overridden settings, with the secrets redacted."""
    redacted = redacted_settings(settings)
    return pprint.pformat({name: redacted[name] for name, _ in overridden_settings(settings)})


class SecretFilter(logging.Filter):
    def __init__(
        self, secrets: Iterable[str], dump_settings: Callable[[], str] | None = None
    ) -> None:
        super().__init__()
        self.secrets = frozenset(s for s in secrets if len(s) >= MIN_SECRET_LENGTH)
        self.dump_settings = dump_settings

    def filter(self, record: logging.LogRecord) -> bool:
        if self.dump_settings is not None and record.msg == SCRAPY_SETTINGS_LINE:
            record.args = {"settings": self.dump_settings()}
        message = record.getMessage()
        clean = scrub(message, self.secrets)
        if clean != message:
            record.msg, record.args = clean, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = scrub(record.exc_text, self.secrets)
        if record.stack_info:
            record.stack_info = scrub(record.stack_info, self.secrets)
        return True


def install(new: SecretFilter, logger: logging.Logger | None = None) -> SecretFilter:
    """Put `new` on each handler of `logger` (the root logger), in place of an earlier one."""
    for handler in (logger or logging.getLogger()).handlers:
        for old in [f for f in handler.filters if isinstance(f, SecretFilter)]:
            handler.removeFilter(old)
        handler.addFilter(new)
    return new


class LogRedaction:
    """The extension: installs the filter when the crawler is built, before Scrapy logs settings."""

    def __init__(self, log_filter: SecretFilter) -> None:
        self.filter = log_filter

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        secrets = secret_values(crawler.settings) | environment_secrets(os.environ)
        return cls(install(SecretFilter(secrets, lambda: settings_dump(crawler.settings))))
