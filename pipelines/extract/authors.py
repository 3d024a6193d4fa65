"""Author names as a clean list: split, "By" removed, bios and contacts dropped, deduplicated.

Bylines arrive as one string ("By Jane Doe and John Roe, Staff Writers"), as lists, or with a bio
glued on ("Jane Doe is a defence correspondent ..."). `clean_authors` turns any of them into
names only:

- split on ``;``, ``|``, ``/``, ``,``, ``&``, ``+`` and the words "and"/"und"/"y"/"et"/"e";
- remove a leading "By", "Written by", "Submitted by", "Reporting by", "Von", "Por", "Par";
- cut a bio at its verb ("... is a", "... covers", "... writes") and drop contact details
  (e-mail addresses, URLs, @handles);
- drop parts that are job titles ("Staff Writer", "Defence Correspondent"), the site's own name
  next to a person's, and anything that does not look like a name (digits, more than five
  words, no capital letter in a cased script);
- keep the first spelling of each name, compared without case.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

__all__ = ["clean_authors"]

_SEPARATORS = re.compile(r"\s*(?:[;|/,&+]|\s(?:and|und|y|et|e)\s)\s*", re.IGNORECASE)
_BY = re.compile(
    r"^(?:(?:written|words|reporting|text|story|posted|published|submitted)\s+)?"
    r"(?:by|von|por|par|de|di|door|av)\b\s*:?\s*",
    re.IGNORECASE,
)
_BIO_VERB = re.compile(
    r"\s+(?:is|was|has|covers|writes|reports|joined|lives|works|can be|\()(?:\s|$)", re.IGNORECASE
)
_CONTACT = re.compile(r"\S+@\S+\.\S+|https?://\S+|www\.\S+|(?<!\w)@\w+")
_ROLE = re.compile(
    r"\b(?:reporter|correspondent|writer|editor|journalist|columnist|contributor|staff|desk"
    r"|producer|photographer|analyst|intern|team|newsroom|redaktion|redacción|rédaction)s?$",
    re.IGNORECASE,
)
_MAX_WORDS = 5


def clean_authors(raw: Iterable[str], *, sitename: str | None = None) -> tuple[str, ...]:
    names: dict[str, str] = {}
    for value in raw:
        for part in _SEPARATORS.split(_CONTACT.sub(" ", value)):
            name = _name(part)
            if name:
                names.setdefault(name.casefold(), name)
    site = sitename.casefold() if sitename else None
    if site in names and len(names) > 1:  # "Jane Doe, Daily Ledger": the site is no author
        del names[site]
    return tuple(names.values())


def _name(part: str) -> str | None:
    text = " ".join(part.split()).strip(" .:-\u2013\u2014\u00b7\u2022")
    text = _BY.sub("", text)
    bio = _BIO_VERB.search(text)
    if bio is not None:
        text = text[: bio.start()]
    text = text.strip(" .:-\u2013\u2014\u00b7\u2022()")
    words = text.split()
    if not words or len(words) > _MAX_WORDS or _ROLE.search(text):
        return None
    if any(char.isdigit() for char in text) or not any(char.isalpha() for char in text):
        return None
    cased = [char for char in text if char.isalpha() and char.lower() != char.upper()]
    if cased and not any(char.isupper() for char in cased):
        return None  # "staff", "admin": a name is capitalised in scripts that have case
    return text
