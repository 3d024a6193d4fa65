"""The article's headline, from the page's title sources, without the site's name around it.

A page states its headline several times: JSON-LD ``headline``, ``og:title``, ``twitter:title``,
the visible ``<h1>`` and ``<title>``. They disagree in two ways, and `choose_title` handles both:

- **Decoration.** Entities left escaped inside JSON-LD (``zerst&ouml;ren``, ``&#8216;``) are
  decoded. A trailing (or leading) part set off by a separator (a spaced bar, dash, en or em
  dash, slash, or a full-width bar or colon) is removed when it names the site
  (``og:site_name``, the JSON-LD publisher, the host name: "- Golem.de", "| DW"), when it is
  a date ("| 28.04.2023"), or when it follows a pipe and the rest is what another source or
  the ``<h1>`` says ("Headline | Börsen-Zeitung").
  A dash inside a headline is left alone unless the part names the site.
- **Kickers.** Many sites set a kicker (a topic label: "Olympische Spiele", "Neue Leipziger
  Schule") before the headline, in its own element inside or above the ``<h1>``; the sources
  then differ only by it, and which way is a matter of markup, not of the headline. When
  ``og:title`` and an ``<h1>`` are the same headline with and without a kicker (either way
  round), ``og:title`` decides, being the one string in which the publisher writes the whole
  title; when each has its own kicker ("Iran: «X»", "Nahost - «X»"), the headline they share.
- **Variants.** An SEO headline in JSON-LD or a social title may differ from the headline the
  reader sees. The first cleaned source that is also shown as an ``<h1>`` wins; then
  ``og:title`` when it is an ``<h1>`` up to spaces and punctuation (an ``<h1>`` glued from
  spans: "Nationale DemoDer 9. Juli"); when none is shown, JSON-LD ``headline``, then
  ``og:title``, then ``twitter:title``; then the page's only ``<h1>``; then the longest part
  of ``<title>``.

`title_date` gives the date a title carries in its suffix ("| DW | 28.04.2023"), which is the
page's own date when the structured data has none.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from urllib.parse import urlsplit

__all__ = ["SiteNames", "choose_title", "clean_title", "title_date", "unescape"]

_SEPARATOR = re.compile(r"\s+(?:[|\-\u2013\u2014\u00b7\u2022/:]|-{2}|::)\s+|\s*[\uff5c\uff1a|]\s*")
_PIPES = frozenset("|\uff5c")
_DATE = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})|(\d{4})-(\d{2})-(\d{2})")
_NOT_WORD = re.compile(r"\W+")
_KICKER_END = re.compile(r":\s+|\s+[\-\u2013\u2014/|]\s+")
_KICKER_WORDS = 5  # a kicker is a topic label: "Neue Leipziger Schule", "Olympische Spiele"
_MIN_WORDS = 3  # what is left is a headline, not a label


def unescape(text: str) -> str:
    """HTML entities decoded (twice at most: "&amp;ouml;" too), whitespace single-spaced."""
    for _ in range(2):
        if "&" not in text:
            break
        text = html.unescape(text)
    return " ".join(text.split())


def _norm(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def _key(text: str) -> str:
    return _NOT_WORD.sub("", unicodedata.normalize("NFKC", text).casefold())


@dataclass(frozen=True, slots=True)
class SiteNames:
    """The ways a page names its own site, as letter-and-digit keys ("golemde", "golem")."""

    keys: frozenset[str]

    @classmethod
    def of(cls, names: Iterable[str | None], url: str) -> SiteNames:
        keys = {_key(name) for name in names if name}
        labels = [label for label in (urlsplit(url).hostname or "").split(".") if label != "www"]
        keys.update(_key(".".join(labels[i:])) for i in range(len(labels) - 1))
        keys.update(_key(label) for label in labels[:-1] if len(label) > 1)
        keys.update(_initials(name) for name in names if name and len(name.split()) > 1)
        return cls(frozenset(key for key in keys if key))

    def names(self, text: str) -> bool:
        return _key(text) in self.keys

    def mentioned(self, text: str) -> bool:
        """The text carries the site's host name: "Deutsche Welle (www.dw.com)"."""
        hosts = [word.removeprefix("www.") for word in re.split(r"[\s()]+", text) if "." in word]
        return any(_key(host) in self.keys for host in hosts if "@" not in host)


def _initials(name: str) -> str:
    """ "Legal Tribune Online" -> "lto": a site often calls itself by its initials."""
    return "".join(word[0] for word in name.split() if word[:1].isalpha()).casefold()


def _is_date(text: str) -> bool:
    return _DATE.fullmatch(text.strip()) is not None


def clean_title(title: str | None, sites: SiteNames, confirmed: Iterable[str] = ()) -> str | None:
    """`title` decoded, without the site's name, a date or (after a pipe) a confirmed rest."""
    if not title or not (text := unescape(title)):
        return None
    shown = {_norm(other) for other in confirmed if other}
    while parts := list(_SEPARATOR.finditer(text)):
        last, first = parts[-1], parts[0]
        head, tail = text[: last.start()], text[last.end() :]
        if head and _decoration(tail, last.group(), head, sites, shown):
            text = head
            continue
        head, tail = text[: first.start()], text[first.end() :]
        if tail and _decoration(head, first.group(), tail, sites, shown):
            text = tail
            continue
        break
    return text or None


def _decoration(part: str, separator: str, rest: str, sites: SiteNames, shown: set[str]) -> bool:
    if sites.names(part) or _is_date(part):
        return True
    return bool(_PIPES.intersection(separator)) and _norm(rest) in shown


def title_date(title: str | None) -> date | None:
    """The date in a title's last part ("Headline | DW | 28.04.2023"), else None."""
    parts = _SEPARATOR.split(unescape(title or ""))
    found = _DATE.fullmatch(parts[-1].strip()) if len(parts) > 1 else None
    if found is None:
        return None
    day, month, year, iso_year, iso_month, iso_day = found.groups()
    try:
        if year:
            return date(int(year), int(month), int(day))
        return date(int(iso_year), int(iso_month), int(iso_day))
    except ValueError:
        return None


def choose_title(
    sources: Sequence[str | None], headings: Sequence[str], title_tag: str | None, sites: SiteNames
) -> str | None:
    """The headline: see the module's docstring. `sources` are JSON-LD headline, og:title and
    twitter:title in that order; `headings` the texts of the page's <h1> elements."""
    confirmed = [*headings, *(unescape(source) for source in sources if source)]
    cleaned = [clean_title(source, sites, confirmed) for source in sources]
    social = cleaned[1] if len(cleaned) > 1 else None
    kicked = _kicker_variant(social, headings) if social else None
    if kicked:
        return kicked
    shown = {_norm(heading) for heading in headings if heading}
    for title in cleaned:
        if title and _norm(title) in shown:
            return title
    if social and _key(social) in {_key(heading) for heading in headings}:
        return social  # the <h1> glued from spans ("Nationale DemoDer 9. Juli")
    first = next(filter(None, cleaned), None)
    if first:
        return first
    if len(shown) == 1:
        return clean_title(headings[0], sites)
    tag = clean_title(title_tag, sites, confirmed)
    parts = _SEPARATOR.split(tag) if tag else []
    return max(parts, key=len) if parts and parts[0] else None


def _kicker_variant(social: str, headings: Sequence[str]) -> str | None:
    """The headline when og:title and an <h1> differ only by a kicker (see the module's
    docstring): og:title when one of them is the other with a kicker before it, their shared
    headline when each has its own kicker ("Iran: «X»" and "Nahost - «X»"), else None."""
    for heading in headings:
        if _kicker_before(heading, social) or _kicker_before(social, heading):
            return social
        if _norm(social) == _norm(heading):
            continue
        social_rest, heading_rest = _after_kicker(social), _after_kicker(heading)
        if social_rest and heading_rest and _norm(social_rest) == _norm(heading_rest):
            return social_rest
    return None


def _kicker_before(longer: str, shorter: str) -> bool:
    """`longer` is `shorter` with a kicker before it: a few words, set off by a separator or
    in their own element (an <h1>'s text glues it on: "Premier League Rückschlag ...")."""
    whole, rest = _norm(longer), _norm(shorter)
    if not rest or whole == rest or not whole.endswith(rest) or len(rest.split()) < _MIN_WORDS:
        return False
    kicker = whole[: -len(rest)]
    words = _NOT_WORD.sub(" ", kicker).split()
    glued = kicker[-1].isalnum() and shorter.lstrip()[:1].isupper()  # "Nationale DemoDer ..."
    return 0 < len(words) <= _KICKER_WORDS and (kicker[-1] == " " or glued)


def _after_kicker(title: str) -> str | None:
    """The headline after a leading kicker ("Olympia: ...", "Nahost - ..."), else None."""
    found = _KICKER_END.search(title)
    if found is None or len(title[: found.start()].split()) > _KICKER_WORDS:
        return None
    rest = title[found.end() :].strip()
    return rest if len(rest.split()) >= _MIN_WORDS else None
