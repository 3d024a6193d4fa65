"""The pieces a seed set is checked with: its error, where a key is written, and URL scope.

crawler/seeds.py reads and validates a seed set; this module holds what that validation stands on,
so the reader there stays one screen of rules. Nothing here knows the seed-set keys.
"""

from __future__ import annotations

import importlib.resources
import re
import reprlib
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import urlsplit

__all__ = [
    "SeedError",
    "SeedErrors",
    "describe",
    "domain_problem",
    "http_host",
    "in_domains",
    "line_of",
    "read_seed_file",
]

# A TOML key, bare or quoted, and a dotted key; enough to find the line where a key is written.
_KEY_PART = r"""(?:[A-Za-z0-9_-]+|"(?:[^"\\]|\\.)*"|'[^']*')"""
_DOTTED_KEY = rf"{_KEY_PART}(?:\s*\.\s*{_KEY_PART})*"
_TABLE_HEADER = re.compile(rf"\s*\[\[?\s*({_DOTTED_KEY})\s*\]")
_ASSIGNMENT = re.compile(rf"\s*({_DOTTED_KEY})\s*=")
_HOST_LABEL = re.compile(r"(?!-)[a-z0-9-]{1,63}(?<!-)\Z")


class SeedError(ValueError):
    """A seed set that cannot be used; the message names the file, key, line and problem."""

    def __init__(
        self, path: str | Path, problem: str, *, key: str | None = None, line: int | None = None
    ) -> None:
        parts = [str(path)]
        if line is not None:
            parts.append(f"line {line}")
        if key is not None:
            parts.append(f"key {key!r}")
        parts.append(problem)
        super().__init__(": ".join(parts))
        self.path = Path(path)
        self.key = key
        self.line = line
        self.problem = problem


class SeedErrors(SeedError):
    """Every problem of one seed set file, one line each, so that one run shows them all; its
    `path`, `key`, `line` and `problem` are the first error's."""

    def __init__(self, errors: Sequence[SeedError]) -> None:
        first = errors[0]
        super().__init__(first.path, first.problem, key=first.key, line=first.line)
        self.errors = tuple(errors)
        self.args = ("\n".join(str(error) for error in errors),)


def read_seed_file(path: Path) -> bytes:
    """The bytes of the seed set at `path`: the file, or else the copy installed with the project.

    A relative `seeds/x.toml` that is not below the working folder is read from the `seeds`
    package (a pip install, a scrapyd egg, where the job's folder is scrapyd's), so a scheduled
    crawl names its seed set as the README does, from any folder.
    """
    try:
        return path.read_bytes()
    except FileNotFoundError:
        packaged = _installed_seed_file(path)
        if packaged is None:
            raise SeedError(path, "file not found") from None
        return packaged
    except OSError as exc:
        raise SeedError(path, f"cannot read the file: {exc.strerror or exc}") from None


def _installed_seed_file(path: Path) -> bytes | None:
    parts = path.parts
    if path.is_absolute() or len(parts) < 2 or parts[0] != "seeds" or ".." in parts:
        return None
    try:
        return importlib.resources.files("seeds").joinpath(*parts[1:]).read_bytes()
    except (ImportError, OSError):  # no such package or file (FileNotFoundError, ...)
        return None


def line_of(text: str, key: str, table: str | None) -> int | None:
    """The line of TOML `text` where `key` is written, at the top level or in `table`; or None.

    A key can be written as `key = ...` in its table, as a dotted `table.key = ...`, or as a
    table header `[key]`. If only its table is found, that table's first line is the answer.
    """
    target = (key,) if table is None else (table, key)
    current: tuple[str, ...] = ()
    opening: int | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        if header := _TABLE_HEADER.match(line):
            current = _key_path(header.group(1))
            written = current
        elif assignment := _ASSIGNMENT.match(line):
            written = (*current, *_key_path(assignment.group(1)))
        else:
            continue
        if written[: len(target)] == target:
            return number
        if opening is None and target[: len(written)] == written:
            opening = number
    return opening


def _key_path(dotted_key: str) -> tuple[str, ...]:
    """("a", "b c") for `a."b c"`; quotes removed, escapes left as written."""
    parts = re.findall(_KEY_PART, dotted_key)
    return tuple(part[1:-1] if part[0] in "\"'" else part for part in parts)


def describe(value: object) -> str:
    return f"{type(value).__name__} {reprlib.repr(value)}"


def http_host(url: str) -> str | None:
    """The lowercased host of an absolute http(s) URL, or None if `url` is not one."""
    if any(c.isspace() for c in url):
        return None
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a malformed port
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    return parts.hostname


def in_domains(host: str, domains: tuple[str, ...]) -> bool:
    """Scrapy's OffsiteMiddleware rule: a domain allows itself and its subdomains."""
    return any(host == domain or host.endswith(f".{domain}") for domain in domains)


def domain_problem(domain: str) -> str | None:
    """What keeps `domain` from being a bare hostname, or None if it is one."""
    if "://" in domain:
        return "remove the scheme"
    if "/" in domain:
        return "remove the path"
    if ":" in domain:
        return "remove the port"
    if len(domain) > 253 or not all(_HOST_LABEL.match(label) for label in domain.split(".")):
        return "use letters, digits and '-' in dot-separated labels"
    return None
