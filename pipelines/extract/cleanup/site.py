"""Cleanup rules for site furniture: comment forms and policies, related-link rails, share bars,
newsletter and app promos, advertising labels, pagination, bare timestamps.

Every rule matches a *whole line* of a recognisable shape: an exact label, a line made only of
furniture words, or a short call to the reader. A sentence that reports news (it says "said",
"told", "according to" ...) is never furniture, and neither is one that merely shares a word
with it ("Share prices fell", "Readers left comments", "The app was downloaded 2m times").
"""

from __future__ import annotations

import re

from pipelines.extract.textnorm import fold, fold_marks, reports_speech, words

__all__ = [
    "is_ad_label",
    "is_comment_policy",
    "is_comment_prompt",
    "is_pagination",
    "is_promo",
    "is_related_link",
    "is_share_prompt",
    "is_timestamp",
]


def _word_set(text: str) -> frozenset[str]:
    return frozenset(text.split())


def _labels(*labels: str) -> frozenset[str]:
    return frozenset(fold_marks(label) for label in labels)


_END_PUNCTUATION = re.compile(r"[\s.!]+$")


def _prompt(line: str) -> str:
    """Folded, without closing full stops and exclamation marks, but with a colon or asterisk:
    "Website:" is a form label, "Website" may be a word on its own."""
    return _END_PUNCTUATION.sub("", fold(line))


# --- comment forms and comment policy ------------------------------------------------------------

_COMMENT_PROMPTS = frozenset(
    _prompt(label)
    for label in (
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
        "Join the conversation",
        "Show comments",
        "View comments",
        "Load comments",
        "Hide comments",
        "Be the first to comment",
        "Add a comment",
        "Add your comment",
        "Sign in to comment",
        "Log in to comment",
        "Write a comment",
        "Comments",
        "Discussion",
        "Deja un comentario",
        "Comentarios",
    )
)
_COMMENT_COUNT = re.compile(r"^(?:\d+\s+comments?|comments?\s*\(\d+\))$")
_COMMENT_WORD = re.compile(r"\b(?:comments?|commenting|commenters?|discussion)\b", re.I)
_POLICY_WORD = re.compile(
    r"\b(?:guidelines|policy|moderat\w*|civil|respectful|community standards|house rules"
    r"|terms of (?:use|service)|approv\w*|closed|disabled|turned off|pre-moderated)\b",
    re.I,
)
_READER = re.compile(r"\b(?:please|you|your|we|our)\b", re.I)


def is_comment_prompt(line: str) -> bool:
    """A prompt or label of a comment form or comment section ("Please enter your comment!",
    "Leave a Reply", "Name:*", "Join the conversation", "12 comments"). Only exact matches of
    these strings count, so "Readers left comments under the post" stays."""
    if len(line) > 120:
        return False
    return _prompt(line) in _COMMENT_PROMPTS or bool(_COMMENT_COUNT.match(fold_marks(line)))


def is_comment_policy(line: str) -> bool:
    """A comment-policy notice: about comments, about rules or moderation, and addressed to the
    reader ("We welcome comments that are civil. Please read our community guidelines.",
    "Comments on this article are now closed."). It may not report speech and has at most 60
    words, so "The platform said its guidelines ban abusive comments" stays."""
    if len(line) > 500 or ("omment" not in line and "iscussion" not in line):
        return False  # (a cheap substring test first: this runs on every line)
    if not _COMMENT_WORD.search(line) or not _POLICY_WORD.search(line):
        return False
    quoted = line.lstrip()[:1] in "\"'\u201c\u2018\u00ab"
    if quoted or len(line.split()) > 60 or reports_speech(line):
        return False
    opens_with_comments = bool(re.match(r"\W*(?:comments?|commenting)\b", line, re.I))
    return opens_with_comments or bool(_READER.search(line))


# --- related-news headers and links --------------------------------------------------------------

_RELATED_HEADERS = _labels(
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

_PROMO_LABELS = _labels(
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


# --- advertising labels and pagination -----------------------------------------------------------

_AD_LABELS = _labels(
    "Advertisement",
    "Advertising",
    "Ad",
    "Ads",
    "Sponsored",
    "Sponsored content",
    "Paid content",
    "Partner content",
    "Story continues below advertisement",
    "Article continues below advertisement",
    "Article continues below",
    "Continue reading below",
    "Scroll to continue with content",
    "Publicidad",
    "Anuncio",
    "Publicité",
    "Anzeige",
    "Werbung",
    "Reklama",
    "Реклама",
    "广告",
    "Publicidade",
)
_PAGINATION = re.compile(
    r"^(?:page \d+ (?:of|/) \d+|(?:next|previous|prev|older|newer)(?: (?:page|post|article))?"
    r"|continue (?:reading )?(?:on|to) (?:the )?(?:next )?page(?: \d+)?|continued on (?:the )?"
    r"next page|\d+(?: (?:\.\.\.|\u2026 )?\d+)+(?: (?:next|previous))?|\d+ (?:next|previous)"
    r"|página siguiente|page suivante)$"
)


def is_ad_label(line: str) -> bool:
    """An advertising label ("Advertisement", "- Advertisement -", "Story continues below
    advertisement", "Publicidad"). Exact labels only: "Advertisement spending rose" stays."""
    return len(line) <= 60 and fold_marks(line) in _AD_LABELS


def is_pagination(line: str) -> bool:
    """Pagination furniture: "Page 1 of 3", "Next page »", "1 2 3 Next", "Continue reading on
    the next page". Whole lines only; "The next page of the report lists ..." stays."""
    return len(line) <= 80 and bool(_PAGINATION.match(fold_marks(line)))


# --- bare timestamps and reading times -----------------------------------------------------------

_TIME_WORDS = _word_set(
    """jan feb mar apr may jun jul aug sep sept oct nov dec january february march april june july
    august september october november december mon tue wed thu fri sat sun monday tuesday wednesday
    thursday friday saturday sunday am pm a m p m ago min mins minute minutes hour hours hr hrs h
    day days week weeks month months year years sec secs second seconds updated update published
    posted last modified on at gmt utc bst cet cest est edt pst pdt cst cdt ist jst aest z
    read reading time today yesterday just now de del enero febrero marzo abril mayo junio julio
    agosto septiembre octubre noviembre diciembre hace horas hora minutos actualizado publicado
    lunes martes miércoles jueves viernes sábado domingo le à il y a janvier février mars avril
    mai juin juillet août septembre octobre novembre décembre um uhr"""
)


def is_timestamp(line: str) -> bool:
    """A line that is only a date, a time, a relative time or a reading time ("2 hours ago",
    "12 Oct 2022", "Updated: October 12, 2022 9:12 am BST", "5 min read"), as teaser rails and
    datelines print them. Every word must be a date or time word or a number, with a number
    present and a time word or a date's shape ("12/10/2022", "14:32"); any other word ("The
    vote is on 12 October") makes it a sentence, and a bare number stays."""
    if len(line) > 100:
        return False
    tokens = words(fold(line))
    if not tokens or len(tokens) > 14 or not any(char.isdigit() for char in line):
        return False
    if not all(token.isdigit() or token in _TIME_WORDS or _is_clock(token) for token in tokens):
        return False
    # a bare number ("2022", "14") is no timestamp: it needs a time word or a date's shape
    dated = any(token in _TIME_WORDS or _is_clock(token) for token in tokens)
    return dated or bool(re.search(r"\d[:/.]\d", line))


def _is_clock(token: str) -> bool:
    """ "9am", "14h30", "12th", "2h": a number glued to a time unit or ordinal suffix."""
    return bool(re.fullmatch(r"\d+(?:st|nd|rd|th|am|pm|h|hrs?|mins?|m|s|d)(?:\d+)?", token))
