"""A synthetic news site of many articles, for the crash-resume tests: copies of the fixture
site's articles, each with its own title, listed on one front page.

    site = generate(tmp_path / "site", 300)   # HttpServer(site=site); seeds: seeds_file(...)
"""

from __future__ import annotations

from pathlib import Path

from tests.servers.http import SITE

TEMPLATES = sorted((SITE / "pages" / "2022").glob("*/*/*/index.html"))


def article_path(number: int) -> str:
    return f"/a/{number:04d}/"


def generate(folder: Path, count: int) -> Path:
    """Write the site under ``folder/pages``: ``/`` lists ``count`` articles at ``/a/NNNN/``."""
    pages = folder / "pages"
    pages.mkdir(parents=True)
    (pages / "robots.txt").write_text("User-agent: *\nAllow: /\n")
    templates = [path.read_text("utf-8") for path in TEMPLATES]
    links = []
    for number in range(count):
        html = templates[number % len(templates)]
        html = html.replace("<title>", f"<title>Story {number}: ", 1).replace(
            "</h1>", f" (story {number})</h1>", 1
        )
        target = pages / article_path(number).strip("/") / "index.html"
        target.parent.mkdir(parents=True)
        target.write_text(html, "utf-8")
        links.append(f'<li><a href="{article_path(number)}">Story {number}</a></li>')
    front = (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>Front</title></head>'
        "<body><h1>Front page</h1><ul>\n" + "\n".join(links) + "\n</ul></body></html>\n"
    )
    (pages / "index.html").write_text(front, "utf-8")
    return folder


def seeds_file(path: Path) -> Path:
    path.write_text(
        'name = "resume"\n'
        'start_urls = ["${NEWSARCHIVE_DEMO_URL}/"]\n'
        'allowed_domains = ["127.0.0.1"]\n'
        "related_depth = 0\n"
        'contact = "https://github.com/newsarchive/newsarchive"\n'
    )
    return path
