"""Cleanup rules for code pasted into an article as text: scripts, embed markup, styles, JSON.

CMS editors paste embed snippets into the body; when the site prints them as text, they reach
the extracted text. Every rule needs syntax that prose never has: a function literal closed by
``(document, 'script', id)``, a statement ending in ``;`` with a member call, an HTML tag with
attributes, a CSS block or a JSON object. Sentences that talk *about* code, scripts or embeds have
none of these, so they stay.
"""

from __future__ import annotations

import re

__all__ = ["is_embed_code", "is_script_line", "strip_loader_snippets"]

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
_MARKUP = re.compile(
    r"<[A-Za-z][\w-]*\s+[\w:-]+\s*=\s*[\"'\u201c\u201d]"  # a tag with an attribute
    r"|</(?:script|iframe|blockquote|div|noscript|style|ins|embed|object|span|p)\s*>",
    re.IGNORECASE,
)
_CSS_BLOCK = re.compile(r"^[.#@]?[\w-]+(?:[\s,>:.#()\w-]*)\{[^{}]*:[^{}]*\}?$")
_JSON_OBJECT = re.compile(r'^\s*[\[{]\s*\{?\s*"[^"]+"\s*:.*[}\]]\s*$')
_MEDIA_LINK = re.compile(r"^(?:pic\.twitter\.com/\w+|https?://t\.co/\w+)$", re.IGNORECASE)


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


def is_embed_code(line: str) -> bool:
    """Embed markup, a style block or a JSON object printed as text:
    ``<blockquote class="twitter-tweet">``, ``<script async src="...">``, ``<iframe src=...>``,
    ``.ad-slot{display:none}``, ``{"@context": "https://schema.org"}``, a bare
    ``pic.twitter.com/...`` link. A sentence may name a tag ("the <iframe> element") but has no
    tag with attributes, no closing ``</script>``, no ``{property: value}`` block."""
    stripped = line.strip()
    hints = ("<", "{", "[", "t.co/", "twitter.com/")
    if not any(hint in stripped for hint in hints):
        return False  # (a cheap test first: this runs on every line)
    return bool(
        _MARKUP.search(stripped)
        or _CSS_BLOCK.match(stripped)
        or _JSON_OBJECT.match(stripped)
        or _MEDIA_LINK.match(stripped)
    )
