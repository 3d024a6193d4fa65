"""Article extraction: HTML bytes in, clean text and metadata out.

`extract` is a pure, top-level function of (html bytes, url, response headers), so the item
pipeline can run it in a worker process and an archive can run it again from a WARC record. It
decodes the bytes, runs trafilatura's `bare_extraction` with one set of options, then the news
cleanup layer (`pipelines.cleanup`). Fields trafilatura leaves coarse or empty (times of day,
language, canonical URL, categories, tags) are read from the page's JSON-LD and meta tags.

`EXTRACTOR_NAME`, `extractor_version()` and `CONFIG_SHA256` identify the extractor in each record,
so a record can be traced to the code and options that produced it.
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

import trafilatura
from lxml.html import HtmlElement
from trafilatura.settings import Document, Extractor
from w3lib.encoding import html_to_unicode

from pipelines.cleanup import CLEANUP_VERSION, clean_text

__all__ = ["CONFIG_SHA256", "EXTRACTOR_NAME", "Extraction", "extract", "extractor_version"]

EXTRACTOR_NAME = "trafilatura+newsarchive-cleanup"

# Built once and never mutated: each document gets a copy with its own URL and date bound.
_OPTIONS = Extractor(
    output_format="python",  # bare_extraction fills Document.text only for "python"
    comments=False,
    dedup=False,  # trafilatura's dedup cache is process-global: results would depend on history
    links=False,
    images=False,
    tables=True,
    with_metadata=True,
)
_ARTICLE_TYPES = frozenset(
    {"Article", "NewsArticle", "ReportageNewsArticle", "AnalysisNewsArticle", "BlogPosting"}
    | {"OpinionNewsArticle", "BackgroundNewsArticle", "ReviewNewsArticle", "LiveBlogPosting"}
)
_LANGUAGE_TAG = re.compile(r"([A-Za-z]{2,3})(?:[-_][A-Za-z0-9]{1,8})*")


@dataclass(frozen=True, slots=True)
class Extraction:
    """What one article page yields. Missing values are None (or an empty tuple), never ""."""

    title: str | None
    authors: tuple[str, ...]
    published_at: str | None  # ISO 8601, with offset when the page gives one
    modified_at: str | None
    sitename: str | None
    language: str | None  # ISO 639 primary language subtag, lower case ("en", "es")
    description: str | None
    categories: tuple[str, ...]
    tags: tuple[str, ...]
    canonical_url: str | None  # absolute
    text: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready fields, with lists in place of tuples."""
        return {
            name: list(value) if isinstance(value, tuple) else value
            for name, value in asdict(self).items()
        }


def _fingerprint(options: Extractor) -> dict[str, Any]:
    """The options that change output, as plain JSON values. The URL belongs to a document and
    `max_date` to a response, so both are left out; `config` is represented by the sizes read
    from it."""
    skipped = {"config", "url", "source", "date_params"}
    values: dict[str, Any] = {
        name: getattr(options, name) for name in Extractor.__slots__ if name not in skipped
    }
    values["date_params"] = {k: v for k, v in options.date_params.items() if k != "max_date"}
    return {
        key: sorted(value) if isinstance(value, set) else value for key, value in values.items()
    }


def _canonical_json(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


CONFIG_SHA256 = hashlib.sha256(
    _canonical_json({"trafilatura": _fingerprint(_OPTIONS), "cleanup": CLEANUP_VERSION})
).hexdigest()


def extractor_version() -> str:
    """trafilatura's version and the cleanup rules' version, e.g. "2.3.1+cleanup.1"."""
    return f"{trafilatura.__version__}+cleanup.{CLEANUP_VERSION}"


def extract(html: bytes, url: str, headers: Mapping[str, str] | None = None) -> Extraction | None:
    """Extract one article page; None when trafilatura rejects it or no text survives cleanup.

    `headers` are the HTTP response headers with lower-case names. The charset comes from a
    byte-order mark, then the Content-Type header, then a <meta> declaration, then UTF-8 (the
    order of w3lib's `html_to_unicode`, which is the order browsers use). The Date header bounds
    the publication dates trafilatura will accept, so extracting again from a WARC gives the
    same result; without it the bound comes from the clock.
    """
    headers = headers or {}
    _, markup = html_to_unicode(headers.get("content-type"), html)
    tree = trafilatura.load_html(markup)
    if tree is None:
        return None
    document = trafilatura.bare_extraction(tree, options=_document_options(url, headers))
    if not isinstance(document, Document):
        return None
    text = clean_text(document.text or "", title=document.title)
    if not text:
        return None
    page = _PageMetadata(tree)
    return Extraction(
        title=_text_or_none(document.title),
        authors=_unique(_split(document.author, ";")) or page.authors(),
        published_at=page.first_time("datePublished", "article:published_time")
        or _iso8601(document.date),
        modified_at=page.first_time("dateModified", "article:modified_time", "og:updated_time"),
        sitename=_text_or_none(document.sitename),
        language=page.language(headers) or _primary_language(document.language),
        description=_text_or_none(document.description),
        categories=_unique(document.categories or ()) or page.listing("articleSection"),
        tags=_unique(_split_all(document.tags or (), ",")) or page.listing("keywords"),
        canonical_url=page.canonical_url(url),
        text=text,
    )


def _document_options(url: str, headers: Mapping[str, str]) -> Extractor:
    """A copy of the shared options for one document (`url=` is ignored when `options=` is
    passed, so the URL goes on the copy). date_params gets a new dict: the copy is shallow."""
    options = copy.copy(_OPTIONS)
    options.url = options.source = url
    options.date_params = {**_OPTIONS.date_params, "max_date": _latest_plausible_date(headers)}
    return options


def _latest_plausible_date(headers: Mapping[str, str]) -> str:
    """No page is published after it was served: the response's Date, else now. One day is
    added because pages print local dates, up to 14 hours ahead of the server's UTC date."""
    try:
        served = parsedate_to_datetime(headers.get("date", ""))
    except (TypeError, ValueError):
        served = datetime.now(UTC)
    return (served + timedelta(days=1)).date().isoformat()


class _PageMetadata:
    """Metadata read straight from the page: JSON-LD article objects, <meta> and <link> tags."""

    def __init__(self, tree: HtmlElement) -> None:
        self._tree = tree
        self._articles = [node for node in _json_ld_nodes(tree) if _is_article(node)]

    def _meta(self, key: str) -> str | None:
        for element in self._tree.iterfind(".//meta[@content]"):
            if key in (element.get("property"), element.get("name"), element.get("itemprop")):
                return _text_or_none(element.get("content"))
        return None

    def _json_ld(self, key: str) -> Any:
        return next((node[key] for node in self._articles if node.get(key)), None)

    def first_time(self, json_ld_key: str, *meta_keys: str) -> str | None:
        candidates = [self._json_ld(json_ld_key), self._meta(json_ld_key)]
        candidates += [self._meta(key) for key in meta_keys]
        return next(filter(None, map(_iso8601, candidates)), None)

    def authors(self) -> tuple[str, ...]:
        people = _as_list(self._json_ld("author"))
        names = (person.get("name") if isinstance(person, dict) else person for person in people)
        return _unique(name for name in names if isinstance(name, str))

    def listing(self, json_ld_key: str) -> tuple[str, ...]:
        value = self._json_ld(json_ld_key)
        items = _split(value, ",") if isinstance(value, str) else _as_list(value)
        return _unique(item for item in items if isinstance(item, str))

    def _http_equiv(self, name: str) -> str | None:
        for element in self._tree.iterfind(".//meta[@http-equiv][@content]"):
            if (element.get("http-equiv") or "").lower() == name:
                return _text_or_none(element.get("content"))
        return None

    def language(self, headers: Mapping[str, str]) -> str | None:
        candidates = [
            self._tree.getroottree().getroot().get("lang"),
            headers.get("content-language"),
            self._http_equiv("content-language"),
            self._meta("og:locale"),
            self._json_ld("inLanguage"),
        ]
        return next(filter(None, map(_primary_language, candidates)), None)

    def canonical_url(self, url: str) -> str | None:
        hrefs = [
            _text_or_none(link.get("href"))
            for link in self._tree.iterfind(".//link[@href]")
            if "canonical" in (link.get("rel") or "").lower().split()
        ]
        for href in [*hrefs, self._meta("og:url")]:
            absolute = urljoin(url, href) if href else None
            if absolute and urlsplit(absolute).scheme in ("http", "https"):
                return absolute
        return None


def _json_ld_nodes(tree: HtmlElement) -> Iterator[dict[str, Any]]:
    """Every object in the page's JSON-LD scripts, including @graph members; bad JSON is skipped."""
    for script in tree.iterfind('.//script[@type="application/ld+json"]'):
        try:
            data = json.loads(script.text or "")
        except ValueError:
            continue
        pending = _as_list(data)
        while pending:
            node = pending.pop(0)
            if isinstance(node, dict):
                yield node
                pending.extend(_as_list(node.get("@graph")))


def _is_article(node: Mapping[str, Any]) -> bool:
    return any(
        kind in _ARTICLE_TYPES for kind in _as_list(node.get("@type")) if isinstance(kind, str)
    )


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


def _text_or_none(value: object) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def _split(value: object, separator: str) -> list[str]:
    return value.split(separator) if isinstance(value, str) else []


def _split_all(values: Iterable[str], separator: str) -> list[str]:
    return [part for value in values for part in _split(value, separator)]


def _unique(values: Iterable[str]) -> tuple[str, ...]:
    """Stripped, non-empty values in first-seen order, without repeats."""
    return tuple(dict.fromkeys(value.strip() for value in values if value and value.strip()))


def _iso8601(value: object) -> str | None:
    """A date or date-time in ISO 8601 form, or None when `value` is not one. A bare date stays a
    date: inventing midnight would claim a precision the page does not give."""
    text = _text_or_none(value)
    if text is None:
        return None
    try:
        if len(text) == 10:
            return date.fromisoformat(text).isoformat()
        return datetime.fromisoformat(text).isoformat()
    except ValueError:
        return None


def _primary_language(tag: object) -> str | None:
    """The primary subtag of a language tag or locale ("en-GB", "es_ES" -> "en", "es")."""
    text = _text_or_none(tag.split(",")[0]) if isinstance(tag, str) else None  # "en, fr"
    match = _LANGUAGE_TAG.fullmatch(text) if text else None
    return match[1].lower() if match else None
