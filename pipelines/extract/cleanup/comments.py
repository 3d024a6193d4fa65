"""Cleanup rules for comment sections: comment-form prompts and labels, comment policies.

Every rule matches a *whole line* of a recognisable shape: an exact label, a line made only of
furniture words, or a short call to the reader. A sentence that reports news (it says "said",
"told", "according to" ...) is never furniture. Neither is one that merely shares a word with it
("Readers left comments under the post").
"""

from __future__ import annotations

import re

from pipelines.extract.textnorm import fold, fold_marks, reports_speech

__all__ = ["is_comment_policy", "is_comment_prompt"]

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
