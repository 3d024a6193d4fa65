"""Links that lead from a page to another page, for the page context's teaser checks.

A link counts when its text has three or more words and its target, resolved against the page
and without its fragment, is another URL than the page's own.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urldefrag, urljoin

from lxml.html import HtmlElement

from pipelines.extract.textnorm import squash

__all__ = ["leads_elsewhere", "links_elsewhere"]


def links_elsewhere(tree: HtmlElement, page: str) -> Iterable[tuple[HtmlElement, str]]:
    """Links of three or more words to another page, with their text."""
    tail = page.rstrip("/").rpartition("/")[2]
    for link in tree.iter("a"):
        raw = link.text_content()
        if len(raw.split()) < 3:  # squashing only removes: a shorter text has fewer words too
            continue
        text = squash(raw)
        if len(text.split()) >= 3 and leads_elsewhere(link.get("href"), page, tail):
            yield link, text


def leads_elsewhere(href: str | None, page: str, tail: str) -> bool:
    """The link resolves (fragment dropped) to another URL than the page's. `tail` is the
    page's last path segment with its query: a link whose own last segment is another one
    cannot resolve to the page, which spares most links the cost of `urljoin`."""
    if not href or href.startswith(("#", "javascript:", "mailto:", "tel:")):
        return False
    href = href.strip()
    rest = href.partition("#")[0].rstrip("/")
    if tail and rest and not rest.endswith(tail) and _keeps_last_segment(rest):
        return True
    target = urldefrag(urljoin(page, href))[0]
    return target.rstrip("/") != page.rstrip("/")


def _keeps_last_segment(reference: str) -> bool:
    """`urljoin` keeps the reference's last path segment and query as they are: it has a path
    of its own, not ending in a dot segment or an empty query or parameter, and no tab or line
    break (which URL parsing removes)."""
    return (
        reference[0] not in "?;"
        and reference[-1] not in "?;."
        and not any(char in reference for char in "\t\r\n")
    )
