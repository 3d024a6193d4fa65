"""News cleanup: remove the boilerplate that survives trafilatura on news pages.

`clean_text` takes an extractor's text (one block per line) and drops whole lines, plus pasted
script snippets. Each boilerplate class has its own rule, documented where it is defined:

=================================  ============================================================
class                              rule
=================================  ============================================================
related / "read more" rails        `is_related_link`, teaser links and cards (page context),
                                   `is_timestamp` for the times teaser rails print
newsletter, app, follow-us promos  `is_promo`
share prompts                      `is_share_prompt`
comment forms and policies         `is_comment_prompt`, `is_comment_policy`
author bios and contact lines      `is_author_bio`, `is_author_bio_of`, `is_contact_line`
image captions and credits         `is_caption_credit`, figcaptions (page context),
                                   `is_staff_credit` ("Reporting by ...; Editing by ...")
copyright and reprint notices      `is_copyright_notice`
script or embed code as text       `strip_loader_snippets`, `is_script_line`, `is_embed_code`
cookie banners                     `is_cookie_banner`, `drop_cookie_banners`
advertising labels, pagination     `is_ad_label`, `is_pagination`
the headline repeated at the top   `drop_repeated_headline` (`cleanup.headline`)
=================================  ============================================================

Text rules look at a line alone. Page rules use what the markup says
(`pipelines.extract.pagecontext`):
a line is dropped when it *is*, as a whole, the text of a furniture element (a caption, a bio
box, a related rail) or of a link to another page. No rule drops a line for sharing a word
with boilerplate: each needs a whole label, a whole shape, or a whole element's text.

Bump `CLEANUP_VERSION` whenever a rule changes what it removes: it is part of every record's
extractor version and config hash.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from pipelines.extract.cleanup.code import is_embed_code, is_script_line, strip_loader_snippets
from pipelines.extract.cleanup.comments import is_comment_policy, is_comment_prompt
from pipelines.extract.cleanup.credit import (
    is_author_bio,
    is_author_bio_of,
    is_caption_credit,
    is_contact_line,
    is_copyright_notice,
    is_staff_credit,
)
from pipelines.extract.cleanup.headline import drop_repeated_headline
from pipelines.extract.cleanup.labels import is_ad_label, is_pagination, is_timestamp
from pipelines.extract.cleanup.promos import is_promo, is_related_link, is_share_prompt
from pipelines.extract.pagecontext import PageContext
from pipelines.extract.textnorm import fold_marks, squash

__all__ = [
    "CLEANUP_VERSION",
    "LINE_RULES",
    "PageContext",
    "clean_lines",
    "clean_text",
    "is_cookie_banner",
]

# Bumped whenever the cleanup or the metadata rules change what a record holds (3: issue 13,
# titles, bylines, publisher, title-suffix dates, deterministic teaser cards; 4: issue 13 text:
# text from JSON, teaser siblings, collapsible boxes, "promoted" ids, repeated leads/headings;
# 5: the cut check leaves out other articles, hidden elements, linked and listed paragraphs;
# the headline is dropped at the top with its kicker or site suffix; 6: the standfirst shown
# under the headline is the first line, `pipelines.extract.standfirst`).
CLEANUP_VERSION = "6"

LINE_RULES: tuple[Callable[[str], bool], ...] = (
    is_comment_prompt,
    is_comment_policy,
    is_script_line,
    is_embed_code,
    is_author_bio,
    is_contact_line,
    is_related_link,
    is_share_prompt,
    is_promo,
    is_caption_credit,
    is_staff_credit,
    is_copyright_notice,
    is_ad_label,
    is_pagination,
    is_timestamp,
)
_BANNER_BUTTONS = frozenset(
    {
        "ok",
        "okay",
        "got it",
        "accept",
        "accept all",
        "accept cookies",
        "i agree",
        "agree",
        "reject",
        "reject all",
        "decline",
        "manage settings",
        "cookie settings",
        "settings",
        "privacy policy",
        "learn more",
        "more info",
        "read more",
        "yes",
        "no",
        "customise",
        "customize",
        "manage preferences",
        "accept and close",
        "allow all",
        "deny",
    }
)


_COOKIE_BANNER = re.compile(
    r"^(?:we use|we and our partners use|this (?:web)?site uses|our (?:web)?site uses"
    r"|by (?:continuing|using|clicking)|cookies help|we value your privacy|we care about your)"
    r"\b.{0,400}\bcookies?\b",
    re.IGNORECASE,
)
_ADDRESSES_READER = re.compile(r"\b(?:you|your|consent|agree)\b", re.IGNORECASE)


def is_cookie_banner(line: str) -> bool:
    """A cookie-consent notice: it opens like a banner ("We use cookies", "This website uses
    cookies", "By continuing to browse") and speaks to the reader (you/your/consent/agree).
    Reporting about cookies does not open that way ("Regulators said the site uses cookies")."""
    return len(line) < 600 and bool(_COOKIE_BANNER.match(line) and _ADDRESSES_READER.search(line))


def drop_cookie_banners(lines: list[str]) -> list[str]:
    """Remove cookie-banner lines (`is_cookie_banner`) and the button labels ("Accept all",
    "Ok") right after one. Labels elsewhere are kept: only their position makes them
    boilerplate."""
    kept: list[str] = []
    after_banner = False
    for line in lines:
        if is_cookie_banner(line):
            after_banner = True
        elif not (after_banner and fold_marks(line) in _BANNER_BUTTONS):
            after_banner = False
            kept.append(line)
    return kept


def is_page_furniture(line: str, page: PageContext) -> bool:
    """The whole line is the text of a furniture element or a link to another page on this
    page, or the page's author described in a bio (`is_author_bio_of`)."""
    key = squash(line)
    return (
        key in page.boilerplate_texts
        or key in page.link_texts
        or is_author_bio_of(line, page.authors)
    )


def clean_lines(text: str, *, title: str | None, page: PageContext | None = None) -> list[str]:
    """The lines of `text` that are article text, stripped, without blank lines."""
    page = page or PageContext(title=title)
    lines = [line.strip() for line in strip_loader_snippets(text).splitlines()]
    lines = drop_repeated_headline([line for line in lines if line], title or page.title)
    lines = drop_cookie_banners(lines)
    return [
        line
        for line in lines
        if not any(rule(line) for rule in LINE_RULES) and not is_page_furniture(line, page)
    ]


def clean_text(text: str, *, title: str | None, page: PageContext | None = None) -> str:
    """The article text without news boilerplate; lines are stripped and blank lines dropped."""
    return "\n".join(clean_lines(text, title=title, page=page))
