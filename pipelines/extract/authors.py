"""Author names as a clean list: split, "By" removed, bios and contacts dropped, deduplicated.

Bylines arrive as one string ("By Jane Doe and John Roe, Staff Writers"), as lists, or with a bio
glued on ("Jane Doe is a defence correspondent ..."). `clean_authors` turns any of them into
names only:

- a value of the form "Surname, Given" (one word, a comma, one or two capitalised words, as
  ``dc.creator`` writes names) is one person, "Given Surname";
- split on ``;``, ``|``, ``/``, ``,``, ``&``, ``+``, the ideographic comma ``、`` and the words
  for "and" ("and", "und", "y", "et", "e", "og", "och", "en", "ve");
- remove a leading "By", "Written by", "Submitted by", "Reporting by", "Von", "Por", "Par", and
  a Chinese editor's or author's label ("责编", "作者" and a full-width colon);
- cut a bio at its verb ("... is a", "... covers", "... writes"), drop a parenthesis (a desk
  code: "Elena Muster (emu)"), a social network's name glued to the name ("Jane DoeTwitter") and
  contact details (e-mail addresses, URLs, @handles);
- drop parts that are job titles ("Staff Writer", "Defence Correspondent"), generic labels
  ("News", "Nachrichten", "Admin"), the page's categories, the site's own name (`sites`: it is the
  publisher, not an author) and anything that does not look like a name (digits, more than five
  words, no capital letter in a cased script), except news agencies written in lower case (dpa);
- a desk byline ("MND Staff", "Guardian staff reporter") is kept when no person is named, or
  when it is an entry of its own in a list of authors (`entries`: JSON-LD's "Gear Team");
- keep the first spelling of each name, compared without case.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

__all__ = ["AGENCIES", "clean_authors"]

_SEPARATORS = re.compile(
    r"\s*(?:[;|/,&+\u3001\uff0c]|\s(?:and|und|y|et|e|og|och|en|ve)\s)\s*", re.IGNORECASE
)
_BY = re.compile(
    r"^(?:(?:(?:written|words|reporting|text|story|posted|published|submitted)\s+)?"
    r"(?:by|von|por|par|de|di|door|av)\b\s*:?|[(\uff08]?(?:责编|责任编辑|作者)\s*[:\uff1a])\s*",
    re.IGNORECASE,
)
_BIO_VERB = re.compile(
    r"\s+(?:is|was|has|covers|writes|reports|joined|lives|works|can be)(?:\s|$)", re.IGNORECASE
)
_PARENTHESIS = re.compile(r"\s*\([^()]*(?:\)|$)")
_SOCIAL = re.compile(
    r"(?:\s+|(?<=[a-z\u00df-\u00ff]))(?:Twitter|Facebook|Instagram|LinkedIn|Mastodon|Bluesky"
    r"|Threads|TikTok|E-?Mail)$"
)
_CONTACT = re.compile(r"\S+@\S+\.\S+|https?://\S+|www\.\S+|(?<!\w)@\w+")
_ROLE = re.compile(
    r"\b(?:reporter|correspondent|writer|editor|journalist|columnist|contributor|staff|desk"
    r"|producer|photographer|analyst|intern|team|newsroom|redaktion|redacción|rédaction)s?$",
    re.IGNORECASE,
)
_ROLE_WORD = re.compile(_ROLE.pattern.replace(r"\b", "^"), re.IGNORECASE)
_CAPITALISED_WORD = r"[A-ZÀ-Þ][^\W\d_A-ZÀ-Þ]+"
_SURNAME_GIVEN = re.compile(
    rf"^\s*({_CAPITALISED_WORD}(?:-{_CAPITALISED_WORD})?)\s*,"
    rf"\s*({_CAPITALISED_WORD}(?:\s+(?:{_CAPITALISED_WORD}|[A-Z]\.))?)\s*$"
)
_LABELS = frozenset(
    {"news", "nachrichten", "noticias", "nieuws", "nyheter", "notizie", "actualités", "admin"}
    | {"administrator", "guest", "gast", "online", "web", "digital", "newsroom", "editorial"}
)
AGENCIES = frozenset(
    {"dpa", "afp", "ap", "apa", "sda", "ats", "kna", "epd", "ansa", "efe", "anp", "ntb", "tt"}
    | {"ritzau", "ddp", "upi", "ctk", "pap", "mti", "stt", "reuters", "belga", "xinhua", "tass"}
)
_MAX_WORDS = 5


def clean_authors(
    raw: Iterable[str],
    *,
    sitename: str | None = None,
    is_site: Callable[[str], bool] | None = None,
    labels: Iterable[str] = (),
    entries: bool = False,
) -> tuple[str, ...]:
    """Clean person (and agency) names; a desk byline only when no one else is named, unless
    `entries`: each value is then one author of a list (JSON-LD ``author``), and a value that
    is a desk ("Gear Team") is an author in its own right, next to the people."""
    names: dict[str, str] = {}
    desks: dict[str, str] = {}
    skip = {label.casefold() for label in labels} | _LABELS
    for value in raw:
        swapped = _SURNAME_GIVEN.match(value)
        parts = [f"{swapped[2]} {swapped[1]}"] if swapped else _split(value)
        for part in parts:
            name, desk = _name(part)
            if entries and desk and len(parts) == 1:
                name = desk
            if name and name.casefold() not in skip and not (is_site and is_site(name)):
                names.setdefault(name.casefold(), name)
            elif desk:
                desks.setdefault(desk.casefold(), desk)
    site = sitename.casefold() if sitename else None
    if site in names and len(names) > 1:  # "Jane Doe, Daily Ledger": the site is no author
        del names[site]
    return tuple(names.values() or desks.values())


def _split(value: str) -> list[str]:
    return _SEPARATORS.split(_CONTACT.sub(" ", value))


def _name(part: str) -> tuple[str | None, str | None]:
    """(a name, None), (None, a desk byline) or (None, None)."""
    text = " ".join(part.split()).strip(" .:-\u2013\u2014\u00b7\u2022")
    text = _PARENTHESIS.sub("", _BY.sub("", text))
    bio = _BIO_VERB.search(text)
    if bio is not None:
        text = text[: bio.start()]
    while (social := _SOCIAL.search(text)) is not None:
        text = text[: social.start()]
    text = text.strip(" .:-\u2013\u2014\u00b7\u2022()")
    words = text.split()
    if not words or len(words) > _MAX_WORDS:
        return None, None
    if _ROLE.search(text):
        other = [word for word in re.split(r"[\s-]+", text) if not _ROLE_WORD.match(word)]
        return None, text if any(other) and _capitalised(text) else None
    if any(char.isdigit() for char in text) or not any(char.isalpha() for char in text):
        return None, None
    if text.casefold() in AGENCIES:
        return text, None
    if not _capitalised(text):
        return None, None  # "staff", "admin": a name is capitalised in scripts that have case
    return text, None


def _capitalised(text: str) -> bool:
    cased = [char for char in text if char.isalpha() and char.lower() != char.upper()]
    return not cased or any(char.isupper() for char in cased)
