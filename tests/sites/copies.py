"""A bigger copy of the fixture site: its article pages repeated under new URLs.

Each copy gets its own URL (``/copies/<n>/<slug>/``), canonical link and headline, so that each is
a distinct article; the home page lists them all. For crawls that must last long enough to be
shared, interrupted or measured (scale-out tests).
"""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.servers.http import SITE

ARTICLES = sorted((SITE / "pages").glob("20*/*/*/*/index.html"))


def build_site(root: Path, articles: int) -> tuple[Path, list[str]]:
    """The site in `root`/site, and the paths of its `articles` article copies."""
    site = root / "site"
    shutil.copytree(SITE, site)
    paths, links = [], []
    for number in range(articles):
        source = ARTICLES[number % len(ARTICLES)]
        original = "/" + source.parent.relative_to(SITE / "pages").as_posix() + "/"
        path = f"/copies/{number:05d}{original[11:]}"  # /copies/00042/<slug>/
        page = source.read_text("utf-8").replace(original, path)
        page = page.replace("</h1>", f" ({number})</h1>", 1)
        target = site / "pages" / path.strip("/") / "index.html"
        target.parent.mkdir(parents=True)
        target.write_text(page, "utf-8")
        paths.append(path)
        links.append(f'<li><a href="{path}">Story {number}</a></li>')
    home = site / "pages" / "index.html"
    listing = '<ul class="copies">' + "".join(links) + "</ul></body>"
    home.write_text(home.read_text("utf-8").replace("</body>", listing, 1), "utf-8")
    return site, paths
