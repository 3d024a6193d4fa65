"""News cleanup: remove the boilerplate that survives trafilatura on news pages.

`clean_text` takes trafilatura's text (one block per line) and drops whole lines that match one of
the rules below, plus embedded script snippets. Every rule matches a *whole line* of a recognisable
shape (a form prompt, a statement of code, a first-person bio, a header, a bare link, a banner, a
bar of network names), so a genuine sentence that merely mentions Facebook, comments or a journalist
is never a match. Each rule's docstring says what it removes and why prose survives it.

Bump `CLEANUP_VERSION` whenever a rule changes what it removes: it is part of every record's
extractor version and config hash.
"""

from __future__ import annotations

import re

__all__ = ["CLEANUP_VERSION", "clean_text"]

CLEANUP_VERSION = "1"

# curly quotes and no-break spaces, as news sites print them, fold to their ASCII forms
_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u00a0": " "})
_SPACES = re.compile(r"\s+")
_TRAILING_MARKS = re.compile(r"[\s.!:|»>\u2013\u2014-]+$")
_END_PUNCTUATION = re.compile(r"[\s.!]+$")


def _fold(line: str) -> str:
    """Casefolded, straight-quoted, single-spaced form of a line, for set lookups."""
    return _SPACES.sub(" ", line.translate(_QUOTES)).strip().casefold()


# --- comment forms -------------------------------------------------------------------------------

_COMMENT_PROMPTS = frozenset(
    _END_PUNCTUATION.sub("", _fold(prompt))
    for prompt in (
        "Please enter your comment!",
        "Please enter your name here",
        "Please enter your email address here",
        "You have entered an incorrect email address!",
        "Save my name, email, and website in this browser for the next time I comment.",
        "Leave a Reply",
        "Leave a Reply Cancel reply",
        "Leave a comment",
        "Cancel reply",
        "Post Comment",
        "Your email address will not be published.",
        "Your email address will not be published. Required fields are marked *",
        "Required fields are marked *",
        "You must be logged in to post a comment.",
        "Comments are closed.",
        "Notify me of follow-up comments by email.",
        "Notify me of new posts by email.",
        "This site uses Akismet to reduce spam. Learn how your comment data is processed.",
        "Comment:",
        "Name:*",
        "Email:*",
        "Website:",
    )
)


def is_comment_prompt(line: str) -> bool:
    """A prompt or label of a WordPress comment form ("Please enter your comment!", "Leave a
    Reply", "Name:*"). Only exact matches of these form strings count, so "Readers left comments
    under the post" or "in comments to reporters" stay."""
    return _END_PUNCTUATION.sub("", _fold(line)) in _COMMENT_PROMPTS


# --- script code pasted as text ------------------------------------------------------------------

_ANY_QUOTE = "[\"'\u2018\u2019\u201c\u201d]"
_LOADER_SNIPPET = re.compile(
    r"[!(]function\s*\(\s*\w+(?:\s*,\s*\w+)*\s*\)\s*\{.*?\}\s*\(\s*document\s*,\s*"
    rf"{_ANY_QUOTE}script{_ANY_QUOTE}\s*,\s*{_ANY_QUOTE}[\w-]+{_ANY_QUOTE}\s*\)\s*\)?\s*;?",
    re.DOTALL,
)
_CODE_TOKEN = re.compile(
    r"\bfunction\s*\("  # a function literal
    r"|^(?:var|let|const)\s+[\w$]"  # a declaration
    r"|[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)+\s*(?:\(|=(?!=))"  # d.createElement( / js.src =
    r"|[)\]]\.[A-Za-z_$][\w$]*\s*\("  # (adsbygoogle = ...).push(
    r"|^\}\s*\("  # the end of an immediately invoked function
    r"|\breturn\s*;"
    r"|=>"
)
_CODE_END = re.compile(r"[;{}]\s*$")
_PUNCTUATION_ONLY = re.compile(r"^[\s()\[\],]*[{};][\s{}()\[\];,]*$")


def strip_loader_snippets(text: str) -> str:
    """Remove pasted script-loader snippets such as the Facebook SDK's
    ``(function(d, s, id) {...}(document, 'script', 'facebook-jssdk'));``, whether on many lines
    or joined into one, with straight or curly quotes, and keep any text around them. The pattern
    needs a function literal closed by ``(document, 'script', '<id>')``, which prose never has."""
    return _LOADER_SNIPPET.sub("", text)


def is_script_line(line: str) -> bool:
    """A line of JavaScript (``var js, fjs = d.getElementsByTagName(s)[0];``, ``});``). It must
    end like a statement (``;``, ``{`` or ``}``) and contain code syntax: a function literal, a
    declaration or a dotted member call or assignment. Sentences end with a full stop and have no
    ``js.src =`` or ``d.createElement(``, so "Facebook said on Tuesday ..." stays."""
    if _PUNCTUATION_ONLY.match(line):
        return True
    return bool(_CODE_END.search(line) and _CODE_TOKEN.search(line))


# --- author bios ---------------------------------------------------------------------------------

_SELF_INTRODUCTION = re.compile(
    r"^(?i:(?:hi|hello)[,!]?\s+)?(?i:i'm|i am|my name is)\s+"
    r"[A-Z][\w'.-]*(?:\s+[A-Z][\w'.-]*){0,3},?\s+"
    r"(?i:(?:a|an|the)\s+(?:[\w-]+\s+){0,4}?"
    r"(?:journalist|writer|reporter|editor|author|correspondent|blogger|columnist|contributor))\b"
)


def is_author_bio(line: str) -> bool:
    """An author's self-introduction: "I'm Wayne Wickman, a professional journalist and author
    for ...". It must start the line with "I'm"/"I am"/"My name is", then a capitalised name, then
    a role such as journalist or writer. News prose about a journalist ("the journalist who broke
    the story") and quotes (which start with a quotation mark) never start that way."""
    return bool(_SELF_INTRODUCTION.match(line.translate(_QUOTES)))


# --- related-news headers and links --------------------------------------------------------------

_RELATED_HEADERS = frozenset(
    {
        "related",
        "related news",
        "related posts",
        "related articles",
        "related stories",
        "related content",
        "read more",
        "read also",
        "also read",
        "read next",
        "see also",
        "more news",
        "more stories",
        "you may also like",
        "you might also like",
        "recommended",
        "recommended for you",
    }
)
_RELATED_PREFIX = re.compile(
    r"^(?:related|read more|read also|also read|read next|see also)"
    r"(?:\s*:|\s+[|»>\u2013\u2014])\s*\S",
    re.IGNORECASE,
)
_BRACKETED_LINE = re.compile(r"^\[([^\[\]]+)\]$")
_EDITORIAL_NOTE = re.compile(r"^(?:update|updated|editor|correction|clarification|note)\b", re.I)
_SENTENCE_END = re.compile(r"[.!?…]\W*$")


def is_related_link(line: str) -> bool:
    """A "related news" / "Read more" header, a "Read more: <headline>" line, or a related
    headline alone in square brackets ("[La OTAN realizará ejercicios ...]"). Headers must be the
    whole line. A bracketed line counts only with four or more words, no sentence-final
    punctuation and no editorial marker, so "[This story has been updated.]" stays."""
    if _TRAILING_MARKS.sub("", _fold(line)) in _RELATED_HEADERS or _RELATED_PREFIX.match(line):
        return True
    bracketed = _BRACKETED_LINE.match(line)
    if bracketed is None:
        return False
    inner = bracketed[1].strip()
    return (
        len(inner.split()) >= 4
        and not _SENTENCE_END.search(inner)
        and not _EDITORIAL_NOTE.match(inner)
    )


# --- share prompts -------------------------------------------------------------------------------

_NETWORKS = frozenset(
    {
        "facebook", "twitter", "x", "linkedin", "pinterest", "whatsapp", "telegram", "reddit",
        "tumblr", "messenger", "viber", "vk", "flipboard", "email", "e-mail", "print", "mastodon",
    }
)  # fmt: skip
_SHARE_VERBS = frozenset({"share", "shares", "sharing", "tweet"})
_SHARE_FILLER = frozenset(
    {
        "this", "article", "story", "post", "page", "on", "via", "by", "to", "with", "your",
        "friends", "click", "opens", "in", "new", "window", "copy", "link",
    }
)  # fmt: skip
_WORDS = re.compile(r"[\w'-]+")


def is_share_prompt(line: str) -> bool:
    """A share bar or prompt: "Share this:", "Share on Facebook", "Facebook Twitter Pinterest
    WhatsApp", "Click to share on X (Opens in new window)". Every word must be a network name, a
    share verb, a count or filler like "on"/"this", with a share verb or two networks present; a
    sentence has other words ("Share prices fell", "Facebook said on Tuesday ...")."""
    words = _WORDS.findall(_fold(line))
    if not words or any(
        word not in _NETWORKS and word not in _SHARE_VERBS and word not in _SHARE_FILLER
        and not word.isdigit()
        for word in words
    ):  # fmt: skip
        return False
    networks = {word for word in words if word in _NETWORKS}
    return bool(_SHARE_VERBS.intersection(words)) or len(networks) >= 2


# --- cookie banners ------------------------------------------------------------------------------

_COOKIE_BANNER = re.compile(
    r"^(?:we use|we and our partners use|this (?:web)?site uses|our (?:web)?site uses"
    r"|by (?:continuing|using)|cookies help)\b.{0,400}\bcookies?\b",
    re.IGNORECASE,
)
_ADDRESSES_READER = re.compile(r"\b(?:you|your|consent|agree)\b", re.IGNORECASE)
_BANNER_BUTTONS = frozenset(
    {
        "ok", "okay", "got it", "accept", "accept all", "accept cookies", "i agree", "agree",
        "reject", "reject all", "decline", "manage settings", "cookie settings", "settings",
        "privacy policy", "learn more", "more info", "read more", "yes", "no",
    }
)  # fmt: skip


def is_cookie_banner(line: str) -> bool:
    """A cookie-consent notice: it opens like a banner ("We use cookies", "This website uses
    cookies", "By continuing to browse") and speaks to the reader (you/your/consent/agree).
    Reporting about cookies does not open that way ("Regulators said the site uses cookies")."""
    return len(line) < 600 and bool(_COOKIE_BANNER.match(line) and _ADDRESSES_READER.search(line))


def drop_cookie_banners(lines: list[str]) -> list[str]:
    """Remove cookie-banner lines and the button labels ("Accept all", "Ok") right after one.
    Button labels elsewhere are kept: only their position after a banner makes them boilerplate."""
    kept: list[str] = []
    after_banner = False
    for line in lines:
        if is_cookie_banner(line):
            after_banner = True
        elif not (after_banner and _TRAILING_MARKS.sub("", _fold(line)) in _BANNER_BUTTONS):
            after_banner = False
            kept.append(line)
    return kept


# --- headline -----------------------------------------------------------------------------------


def drop_repeated_headline(lines: list[str], title: str | None) -> list[str]:
    """Remove the first line when it is the headline again (the title is metadata, not body).
    Only the first line, and only an exact match ignoring case, quotes and end punctuation: a lead
    sentence that starts with the headline's words is longer and stays."""
    if title and lines:
        headline = _TRAILING_MARKS.sub("", _fold(title))
        if headline and _TRAILING_MARKS.sub("", _fold(lines[0])) == headline:
            return lines[1:]
    return lines


_LINE_RULES = (is_comment_prompt, is_script_line, is_author_bio, is_related_link, is_share_prompt)


def clean_text(text: str, *, title: str | None) -> str:
    """The article text without news boilerplate; lines are stripped and blank lines dropped."""
    lines = [line.strip() for line in strip_loader_snippets(text).splitlines()]
    lines = drop_repeated_headline([line for line in lines if line], title)
    lines = drop_cookie_banners(lines)
    return "\n".join(line for line in lines if not any(rule(line) for rule in _LINE_RULES))
