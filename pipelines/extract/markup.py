"""Small readings of lxml elements that the page context, the candidate checks and the
standfirst share: hidden by markup, class names as words, link text, the lowest common ancestor.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence

from lxml.html import HtmlElement

from pipelines.extract.textnorm import squash

__all__ = ["common_ancestor", "is_hidden", "linked_chars", "name_words"]

_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_NAME_SPLIT = re.compile(r"[^a-z0-9]+")


def is_hidden(element: HtmlElement) -> bool:
    """The element is hidden by its markup: ``hidden``, ``display:none``, ``visibility:hidden``."""
    if element.get("hidden") is not None:
        return True
    style = element.get("style")
    return bool(style and _HIDDEN_STYLE.search(style))


@functools.lru_cache(maxsize=4096)
def name_words(names: str) -> tuple[str, ...]:
    """Class and id names as lower-case words, split on anything but letters and digits
    ("c-article-teaser-text" -> "c", "article", "teaser", "text")."""
    return tuple(word for word in _NAME_SPLIT.split(names.lower()) if word)


def common_ancestor(elements: Sequence[HtmlElement]) -> HtmlElement:
    """The lowest element that holds all of `elements` (one of them, when it holds the rest)."""
    chains = [[element, *element.iterancestors()][::-1] for element in elements]
    common = chains[0][0]
    for depth in range(min(len(chain) for chain in chains)):
        node = chains[0][depth]
        if any(chain[depth] is not node for chain in chains):
            break
        common = node
    return common


def linked_chars(element: HtmlElement) -> int:
    """The length of the element's link text, single-spaced."""
    return sum(len(squash(link.text_content())) for link in element.iter("a"))
