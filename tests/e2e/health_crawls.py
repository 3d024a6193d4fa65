"""Crawls of three fixture hosts (127.0.0.1, .2 and .3, each its own server), twice, as one
seed set: the archive the health report tests read.

- 127.0.0.1 serves the demo site from its front page and feed: articles, a 404, a 500 (and
  its retries), a link robots.txt excludes;
- 127.0.0.2 serves a page of links: a 429 (retried, then 200), a 500, a robots.txt exclusion and
  one article;
- 127.0.0.3 serves a section front and its articles.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from tests.servers.demo import crawl
from tests.servers.http import HttpServer

HOSTS = ("127.0.0.1", "127.0.0.2", "127.0.0.3")
CRAWL_IDS = ("health-20261201000000", "health-20261202000000")
ARTICLE = "/2022/10/12/nato-increase-arms-production-ukraine/"


@dataclass
class HealthArchive:
    root: Path
    logs: list[str]


def seed_file(folder: Path, a: HttpServer, b: HttpServer, c: HttpServer) -> Path:
    links = "&".join(
        "to=" + quote(target, safe="")
        for target in ("/special/retry-after?code=429&times=1&s=0", "/broken/", "/private/x/")
    )
    path = folder / "health.toml"
    path.write_text(
        'name = "health"\n'
        f'start_urls = ["{a.base_url}/", "{b.base_url}/special/links?{links}&to={ARTICLE}",'
        f' "{c.base_url}/category/world/"]\n'
        f'feeds = ["{a.base_url}/feed/"]\n'
        f"allowed_domains = {list(HOSTS)!r}\n".replace("'", '"')
        + "related_depth = 0\n"
        'contact = "https://github.com/newsarchive/newsarchive"\n'
        "[settings]\nDOWNLOAD_DELAY = 0.0\nAUTOTHROTTLE_START_DELAY = 0.0\n",
        "utf-8",
    )
    return path


def crawl_hosts(tmp: Path) -> HealthArchive:
    root, logs = tmp / "archive", []
    with HttpServer() as a, HttpServer(host=HOSTS[1]) as b, HttpServer(host=HOSTS[2]) as c:
        seeds = seed_file(tmp, a, b, c)
        for crawl_id in CRAWL_IDS:
            log = tmp / f"{crawl_id}.log"
            result = crawl(
                a.base_url,
                str(root),
                crawl_id,
                capture=True,
                log_file=log,
                seeds=str(seeds),
                extra={
                    "STORE_SPOOL_DIR": str(tmp / "spool"),
                    "ALLOW_PRIVATE_NETWORKS": ",".join(f"{h}/32" for h in HOSTS),
                },
            )
            logs.append(log.read_text("utf-8"))
            assert result.returncode == 0, result.stderr + logs[-1]
    return HealthArchive(root, logs)
