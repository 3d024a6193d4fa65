"""Hostile feeds and sitemaps the fixture server makes under /hostile/: billion-laughs and XXE
doctypes, a 100,000-URL sitemap, endless sitemap indexes, and the seed set's closing sitemap.
`HOSTILE_ROUTES` in tests/hostile/routes.py maps their paths.
"""

from __future__ import annotations

from tests.hostile.cases import CASES, ok_path
from tests.servers.replies import Reply, RouteRequest

RSS = "application/rss+xml"
XML = "application/xml"


def laughs_dtd(depth: int = 9) -> str:
    entities = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">' for n in range(1, depth + 1)
    ]
    return "\n".join(entities)


def feed(base: str, items: list[str], doctype: str = "") -> bytes:
    entries = "".join(f"<item><title>Item</title><link>{link}</link></item>\n" for link in items)
    return (
        f'<?xml version="1.0" encoding="utf-8"?>\n{doctype}\n<rss version="2.0"><channel>'
        f"<title>Hostile</title><link>{base}/</link>\n{entries}</channel></rss>\n"
    ).encode()


def urlset(locs: list[str], doctype: str = "") -> bytes:
    urls = "".join(f"<url><loc>{loc}</loc></url>\n" for loc in locs)
    return (
        f'<?xml version="1.0" encoding="utf-8"?>\n{doctype}\n'
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n{urls}</urlset>\n'
    ).encode()


def sitemap_index(locs: list[str]) -> bytes:
    maps = "".join(f"<sitemap><loc>{loc}</loc></sitemap>\n" for loc in locs)
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n{maps}'
        "</sitemapindex>\n"
    ).encode()


def xxe_doctype(base: str, root: str) -> str:
    return (
        f'<!DOCTYPE {root} [<!ENTITY file SYSTEM "file:///etc/hostname">'
        f'<!ENTITY net SYSTEM "{base}/hostile/xxe-canary">]>'
    )


def feed_laughs(request: RouteRequest) -> Reply:
    doctype = f"<!DOCTYPE rss [{laughs_dtd()}]>"
    links = [f"{request.base_url}/hostile/ok/feed-laughs-item", "&lol9;"]
    return Reply(200, feed(request.base_url, links, doctype), RSS)


def feed_xxe(request: RouteRequest) -> Reply:
    links = [f"{request.base_url}/hostile/ok/feed-xxe-item", "&file;", "&net;"]
    return Reply(200, feed(request.base_url, links, xxe_doctype(request.base_url, "rss")), RSS)


def feed_huge(request: RouteRequest) -> Reply:
    links = [f"{request.base_url}/hostile/ok/feed-item-{n}" for n in range(5000)]
    return Reply(200, feed(request.base_url, links), RSS)


def sitemap_100k(request: RouteRequest) -> Reply:
    locs = [f"{request.base_url}/hostile/ok/sitemap-entry-{n}" for n in range(100_000)]
    return Reply(200, urlset(locs), XML)


def sitemap_laughs(request: RouteRequest) -> Reply:
    doctype = f"<!DOCTYPE urlset [{laughs_dtd()}]>"
    locs = [f"{request.base_url}/hostile/ok/sitemap-laughs-entry", "&lol9;"]
    return Reply(200, urlset(locs, doctype), XML)


def sitemap_xxe(request: RouteRequest) -> Reply:
    locs = [f"{request.base_url}/hostile/ok/sitemap-xxe-entry", "&file;", "&net;"]
    return Reply(200, urlset(locs, xxe_doctype(request.base_url, "urlset")), XML)


def sitemap_deep(request: RouteRequest) -> Reply:
    step = request.int_param("n", default=0, low=0, high=1_000_000)
    return Reply(200, sitemap_index([f"{request.base_url}{request.path}?n={step + 1}"]), XML)


def sitemap_loop(request: RouteRequest) -> Reply:
    return Reply(200, sitemap_index([f"{request.base_url}{request.path}"]), XML)


def tail_sitemap(request: RouteRequest) -> Reply:
    """The seed set's last sitemap: the "after" articles of the feed and sitemap cases."""
    kinds = ("feed", "sitemap")
    locs = [request.base_url + ok_path(case, "after") for case in CASES if case.kind in kinds]
    return Reply(200, urlset(locs), XML)
