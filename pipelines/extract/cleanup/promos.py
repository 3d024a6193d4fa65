"""Cleanup rules for furniture that sends the reader elsewhere: related-news rails and links,
share bars, newsletter, app and follow-us promos.

Every rule matches a *whole line* of a recognisable shape: an exact label, a line made only of
furniture words, or a short call to the reader. A sentence that reports news (it says "said",
"told", "according to" ...) is never furniture. Neither is one that merely shares a word with it
("Share prices fell", "The app was downloaded 2m times").
"""

from __future__ import annotations

import re

from pipelines.extract.cleanup.labels import labels
from pipelines.extract.textnorm import fold, fold_marks, reports_speech, words

__all__ = ["is_promo", "is_related_link", "is_share_prompt"]


# --- related-news headers and links --------------------------------------------------------------

_RELATED_HEADERS = labels(
    "related",
    "related news",
    "related posts",
    "related articles",
    "related stories",
    "related content",
    "related coverage",
    "related topics",
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
    "recommended stories",
    "most read",
    "most popular",
    "most viewed",
    "trending",
    "trending now",
    "popular now",
    "latest",
    "latest news",
    "latest stories",
    "top stories",
    "editor's picks",
    "more on this story",
    "don't miss",
    "what to read next",
    "continue reading",
    "read the full story",
    "read full article",
    "noticias relacionadas",
    "te puede interesar",
    "lee también",
    "à lire aussi",
    "lire aussi",
    "mehr zum thema",
    "auch interessant",
)
_RELATED_PREFIX = re.compile(
    r"^(?:related|read more|read also|also read|read next|see also|more on this|watch|listen"
    r"|lee también|lea también|(?:à |a )?lire aussi|leia também|mehr zum thema|lesen sie auch)"
    r"(?:\s*:|\s+[|»>\u2013\u2014-])\s*\S",
    re.IGNORECASE,
)
_MORE_FROM = re.compile(r"^more (?:from|on|in|about) [\w' .&-]{1,40}$")
_BRACKETED_LINE = re.compile(r"^\[([^\[\]]+)\]$")
_EDITORIAL_NOTE = re.compile(r"^(?:update|updated|editor|correction|clarification|note)\b", re.I)
_SENTENCE_END = re.compile(r"[.!?…]\W*$")


def is_related_link(line: str) -> bool:
    """A "related news" / "Read more" / "Most read" header, a "Read more: <headline>" line, a
    "More from <section>" header, or a related headline alone in square brackets ("[La OTAN
    realizará ejercicios ...]"). Headers must be the whole line. A bracketed line counts only
    with four or more words, no sentence-final punctuation and no editorial marker, so
    "[This story has been updated.]" stays."""
    if len(line) > 250:
        return False
    if _RELATED_PREFIX.match(line):
        return True
    if len(line) <= 60:
        folded = fold_marks(line)
        return folded in _RELATED_HEADERS or bool(_MORE_FROM.match(folded))
    bracketed = _BRACKETED_LINE.match(line.strip()) if line.startswith("[") else None
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
        "facebook",
        "twitter",
        "x",
        "linkedin",
        "pinterest",
        "whatsapp",
        "telegram",
        "reddit",
        "tumblr",
        "messenger",
        "viber",
        "vk",
        "flipboard",
        "email",
        "e-mail",
        "print",
        "mastodon",
        "bluesky",
        "threads",
        "sms",
        "mail",
    }
)
_SHARE_VERBS = frozenset(
    {"share", "shares", "sharing", "tweet", "compartir", "partager", "teilen", "partilhar"}
    | {"compartilhar", "condividi", "delen"}
)
_SHARE_FILLER = frozenset(
    {
        "this",
        "article",
        "story",
        "post",
        "page",
        "on",
        "via",
        "by",
        "to",
        "with",
        "your",
        "friends",
        "click",
        "opens",
        "in",
        "new",
        "window",
        "copy",
        "link",
        "copied",
        "url",
        "en",
        "sur",
        "auf",
        "gift",
        "the",
        "a",
        "no",
        "na",
        "em",
        "su",
        "op",
    }
)


_SHARE_WORDS = _NETWORKS | _SHARE_VERBS | _SHARE_FILLER


def is_share_prompt(line: str) -> bool:
    """A share bar or prompt: "Share this:", "Share on Facebook", "Facebook Twitter Pinterest
    WhatsApp", "Click to share on X (Opens in new window)", "Copy link". Every word must be a
    network name, a share verb, a count or filler like "on"/"this", with a share verb, a copy-link
    label or two networks present; a sentence has other words ("Share prices fell")."""
    if len(line) > 150:
        return False
    allowed = _SHARE_WORDS
    if line.split(None, 1)[0].strip(":!.,()").casefold() not in allowed:
        return False
    tokens = words(fold(line))
    if not tokens or any(token not in allowed and not token.isdigit() for token in tokens):
        return False
    networks = {token for token in tokens if token in _NETWORKS}
    return bool(_SHARE_VERBS.intersection(tokens)) or len(networks) >= 2 or "copy" in tokens


# --- newsletter and app promos -------------------------------------------------------------------

_PROMO_LABELS = labels(
    "Sign up",
    "Subscribe",
    "Subscribe now",
    "Email address",
    "Enter your email",
    "Enter your email address",
    "Download the app",
    "Get the app",
    "Newsletter",
    "Newsletters",
    "Already a subscriber? Log in",
    "Already a subscriber? Sign in",
    "Sign in",
    "Log in",
    "Register",
    "I'm interested",
    "No thanks",
    "Thank you for subscribing",
)
_PROMO_NOUN = re.compile(
    r"\b(?:newsletters?|inbox|briefings?|digest|apps?|app store|google play|push notifications?"
    r"|news alerts?|email alerts?|podcasts?|whatsapp channel|telegram channel|subscribers?"
    r"|subscription|facebook|twitter|instagram|tiktok|youtube)\b",
    re.I,
)
_PROMO_HINT = re.compile(  # a cheap filter before the word-bounded search
    "newsletter|inbox|briefing|digest|app|google play|notification|alert|podcast|subscri|channel"
    "|facebook|twitter|instagram|tiktok|youtube"
)
_PROMO_CALL = re.compile(
    r"^\W*(?:sign up|signup|subscribe|get|download|install|join|follow|receive|never miss"
    r"|don't miss|do not miss|want|enable|turn on|listen|try|stay (?:informed|up to date)"
    r"|like us|become a|support)\b"
    r"|\b(?:our|your)\s+(?:free\s+|daily\s+|weekly\s+|morning\s+|evening\s+)*"
    r"(?:newsletters?|inbox|app|briefing|alerts?|podcast)\b"
    r"|\bfollow us\b",
    re.I,
)


def is_promo(line: str) -> bool:
    """A newsletter, app or follow-us promo: a sign-up label ("Sign up", "Email address"), or a
    call to the reader of at most 40 words that names a promo channel ("Sign up for our morning
    briefing", "The day's essential stories in your inbox before 7am", "Download our app for
    iOS and Android", "Follow us on Facebook"). Reporting sentences stay ("The council said it
    would email alerts to residents"), as do lines without a call ("The app was downloaded
    two million times")."""
    if len(line) > 250:
        return False
    if len(line) < 50 and fold_marks(line) in _PROMO_LABELS:
        return True
    if not _PROMO_HINT.search(line.lower()) or not _PROMO_NOUN.search(line):
        return False
    if len(line.split()) > 40 or reports_speech(line):
        return False
    return bool(_PROMO_CALL.search(fold(line)))
