"""What the fixture server answers under /hostile/: hostile bodies, made by code when asked.

Nothing here is a committed big file: the gzip bomb, the 100,000-URL sitemap, the link bomb and
the rest are built per request. Ordinary articles under /hostile/ok/<name> surround the cases,
so a test can see that the crawl archived pages before and after each of them. The socket-level
misbehaviour (resets, truncated chunks, slow drips, huge headers) is in
`tests.servers.misbehaving`; the hostile feeds and sitemaps are in `tests.hostile.xml_routes`.
"""

from __future__ import annotations

import gzip
import html
import random
import struct
import zlib
from collections.abc import Iterator, Mapping
from types import MappingProxyType

from tests.hostile.cases import CASES, ok_path
from tests.hostile.xml_routes import (
    RSS,
    feed,
    feed_huge,
    feed_laughs,
    feed_xxe,
    sitemap_100k,
    sitemap_deep,
    sitemap_laughs,
    sitemap_loop,
    sitemap_xxe,
    tail_sitemap,
)
from tests.servers.replies import HTML, MIB, Reply, Route, RouteRequest, html_page, not_found

BOMB_BYTES = 1024 * MIB  # what each bomb expands to
PARAGRAPHS = (
    "The harbour board met on Tuesday evening to review the winter ferry timetable, after "
    "months of complaints from commuters who said the early crossings were too often late.",
    "Board members heard that two of the four vessels had spent more time in dry dock than "
    "planned, and that the operator had struggled to hire engineers for the night shift.",
    "A proposal to add a second crossing before seven in the morning was put off until the "
    "spring, when the board expects a report on what the extra fuel and crew would cost.",
    "Passengers who spoke at the meeting asked for clearer notices when sailings are cancelled, "
    "and the operator agreed to send text alerts from the start of next month.",
    "The board will meet again in six weeks, and minutes of Tuesday's session are to be "
    "published on the port authority's website by the end of the week.",
)


def ok_article(title: str) -> bytes:
    """An ordinary short news article (og:type article), the same text under every title."""
    escaped = html.escape(title)
    body = "\n".join(f"<p>{html.escape(text)}</p>" for text in PARAGRAPHS)
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f'<title>{escaped}</title><meta property="og:type" content="article">'
        f'<meta property="og:title" content="{escaped}"></head>\n'
        f"<body><article><h1>{escaped}</h1>\n{body}\n</article></body></html>\n"
    ).encode()


def ok(request: RouteRequest) -> Reply:
    name = request.path.removeprefix("/hostile/ok/")
    return Reply(200, ok_article(f"Harbour board reviews ferry timetable ({name})"))


def gzip_bomb_members() -> bytes:
    """1 GiB of zeros as 64 gzip members of 16 MiB each: about 1 MB on the wire."""
    member = gzip.compress(bytes(16 * MIB), compresslevel=9, mtime=0)
    return member * (BOMB_BYTES // (16 * MIB))


def deflate_bomb_stream() -> bytes:
    """1 GiB of zeros as one zlib stream: identical fully-flushed blocks, then the checksum."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 15)
    first = compressor.compress(bytes(MIB)) + compressor.flush(zlib.Z_FULL_FLUSH)
    block = compressor.compress(bytes(MIB)) + compressor.flush(zlib.Z_FULL_FLUSH)
    adler = ((BOMB_BYTES % 65521) << 16) | 1  # Adler-32 of n zero bytes
    final_empty_block = b"\x03\x00"
    return first + block * (BOMB_BYTES // MIB - 1) + final_empty_block + struct.pack(">I", adler)


def encoded(body: bytes, encoding: str, content_type: str = HTML) -> Reply:
    return Reply(200, body, content_type, headers=(("Content-Encoding", encoding),))


def noise(size: int, seed: int) -> bytes:
    return random.Random(seed).randbytes(size)


def article_with(title: str, extra: str | bytes) -> bytes:
    """`ok_article(title)` with `extra` (markup, or raw bytes as they are) ending the article."""
    raw = extra.encode() if isinstance(extra, str) else extra
    return ok_article(title).replace(b"</article>", raw + b"</article>")


def charset_mixed(request: RouteRequest) -> Reply:
    # The header says UTF-8, the page says windows-1251, the bytes are partly Latin-1.
    page = ok_article("Caf\u00e9 owners protest new terrace rules").replace(
        b'<meta charset="utf-8">', b'<meta charset="windows-1251">'
    )
    page = page.replace(b"</h1>", b"</h1><p>Se\xf1ora Ib\xe1\xf1ez, caf\xe9 owner, objected.</p>")
    return Reply(200, page, "text/html; charset=utf-8")


def utf16(request: RouteRequest) -> Reply:
    text = ok_article("Tram depot to open its doors for one weekend").decode()
    page = text.replace('<meta charset="utf-8">', "").encode("utf-16")  # with a BOM
    return Reply(200, page, "text/html")


def deep_nesting(request: RouteRequest) -> Reply:
    depth = 100_000
    return Reply(200, article_with("Deep", "<div>" * depth + "<p>Inside.</p>" + "</div>" * depth))


def wide_tree(request: RouteRequest) -> Reply:
    return Reply(200, article_with("Wide", "<span>w</span>" * 200_000))


def json_ld_bomb(request: RouteRequest) -> Reply:
    nested = "[" * 100_000 + "]" * 100_000
    script = f'<script type="application/ld+json">{nested}</script>'
    page = ok_article("Ferry fares frozen for another year").replace(
        b'<meta property="og:type" content="article">', script.encode()
    )
    return Reply(200, page)


def links_page(title: str, hrefs: Iterator[str]) -> bytes:
    items = "".join(f'<li><a href="{html.escape(href)}">link</a></li>\n' for href in hrefs)
    return html_page(title, f"<ul>\n{items}</ul>")


def link_bomb(request: RouteRequest) -> Reply:
    return Reply(200, links_page("Link bomb", (f"/hostile/ok/link-{n}" for n in range(100_000))))


BAD_HREFS = (
    "javascript:alert(1)",
    "mailto:desk@example.org",
    "ftp://127.0.0.1/file",
    "file:///etc/passwd",
    "data:text/html,<p>x</p>",
    "tel:+15550100",
    "http://[::1",
    "http://127.0.0.1:99999/",
    "http://",
    "http:///no-host",
    "//",
    "\\\\share\\file",
    "http://a b.example/",
    "\x00\x01",
    "/%zz%",
    "/hostile/ok/" + "x" * 10_000,
)


def bad_links(request: RouteRequest) -> Reply:
    hrefs = (*BAD_HREFS, "/hostile/ok/bad-links-valid")
    return Reply(200, links_page("Bad links", iter(hrefs)))


def meta_refresh_loop(request: RouteRequest) -> Reply:
    step = request.int_param("n", default=0, low=0, high=1_000_000)
    target = f"{request.path}?n={step + 1}"
    refresh = f'<meta http-equiv="refresh" content="0; url={target}">'
    page = html_page("Refresh", "<p>Moving on.</p>")
    return Reply(200, page.replace(b"<title>", refresh.encode() + b"<title>"))


def set_cookie_flood(request: RouteRequest) -> Reply:
    cookies = tuple(("Set-Cookie", f"c{n}=v{n}; Path=/") for n in range(5000))
    return Reply(200, html_page("Cookies", "<p>Many cookies.</p>"), headers=cookies)


def front(request: RouteRequest) -> Reply:
    """/hostile/front/<case>: a section front linking the case between its two articles."""
    name = request.path.removeprefix("/hostile/front/")
    case = next((case for case in CASES if case.name == name), None)
    if case is None:
        return not_found()
    hrefs = (ok_path(case, "before"), case.path, ok_path(case, "after"))
    return Reply(200, links_page(f"Front of {name}", iter(hrefs)))


HOSTILE_ROUTES: Mapping[str, Route] = MappingProxyType(
    {
        "/hostile/tail-sitemap.xml": tail_sitemap,
        "/hostile/gzip-bomb": lambda _: encoded(gzip_bomb_members(), "gzip"),
        "/hostile/deflate-bomb": lambda _: encoded(deflate_bomb_stream(), "deflate"),
        "/hostile/gzip-corrupt": lambda _: encoded(noise(4096, 1), "gzip"),
        "/hostile/gzip-twice-labelled": lambda _: encoded(
            gzip.compress(ok_article("Labelled twice"), mtime=0), "gzip, gzip"
        ),
        "/hostile/sitemap-bomb.xml.gz": lambda _: Reply(
            200, gzip_bomb_members(), "application/gzip"
        ),
        "/hostile/charset-bogus": lambda _: Reply(
            200, ok_article("Library extends opening hours"), "text/html; charset=x-no-such-charset"
        ),
        "/hostile/charset-mixed": charset_mixed,
        "/hostile/invalid-utf8": lambda _: Reply(
            200, article_with("Bridge repairs start", b"<p>Broken \xff\xfe\xc3\x28 bytes.</p>")
        ),
        "/hostile/utf16": utf16,
        "/hostile/binary-as-html": lambda _: Reply(200, noise(64 * 1024, 2), HTML),
        "/hostile/nul-bytes": lambda _: Reply(
            200, article_with("Council meets again", b"<p>Nul\x00 bytes\x00 inside.</p>\x00")
        ),
        "/hostile/malformed": lambda _: Reply(
            200,
            (
                b"<html><head><title>Broken <b>markup</title><body><article><h1>Unclosed <p>one"
                b"<p>two <div><<<>>> <table><tr><td>cell</article></div></b></i><!-- never closed"
            ),
        ),
        "/hostile/deep-nesting": deep_nesting,
        "/hostile/wide-tree": wide_tree,
        "/hostile/json-ld-bomb": json_ld_bomb,
        "/hostile/link-bomb": link_bomb,
        "/hostile/bad-links": bad_links,
        "/hostile/meta-refresh-loop": meta_refresh_loop,
        "/hostile/redirect-to-file": lambda _: Reply(
            302, headers=(("Location", "file:///etc/passwd"),)
        ),
        "/hostile/set-cookie-flood": set_cookie_flood,
        "/hostile/empty": lambda _: Reply(200, b""),
        "/hostile/feed-as-html": lambda request: Reply(200, feed(request.base_url, []), HTML),
        "/hostile/feed-laughs.xml": feed_laughs,
        "/hostile/feed-xxe.xml": feed_xxe,
        "/hostile/feed-huge.xml": feed_huge,
        "/hostile/feed-binary.xml": lambda _: Reply(200, noise(8192, 3), RSS),
        "/hostile/sitemap-100k.xml": sitemap_100k,
        "/hostile/sitemap-laughs.xml": sitemap_laughs,
        "/hostile/sitemap-xxe.xml": sitemap_xxe,
        "/hostile/sitemap-deep.xml": sitemap_deep,
        "/hostile/sitemap-loop.xml": sitemap_loop,
        "/hostile/xxe-canary": lambda _: not_found(),  # must never be asked for
    }
)


def hostile_route(path: str) -> Route | None:
    """The route for a path under /hostile/, or None."""
    if path.startswith("/hostile/ok/"):
        return ok
    if path.startswith("/hostile/front/"):
        return front
    return HOSTILE_ROUTES.get(path)
