"""The hostile cases of content: bodies, markup and links, then feeds and sitemaps.

Part of `CASES` (tests/hostile/cases.py), in the order the crawl meets them, after the transport
cases.
"""

from __future__ import annotations

from tests.hostile.case import Case

CONTENT_CASES = (
    # Content
    Case(
        "charset-bogus",
        "/hostile/charset-bogus",
        "link",
        "charset=x-no-such-charset",
        "news/articles",
        "complete",
        record=True,
    ),
    Case(
        "charset-mixed",
        "/hostile/charset-mixed",
        "link",
        "header UTF-8, meta windows-1251, Latin-1 bytes",
        "news/articles",
        "complete",
        record=True,
    ),
    Case(
        "invalid-utf8",
        "/hostile/invalid-utf8",
        "link",
        "invalid UTF-8 sequences",
        "news/articles",
        "complete",
        record=True,
    ),
    Case(
        "utf16",
        "/hostile/utf16",
        "link",
        "UTF-16 with a BOM, no charset",
        "news/articles",
        "complete",
        record=True,
    ),
    Case(
        "nul-bytes",
        "/hostile/nul-bytes",
        "link",
        "NUL bytes in the HTML",
        "news/articles",
        "complete",
        record=True,
    ),
    Case(
        "binary-as-html",
        "/hostile/binary-as-html",
        "link",
        "64 KiB of noise as text/html",
        "news/pages/not_article",
        "complete",
    ),
    Case(
        "malformed",
        "/hostile/malformed",
        "link",
        "unclosed, overlapping, broken markup",
        "news/articles",
        "complete",
    ),
    Case(
        "empty",
        "/hostile/empty",
        "link",
        "200 with an empty body",
        "news/pages/not_article",
        "complete",
    ),
    Case(
        "feed-as-html",
        "/hostile/feed-as-html",
        "link",
        "an RSS feed labelled text/html",
        "news/pages/not_article",
        "complete",
    ),
    # Links
    Case(
        "link-bomb",
        "/hostile/link-bomb",
        "seed",
        "a front with 100,000 links",
        "news/links_cut",
        "complete",
    ),
    Case(
        "bad-links",
        "/hostile/bad-links",
        "seed",
        "invalid URLs, non-HTTP schemes, a 10,000-character URL",
        "news/links_skipped",
        "complete",
    ),
    # Feeds and sitemaps
    Case(
        "feed-laughs",
        "/hostile/feed-laughs.xml",
        "feed",
        "billion laughs in an RSS DTD",
        "news/feeds",
        "complete",
    ),
    Case(
        "feed-xxe",
        "/hostile/feed-xxe.xml",
        "feed",
        "external entities: a file, a URL",
        "news/feeds",
        "complete",
    ),
    Case(
        "feed-huge", "/hostile/feed-huge.xml", "feed", "5,000 items", "news/links_cut", "complete"
    ),
    Case(
        "feed-binary",
        "/hostile/feed-binary.xml",
        "feed",
        "noise labelled RSS",
        "news/feeds_broken",
        "complete",
    ),
    Case(
        "sitemap-100k",
        "/hostile/sitemap-100k.xml",
        "sitemap",
        "100,000 URLs",
        "news/sitemaps_cut",
        "complete",
    ),
    Case(
        "sitemap-bomb",
        "/hostile/sitemap-bomb.xml.gz",
        "sitemap",
        "a gzipped sitemap expanding to 1 GiB",
        "news/sitemaps_broken",
        "complete",
    ),
    Case(
        "sitemap-laughs",
        "/hostile/sitemap-laughs.xml",
        "sitemap",
        "billion laughs in a sitemap DTD",
        "news/sitemaps",
        "complete",
    ),
    Case(
        "sitemap-xxe",
        "/hostile/sitemap-xxe.xml",
        "sitemap",
        "external entities: a file, a URL",
        "news/sitemaps",
        "complete",
    ),
    Case(
        "sitemap-deep",
        "/hostile/sitemap-deep.xml",
        "sitemap",
        "sitemap indexes nested forever",
        "news/sitemaps_too_deep",
        "complete",
    ),
    Case(
        "sitemap-loop",
        "/hostile/sitemap-loop.xml",
        "sitemap",
        "a sitemap index listing itself",
        "dupefilter/filtered",
        "complete",
    ),
)
