"""Seed sets: the TOML file that says where one crawl starts and how far it may go.

A seed set is validated completely when it is loaded, so a typo stops the crawl before it starts
instead of silently narrowing it. Every error is a `SeedError` (a `ValueError`) whose message names
the file, the key, the line where the key is written, and the problem.
"""

from __future__ import annotations

import difflib
import os
import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from string import Template
from types import MappingProxyType
from typing import TypeVar

from crawler.seedcheck import (
    SeedError,
    SeedErrors,
    describe,
    domain_problem,
    http_host,
    in_domains,
    line_of,
    read_seed_file,
)
from crawler.state.schedule import DEFAULT as DEFAULT_RECRAWL
from crawler.state.schedule import Schedule, read_recrawl

__all__ = ["MAX_RELATED_DEPTH", "SeedError", "SeedErrors", "SeedSet", "load_seedset"]

MAX_RELATED_DEPTH = 10
_T = TypeVar("_T")

_NAME = re.compile(r"[a-z0-9][a-z0-9._-]*\Z")
# The crawl id is "{name}-{14-digit UTC timestamp}", and crawl ids have at most 128 characters.
_MAX_NAME_LENGTH = 128 - len("-20221012093000")
_SETTING_NAME = re.compile(r"[A-Z][A-Z0-9_]*\Z")
_URL_KEYS = ("start_urls", "feeds", "sitemaps")
_REQUIRED = ("name", "allowed_domains", "related_depth", "contact")
_KNOWN = frozenset((*_REQUIRED, *_URL_KEYS, "settings", "recrawl"))


@dataclass(frozen=True, slots=True)
class SeedSet:
    """A validated seed set; every URL is absolute http(s) and inside `allowed_domains`."""

    name: str
    path: Path
    start_urls: tuple[str, ...]
    feeds: tuple[str, ...]
    sitemaps: tuple[str, ...]
    allowed_domains: tuple[str, ...]
    related_depth: int
    contact: str
    # A read-only view; left out of the hash so a SeedSet stays hashable.
    settings: Mapping[str, object] = field(hash=False)
    recrawl: Schedule = DEFAULT_RECRAWL  # when known articles are re-checked ([recrawl])

    def user_agent(self, product: str) -> str:
        return f"{product} (+{self.contact})"

    def in_scope(self, url: str) -> bool:
        """Whether `url` is absolute http(s) on an allowed domain or one of its subdomains."""
        host = http_host(url)
        return host is not None and in_domains(host, self.allowed_domains)


def load_seedset(path: str | Path, environ: Mapping[str, str] | None = None) -> SeedSet:
    """Read and validate the seed set at `path`; `${VAR}` references come from `environ`."""
    path = Path(path)
    raw = read_seed_file(path)  # or the installed copy of a relative seeds/x.toml
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        problem = f"not UTF-8 text ({exc.reason} at byte {exc.start})"
        raise SeedError(path, problem, line=line) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SeedError(path, f"invalid TOML: {exc}") from None
    return _Reader(path, text, data, os.environ if environ is None else environ).seedset()


@dataclass(frozen=True, slots=True)
class _Reader:
    """Validates one parsed file; kept together so every error can point at its line."""

    path: Path
    text: str
    data: Mapping[str, object]
    environ: Mapping[str, str]

    def seedset(self) -> SeedSet:
        """The seed set; or every error of the file at once (`SeedErrors`), one per key."""
        errors = self._key_errors()

        def check(key: str | None, rule: Callable[[], _T]) -> _T | None:
            """`rule`'s value, or None with its error kept (or when `key`, required, is missing)."""
            if key is not None and key not in self.data:
                return None  # reported as missing
            try:
                return rule()
            except SeedError as exc:
                errors.append(exc)
                return None

        name, depth = check("name", self._name), check("related_depth", self._related_depth)
        contact, domains = check("contact", self._contact), check("allowed_domains", self._domains)
        found = {key: check(None, partial(self._urls, key, domains)) for key in _URL_KEYS}
        urls = {key: value for key, value in found.items() if value is not None}
        check(None, partial(self._check_duplicates, urls))
        if len(urls) == len(found) and not any(urls.values()):
            errors.append(
                SeedError(self.path, "no URLs: give at least one of start_urls, feeds, sitemaps")
            )
        settings = check(None, self._settings)
        recrawl = check(None, partial(read_recrawl, self.data.get("recrawl"), self._recrawl_error))
        if errors:
            raise errors[0] if len(errors) == 1 else SeedErrors(errors)
        assert name and depth is not None and contact and domains  # no error: every value read
        assert settings is not None and recrawl is not None
        return SeedSet(
            name=name,
            path=self.path,
            start_urls=urls["start_urls"],
            feeds=urls["feeds"],
            sitemaps=urls["sitemaps"],
            allowed_domains=domains,
            related_depth=depth,
            contact=contact,
            settings=settings,
            recrawl=recrawl,
        )

    def fail(self, key: str, problem: str, *, table: str | None = None) -> SeedError:
        return SeedError(
            self.path,
            problem,
            key=key if table is None else f"{table}.{key}",
            line=line_of(self.text, key, table),
        )

    def _recrawl_error(self, key: str, problem: str) -> SeedError:
        return self.fail(key, problem, table="recrawl") if key else self.fail("recrawl", problem)

    def _key_errors(self) -> list[SeedError]:
        errors = []
        for key in self.data:
            if key not in _KNOWN:
                close = difflib.get_close_matches(key, _KNOWN, n=1)
                hint = f"; did you mean {close[0]!r}?" if close else ""
                errors.append(
                    self.fail(key, f"unknown key{hint} (known: {', '.join(sorted(_KNOWN))})")
                )
        missing = [key for key in _REQUIRED if key not in self.data]
        return errors + [self.fail(key, "missing required key") for key in missing]

    def _strings(self, key: str) -> list[str]:
        """The list at `key` (empty if absent): non-empty strings with ${VAR} resolved."""
        value = self.data.get(key, [])
        if not isinstance(value, list):
            raise self.fail(key, f"must be a list of strings, got {describe(value)}")
        items: list[str] = []
        for index, item in enumerate(value, start=1):
            if not isinstance(item, str) or not item.strip():
                raise self.fail(
                    key, f"item {index}: must be a non-empty string, got {describe(item)}"
                )
            resolved = self._resolve(key, item)
            if resolved in items:
                raise self.fail(key, f"duplicate entry {resolved!r}")
            items.append(resolved)
        return items

    def _resolve(self, key: str, value: str) -> str:
        try:
            return Template(value).substitute(self.environ)
        except KeyError as exc:
            raise self.fail(key, f"environment variable {exc.args[0]!r} is not set") from None
        except ValueError:
            raise self.fail(key, f"bad '$' in {value!r}: write ${{VAR}}, or $$ for '$'") from None

    def _domains(self) -> tuple[str, ...]:
        domains = [domain.lower() for domain in self._strings("allowed_domains")]
        if not domains:
            raise self.fail("allowed_domains", "must list at least one domain")
        for index, domain in enumerate(domains):
            problem = domain_problem(domain)
            if problem:
                raise self.fail("allowed_domains", f"{domain!r} is not a bare hostname: {problem}")
            if domain in domains[:index]:
                # Hostnames ignore case, so "Example.com" repeats "example.com".
                raise self.fail("allowed_domains", f"duplicate entry {domain!r}")
        return tuple(domains)

    def _urls(self, key: str, domains: tuple[str, ...] | None) -> tuple[str, ...]:
        """The URLs at `key`; in scope of `domains`, unless those are wrong themselves (None)."""
        urls = self._strings(key)
        for url in urls:
            host = http_host(url)
            if host is None:
                raise self.fail(key, f"{url!r} is not an absolute http(s) URL")
            if domains is not None and not in_domains(host, domains):
                raise self.fail(
                    key, f"{url!r}: host {host!r} is outside allowed_domains {list(domains)}"
                )
        return tuple(urls)

    def _check_duplicates(self, urls: Mapping[str, tuple[str, ...]]) -> None:
        seen: dict[str, str] = {}
        for key, values in urls.items():
            for url in values:
                if url in seen:
                    raise self.fail(key, f"duplicate URL {url!r}, already in {seen[url]!r}")
                seen[url] = key

    def _name(self) -> str:
        name = self.data["name"]
        if not isinstance(name, str) or not _NAME.match(name):
            raise self.fail(
                "name", f"must be lowercase letters, digits, '.', '_' or '-', got {describe(name)}"
            )
        if len(name) > _MAX_NAME_LENGTH:
            raise self.fail(
                "name",
                f"must be at most {_MAX_NAME_LENGTH} characters, as it starts the crawl id; "
                f"got {len(name)}",
            )
        return name

    def _related_depth(self) -> int:
        depth = self.data["related_depth"]
        if isinstance(depth, bool) or not isinstance(depth, int):
            raise self.fail("related_depth", f"must be an integer, got {describe(depth)}")
        if depth < 0:
            raise self.fail("related_depth", f"must be an integer >= 0, got {depth}")
        if depth > MAX_RELATED_DEPTH:
            raise self.fail("related_depth", f"must be at most {MAX_RELATED_DEPTH}, got {depth}")
        return depth

    def _contact(self) -> str:
        contact = self.data["contact"]
        if not isinstance(contact, str):
            raise self.fail("contact", f"must be a string, got {describe(contact)}")
        contact = self._resolve("contact", contact)
        if contact.startswith("mailto:"):
            user, at, host = contact.removeprefix("mailto:").partition("@")
            valid = bool(user and at and host) and not any(c.isspace() for c in contact)
        else:
            valid = http_host(contact) is not None
        if not valid:
            raise self.fail(
                "contact", f"must be an http(s) URL or a mailto: address, got {contact!r}"
            )
        return contact

    def _settings(self) -> Mapping[str, object]:
        settings = self.data.get("settings", {})
        if not isinstance(settings, dict):
            raise self.fail("settings", f"must be a table, got {describe(settings)}")
        for name in settings:
            if not _SETTING_NAME.match(name):
                raise self.fail(
                    name, "Scrapy setting names are UPPERCASE identifiers", table="settings"
                )
        return MappingProxyType(dict(settings))
