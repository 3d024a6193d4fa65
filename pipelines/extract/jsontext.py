"""Article text that a page holds only in its JSON, for pages with no article paragraphs.

Some pages render the article in the browser: the HTML has a headline and an empty container,
and the text is in the page's data. Two sources are read, each one candidate
(`pipelines.extract.candidates`), tried only when the HTML gives no article:

- ``json-ld``: the ``articleBody`` of the page's JSON-LD (``@graph`` and nested objects too),
  the longest one when several are given;
- ``hydration``: a framework's state blob (``__NEXT_DATA__``, ``__NUXT_DATA__``, any
  ``<script type="application/json">``, ``window.__INITIAL_STATE__ = {...}`` and the like). Its
  prose strings (several words, with sentence punctuation; HTML in a string is read as text)
  are grouped by their path in the blob with list positions ignored
  (``props.pageProps.article.blocks[].text``), and the group with the most text is the
  article: a list of teasers is a group of its own and loses to the body it sits beside.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import lxml.html
from lxml.html import HtmlElement

from pipelines.extract.textnorm import squash

__all__ = ["hydration_text", "json_ld_body"]

_STATE_ASSIGNMENT = re.compile(
    r"^\s*(?:window\.|self\.|var |let |const )?(__[A-Z][A-Z0-9_]*__)\s*=\s*", re.DOTALL
)
_HYDRATION_IDS = frozenset({"__NEXT_DATA__", "__NUXT_DATA__", "__NUXT__", "__APOLLO_STATE__"})
_MIN_WORDS = 6  # a prose string: a sentence, not a label or a slug
_SENTENCE_END = re.compile(r"[.!?\u3002\uff01\uff1f…»\"”)]")  # also the CJK full stops
_HTML_TAG = re.compile(r"<(?:p|br|div|h[1-6]|li|span|a|strong|em|b|i)\b", re.IGNORECASE)
_MAX_DEPTH = 100
_BLOCKS = ("p", "h2", "h3", "h4", "h5", "h6", "li", "blockquote")


def json_ld_body(tree: HtmlElement) -> str:
    """The longest JSON-LD ``articleBody`` on the page, one paragraph per line; "" if none."""
    bodies = []
    for script in tree.xpath('//script[@type="application/ld+json"]'):
        data = _loads(script.text_content())
        bodies += [value for key, value in _items(data) if key == "articleBody"]
    texts = [_as_lines(body) for body in bodies if isinstance(body, str)]
    return max(texts, key=len, default="")


def hydration_text(tree: HtmlElement) -> str:
    """The largest group of prose strings in the page's state blobs, in order; "" if none."""
    groups: dict[str, list[str]] = {}
    for data in _state_blobs(tree):
        for path, value in _strings(data, ""):
            lines = _as_lines(value)
            if _is_prose(lines):
                groups.setdefault(path, []).append(lines)
    if not groups:
        return ""
    best = max(groups.values(), key=lambda texts: sum(len(text) for text in texts))
    return "\n".join(dict.fromkeys(best))


def _state_blobs(tree: HtmlElement) -> Iterator[Any]:
    for script in tree.iter("script"):
        kind = (script.get("type") or "").lower()
        text = script.text_content()
        if script.get("id") in _HYDRATION_IDS or kind == "application/json":
            yield _loads(text)
        elif kind in ("", "text/javascript", "module") and (match := _STATE_ASSIGNMENT.match(text)):
            yield _loads(text[match.end() :].strip().rstrip(";"))


def _loads(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return None


def _items(data: Any) -> Iterator[tuple[str, Any]]:
    """Every (key, value) pair in nested dicts and lists."""
    stack = [data]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            for key, value in node.items():
                yield key, value
                stack.append(value)
        elif isinstance(node, list):
            stack.extend(reversed(node))


def _strings(data: Any, path: str, depth: int = 0) -> Iterator[tuple[str, str]]:
    """Every string with its path, list positions left out, in document order."""
    if isinstance(data, str):
        yield path, data
    elif depth >= _MAX_DEPTH:
        return
    elif isinstance(data, dict):
        for key, value in data.items():
            yield from _strings(value, f"{path}.{key}", depth + 1)
    elif isinstance(data, list):
        for value in data:
            yield from _strings(value, f"{path}[]", depth + 1)


def _as_lines(value: str) -> str:
    """A string as lines of text: HTML is read block by block, plain text line by line."""
    if _HTML_TAG.search(value):
        try:
            fragment = lxml.html.fragment_fromstring(value, create_parent="div")
        except (ValueError, lxml.etree.ParserError):
            return ""
        blocks = [squash(block.text_content()) for block in fragment.iter(*_BLOCKS)]
        if not blocks:
            blocks = [squash(fragment.text_content())]
        return "\n".join(block for block in blocks if block)
    return "\n".join(squash(line) for line in value.splitlines() if line.strip())


def _is_prose(text: str) -> bool:
    return len(text.split()) >= _MIN_WORDS and bool(_SENTENCE_END.search(text))
