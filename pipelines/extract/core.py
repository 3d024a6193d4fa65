"""Article extraction: HTML bytes in, clean text and metadata out.

`extract` is a pure, top-level function of (html bytes, url, response headers), so the item
pipeline can run it in a worker process and an archive can run it again from a WARC record:

1. decode the bytes (`pipelines.extract.charset`: header, then <meta>, then detection; no mojibake);
2. run trafilatura's own extraction, one set of options, without its fallback;
3. read the page's markup once for the cleanup (`pipelines.extract.pagecontext`);
4. look for a cut article or a better fallback and keep the best candidate by a documented
   score (`pipelines.extract.candidates`), after the news cleanup
   (`pipelines.extract.cleanup.rules`);
5. read metadata from JSON-LD and meta tags first, then trafilatura/htmldate
   (`pipelines.extract.metadata`, `pipelines.extract.authors`); detect the language from the text.

`EXTRACTOR_NAME`, `extractor_version()` and `CONFIG_SHA256` identify the extractor in each record,
so a record can be traced to the code and options that produced it.
"""

from __future__ import annotations

import contextlib
import copy
import functools
import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from importlib.metadata import version
from typing import Any

import trafilatura
from lxml.html import HtmlElement
from trafilatura.metadata import examine_meta, extract_author, extract_meta_json
from trafilatura.settings import Document, Extractor, set_date_params

from pipelines.extract import candidates, jsontext
from pipelines.extract.bylines import read_byline
from pipelines.extract.charset import Decoded, decode
from pipelines.extract.cleanup.rules import CLEANUP_VERSION
from pipelines.extract.htmltree import parse_html
from pipelines.extract.language import detect_language
from pipelines.extract.metadata import (
    MODIFIED_META,
    PUBLISHED_META,
    PageMetadata,
    TimeBound,
    iso_time,
    text_or_none,
)
from pipelines.extract.pagecontext import PageContext, page_context
from pipelines.extract.standfirst import with_standfirst

__all__ = [
    "CONFIG_SHA256",
    "EXTRACTOR_NAME",
    "Extraction",
    "extract",
    "extractor_version",
    "parse",
]

EXTRACTOR_NAME = "trafilatura+newsarchive-cleanup"

# Built once and never mutated: each document gets a copy with its own URL and date bound.
_OPTIONS = Extractor(
    output_format="python",  # bare_extraction fills Document.text only for "python"
    # no fallback inside trafilatura: pipelines.extract.candidates weighs fallbacks itself
    fast=True,
    comments=False,
    dedup=False,  # trafilatura's dedup cache is process-global: results would depend on history
    links=False,
    images=False,
    tables=True,
    # pipelines.extract.metadata reads structured data; trafilatura's guesses are
    with_metadata=False,
    # made only for what it lacks (extract._Guesses)
    date_params=set_date_params(extensive=True),  # fast would also narrow the date search
)


@dataclass(frozen=True, slots=True)
class Extraction:
    """What one article page yields. Missing values are None (or an empty tuple), never ""."""

    title: str | None
    authors: tuple[str, ...]  # people, news agencies, or a desk byline when no one is named
    published_at: str | None  # ISO 8601, with offset when the page gives one; never future
    modified_at: str | None
    sitename: str | None
    language: str | None  # ISO 639 primary language subtag, lower case ("en", "es")
    description: str | None
    categories: tuple[str, ...]
    tags: tuple[str, ...]
    canonical_url: str | None  # absolute
    text: str
    candidate: str  # which candidate's text won (pipelines.extract.candidates)
    publisher: str | None = None  # the organisation that publishes the site (never an author)

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
    _canonical_json(
        {
            "trafilatura": _fingerprint(_OPTIONS),
            "cleanup": CLEANUP_VERSION,
            "readability-lxml": version("readability-lxml"),
            "py3langid": version("py3langid"),
            "charset-normalizer": version("charset-normalizer"),
            "guards": [candidates.CUT_SHARE, candidates.SHORT_CHARS, candidates.COVERAGE],
        }
    )
).hexdigest()


def extractor_version() -> str:
    """trafilatura's version and the cleanup rules' version, e.g. "2.3.1+cleanup.2"."""
    return f"{trafilatura.__version__}+cleanup.{CLEANUP_VERSION}"


def parse(decoded: Decoded) -> HtmlElement | None:
    """The page's tree as `extract` reads it (``pipelines.extract.htmltree``); None for no
    HTML."""
    return parse_html(decoded.text, decoded.utf8)


def extract(
    html: bytes,
    url: str,
    headers: Mapping[str, str] | None = None,
    decoded: Decoded | None = None,
    tree: HtmlElement | None = None,
) -> Extraction | None:
    """Extract one article page; None when no candidate has article text after cleanup.

    `headers` are the HTTP response headers with lower-case names: Content-Type gives the
    declared charset and Date bounds the publication dates, so extracting again from a WARC
    gives the same result; without a Date header the bound comes from the clock. `decoded` is
    ``decode(html, headers)`` and `tree` is ``parse(decoded)`` when the caller has them already
    (the tree is only read: trafilatura works on a copy).
    """
    headers = headers or {}
    if tree is None:
        tree = parse(decoded or decode(html, headers))
    if tree is None:
        return None
    bound = TimeBound.from_headers(headers)
    options = _document_options(url, bound)
    document = _bare_extraction(tree, options)
    page = PageMetadata(tree)
    guessed = _Guesses(tree, url, options)
    title = page.title(url) or text_or_none(guessed.document.title)
    sitename = page.sitename() or text_or_none(guessed.sitename())
    byline = read_byline(page, tree, page.site_names(url), guessed.author)
    context = page_context(tree, url, title=title, authors=byline.authors)
    winner = _best_candidate(tree, document.text or "" if document else "", options, context)
    if not winner.lines:
        return None
    text = "\n".join(with_standfirst(winner.lines, tree, described := page.descriptions(), context))
    return Extraction(
        title=title,
        authors=byline.authors,
        publisher=byline.publisher,
        published_at=page.time("datePublished", PUBLISHED_META, bound)
        or iso_time(page.title_date(), bound)
        or iso_time(guessed.document.date, bound),
        modified_at=page.time("dateModified", MODIFIED_META, bound),
        sitename=sitename,
        language=detect_language(text, page.declared_language(headers)),
        description=described[0] if described else None,
        categories=_unique(page.categories()),
        tags=_unique(_split_all(page.tags(), ",")),
        canonical_url=page.canonical_url(url),
        text=text,
        candidate=winner.name,
    )


class _Guesses:
    """trafilatura's and htmldate's metadata guesses from the visible page. They cost about a
    fifth of an extraction, so they are made only when the page's structured data lacks a
    field, on a copy of the tree (htmldate may prune what it reads)."""

    def __init__(self, tree: HtmlElement, url: str, options: Extractor) -> None:
        self._tree, self._url, self._options = tree, url, options

    @functools.cached_property
    def document(self) -> Document:
        tree = copy.deepcopy(self._tree)
        return trafilatura.extract_metadata(tree, self._url, self._options.date_params)

    def author(self) -> str | None:
        """trafilatura's author guess, taken the way `trafilatura.extract_metadata` takes it
        (meta tags, then JSON-LD, then the visible page), without the rest of `document`: its
        date search costs most, and a page without a byline in its structured data needs only
        this. The steps only read the tree."""
        if "document" in self.__dict__:  # made already: the same value
            return self.document.author
        found = examine_meta(self._tree)
        if found.author and " " not in found.author:
            found.author = None
        with contextlib.suppress(Exception):  # as extract_metadata: its JSON-LD reader's bugs
            found = extract_meta_json(self._tree, found)
        found.author = found.author or extract_author(self._tree)
        found.clean_and_trim()
        return found.author

    def sitename(self) -> str | None:
        # trafilatura falls back to the host name for the site; a record says null instead
        name = self.document.sitename
        return name if isinstance(name, str) and "." not in name else None


def _best_candidate(
    tree: HtmlElement, primary_text: str, options: Extractor, context: PageContext
) -> candidates.Candidate:
    primary = candidates.make_candidate("trafilatura", primary_text, context)
    challengers: list[candidates.Candidate] = []
    containers = candidates.sibling_containers(context, primary.lines)
    if containers:
        merged = _bare_extraction(candidates.merged_tree(tree, containers), _text_only(options))
        if merged is not None:
            name = "trafilatura+siblings"
            challengers.append(candidates.make_candidate(name, merged.text or "", context))
    if candidates.is_short(candidates.choose(primary, challengers), context):
        fallback_options = _text_only(options)
        fallback_options.fast = False
        fallback = _bare_extraction(tree, fallback_options)
        name = "trafilatura-fallback"
        text = fallback.text or "" if fallback is not None else ""
        recovered = candidates.make_candidate(name, text, context)
        challengers.append(recovered)
        if candidates.is_short(recovered, context):  # readability-lxml: a second opinion
            readable = candidates.readability_text(tree)
            challengers.append(candidates.make_candidate("readability", readable, context))
    best = candidates.choose(primary, challengers)
    if candidates.is_bare(best):  # no article in the HTML, or in one line: try the page's JSON
        from_json = [
            candidates.make_candidate("json-ld", jsontext.json_ld_body(tree), context),
            *(c for c in challengers if c.name == "trafilatura-fallback"),
            candidates.make_candidate("hydration", jsontext.hydration_text(tree), context),
        ]
        best = candidates.choose_bare(best, from_json)
    return best


def _bare_extraction(tree: HtmlElement, options: Extractor) -> Document | None:
    document = trafilatura.bare_extraction(tree, options=options)
    return document if isinstance(document, Document) else None


def _document_options(url: str, bound: TimeBound) -> Extractor:
    """A copy of the shared options for one document (`url=` is ignored when `options=` is
    passed, so the URL goes on the copy). date_params gets a new dict: the copy is shallow."""
    options = copy.copy(_OPTIONS)
    options.url = options.source = url
    options.date_params = {**_OPTIONS.date_params, "max_date": bound.max_date()}
    return options


def _text_only(options: Extractor) -> Extractor:
    text_only = copy.copy(options)
    text_only.with_metadata = False
    return text_only


def _split(value: object, separator: str) -> list[str]:
    return value.split(separator) if isinstance(value, str) else []


def _split_all(values: Iterable[str], separator: str) -> list[str]:
    return [part for value in values for part in _split(value, separator)]


def _unique(values: Iterable[str]) -> tuple[str, ...]:
    """Stripped, non-empty values in first-seen order, without repeats."""
    return tuple(dict.fromkeys(value.strip() for value in values if value and value.strip()))
