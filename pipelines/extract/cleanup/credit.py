"""Cleanup rules for credits around an article: author bios and contact lines, image captions and
photo credits, copyright and reprint notices.

These lines are about the article, not part of it. Each rule keys on a shape that news prose
does not take: a self-introduction, the page's own author described in the third person, an
e-mail address or handle next to a contact verb, a "Photo: ..." credit, a line opening with the
copyright sign. A sentence that mentions a journalist, a photo or copyright stays.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from pipelines.extract.textnorm import QUOTES_PLAIN, fold, fold_marks, reports_speech

__all__ = [
    "is_author_bio",
    "is_author_bio_of",
    "is_caption_credit",
    "is_contact_line",
    "is_copyright_notice",
    "is_staff_credit",
]

_ROLE = (
    r"(?:journalist|writer|reporter|editor|author|correspondent|blogger|columnist|contributor"
    r"|producer|photographer|analyst|freelancer|intern|fellow|critic|presenter|host)"
)
_SELF_INTRODUCTION = re.compile(
    r"^(?i:(?:hi|hello)[,!]?\s+)?(?i:i'm|i am|my name is)\s+"
    r"[A-Z][\w'.-]*(?:\s+[A-Z][\w'.-]*){0,3},?\s+"
    rf"(?i:(?:a|an|the)\s+(?:[\w-]+\s+){{0,4}}?{_ROLE})\b"
)
_BIO_HEADERS = frozenset({"about the author", "about the authors", "author bio", "about me"})
_THIRD_PERSON = re.compile(
    r"^\s*(?:is|was|has been|has worked|covers|writes|reports|joined|leads|edits)\b", re.I
)


def is_author_bio(line: str) -> bool:
    """An author's self-introduction ("I'm Wayne Wickman, a professional journalist and author
    for ...") or an "About the author" header. It must start with "I'm"/"I am"/"My name is", a
    capitalised name and a role such as journalist or writer; quotes start with a quotation mark
    and prose about a journalist ("the journalist who broke the story") never starts that way."""
    if len(line) < 40 and fold_marks(line) in _BIO_HEADERS:
        return True
    if not line[:6].lower().startswith(("i", "hi", "hello", "my")):
        return False
    return bool(_SELF_INTRODUCTION.match(line[:300].translate(QUOTES_PLAIN)))


def is_author_bio_of(line: str, authors: Iterable[str]) -> bool:
    """The page's own author described in the third person: "Jane Doe is a defence correspondent
    based in Warsaw. She previously covered ...". The line must start with the full name of one
    of the article's authors, go on with a bio verb and a role word, and report no speech; a
    sentence about someone else, or quoting the author, does not match."""
    if not authors or len(line) > 800:
        return False
    first_words = {author.split()[0] for author in authors if author.split()}
    if not line.lstrip().startswith(tuple(first_words)) or reports_speech(line):
        return False
    folded = fold(line[:400])
    for author in authors:
        name = fold(author)
        if len(name.split()) >= 2 and folded.startswith(name):
            rest = folded[len(name) :]
            if _THIRD_PERSON.match(rest) and re.search(rf"\b{_ROLE}s?\b", rest):
                return True
    return False


_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_HANDLE = re.compile(r"(?<![\w@])@\w{2,}")
_CONTACT_VERB = re.compile(
    r"\b(?:e-?mail|contact|reach|reached|follow|write to|send|tips?|dm|message)\b", re.I
)


def is_contact_line(line: str) -> bool:
    """An author contact line: an e-mail address or social handle together with a contact verb,
    in at most 40 words ("Email Jane Doe at jane.doe@example.com", "Follow her on X
    @janedoe", "Have a tip? Contact us at tips@example.com"). A sentence that reports speech
    stays even with an address in it ("Residents can write to claims@..., the council said")."""
    if "@" not in line or len(line) > 400 or len(line.split()) > 40 or reports_speech(line):
        return False
    has_address = bool(_EMAIL.search(line) or _HANDLE.search(line))
    return has_address and bool(_CONTACT_VERB.search(line))


_CREDIT = re.compile(
    r"^[(\[]?\s*(?:photo(?:graph)?s?|image|picture|pictured|video|graphic|illustration|credit"
    r"|caption|foto|fotografía|imagen|bild)\s*(?:credit)?\s*(?::|by\b|/|\u00a9)",
    re.IGNORECASE,
)
_TRAILING_CREDIT = re.compile(
    r"(?:[|(\[]\s*|\.\s+)(?:photo(?:graph)?|image|picture|credit|foto)\s*(?::|by\b|/)\s*"
    r"[^.|()\[\]]{2,80}[)\]]?\s*$",
    re.IGNORECASE,
)
_AGENCY_CREDIT = re.compile(
    r"(?:/|\bvia\s+|\(|^)\s*(?:getty images|afp|reuters|ap photo|ap|associated press|epa(?:-efe)?"
    r"|efe|shutterstock|alamy|pa images|pa wire|anadolu|xinhua|bloomberg|dpa|ansa)\)?\s*$",
    re.IGNORECASE,
)


_CREDIT_HINT = re.compile(
    "photo|image|picture|video|graphic|illustration|credit|caption|foto|imagen|bild"
)


def is_caption_credit(line: str) -> bool:
    """A photo credit or a caption that carries one: "Photo: Reuters", "(Photo by Jane Doe/AFP
    via Getty Images)", "Firefighters at the scene on Monday. Photo: AFP", a short line ending in
    an agency credit ("Jane Doe/Reuters"). Captions without a credit are found through the page's
    <figcaption> instead (`pipelines.extract.pagecontext`). A sentence that mentions a photo or an
    agency ("Reuters reported the photo was taken in May.") does not have this shape."""
    if len(line) > 450 or len(line.split()) > 45:
        return False
    stripped = line.strip()
    lower = stripped.lower()
    if _CREDIT_HINT.search(lower):
        if _CREDIT.match(stripped) and len(stripped.split()) <= 14:
            return True
        if _TRAILING_CREDIT.search(stripped):
            return True
    return (
        len(stripped.split()) <= 10
        and bool(_AGENCY_CREDIT.search(stripped))
        and ("/" in stripped or "via" in stripped.lower() or stripped.startswith("("))
    )


_STAFF_CREDIT = re.compile(
    r"^\W*(?:(?:additional )?reporting|editing|writing|written|compiled|research|graphics"
    r"|translation|translated)\s+by\s+[^.!?]{2,120}$",
    re.IGNORECASE,
)


_CREDIT_WORDS = re.compile(r"[^\W\d_]+")
_CREDIT_GLUE = frozenset(
    {"by", "and", "additional", "reporting", "editing", "writing", "written", "compiled"}
    | {"research", "graphics", "translation", "translated", "in", "from", "de", "van", "von"}
)


def is_staff_credit(line: str) -> bool:
    """A newsroom credit line: "Reporting by Jane Doe; Editing by John Roe", "Additional
    reporting by ...". The line must open with the credit and go on with names only: its
    lower-case words are credit words ("editing", "by", "and", "in"); "Reporting by the BBC
    showed that ..." has others and stays."""
    match = _STAFF_CREDIT.match(line.strip().rstrip(".")) if len(line) <= 160 else None
    if match is None:
        return False
    lower = [word for word in _CREDIT_WORDS.findall(line) if word.islower()]
    return all(word in _CREDIT_GLUE for word in lower)


_COPYRIGHT = re.compile(
    r"^\W*(?:\u00a9|\(c\)\s*\d{4}|copyright\s*(?:\u00a9|\(c\))?\s*\d{4}|copyright\s*\u00a9)",
    re.IGNORECASE,
)
_RIGHTS = re.compile(
    r"\ball rights reserved\b|\btodos los derechos reservados\b|\btous droits réservés\b"
    r"|\btodos os direitos reservados\b|\balle rechte vorbehalten\b|все права защищены|版权所有"
    r"|\bmay not be (?:published|reproduced), broadcast|\bwithout (?:prior )?(?:written )?"
    r"permission (?:is|are) (?:prohibited|forbidden)",
    re.IGNORECASE,
)
_RIGHTS_HINTS = ("reserv", "may not be", "permission", "vorbehalten", "права", "版权")
_REPRINT = re.compile(
    r"^\W*(?:reprints?(?: (?:&|and) permissions| rights)?|republish(?: this (?:article|story))?"
    r"|syndication|licensing|content licensing)\b",
    re.IGNORECASE,
)


def is_copyright_notice(line: str) -> bool:
    """A copyright or reprint notice: a line opening with the copyright sign or "Copyright
    2022", one saying "All rights reserved" or "may not be published, broadcast ...", or a
    "Reprints & permissions" / "Republish this article" label, in at most 50 (15) words.
    "Copyright law was overhauled in 2019" opens without a sign or a year and stays."""
    if len(line) > 500:
        return False
    lower = line.lower()
    rights = any(hint in lower for hint in _RIGHTS_HINTS)
    notice = _COPYRIGHT.match(line) or (rights and _RIGHTS.search(line))
    reprint = len(line) < 120 and _REPRINT.match(line)
    if not (notice or reprint) or reports_speech(line):
        return False
    size = len(line.split())
    return size <= 50 if notice else size <= 15
