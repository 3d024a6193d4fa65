"""What the scheduling tests share: an operator's folders made in a temporary folder, the deploy/
files with their paths moved there, and a seed set of the fixture site.

The files in deploy/ name /srv/newsarchive (the checkout, with its .venv), /var/lib/newsarchive
(archive, spool, state), /var/log/newsarchive and /etc/newsarchive; `Operator` lays those out
under a temporary folder, the checkout being a folder with a `.venv` link to this repository's
virtualenv and the seed set in its `seeds/`, so the commands run as written, outside the
repository, with only the paths changed.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
# The fixture site; its [settings] make the crawl quick and let it reach 127.0.0.1. The
# production profile's other settings (RETRY_TIMES = 3 among them) stay as they are.
SEEDS = """\
name = "{name}"
start_urls = ["${{NEWSARCHIVE_DEMO_URL}}/", "${{NEWSARCHIVE_DEMO_URL}}/category/world/"]
feeds = ["${{NEWSARCHIVE_DEMO_URL}}/feed/"]
allowed_domains = ["127.0.0.1"]
related_depth = 1
contact = "https://example.org/crawler"

[settings]
ALLOW_PRIVATE_NETWORKS = ["127.0.0.1/32"]
DOWNLOAD_DELAY = 0.0
AUTOTHROTTLE_START_DELAY = 0.0
EXTRACT_WORKERS = 1
"""
# The production profile's evidence in a crawl's log: its setting, and the broken page of the
# fixture site tried 1 + 3 times (settings.base retries twice).
PRODUCTION_SIGNS = ("'RETRY_TIMES': 3", "/broken/> (failed 4 times)")


@dataclass(frozen=True)
class Operator:
    tmp: Path

    @property
    def home(self) -> Path:
        return self.tmp / "srv"

    @property
    def var(self) -> Path:
        return self.tmp / "var"

    @property
    def archive(self) -> Path:
        return self.var / "lib" / "archive"

    def lay_out(self, seed_set: str) -> Operator:
        """The checkout (a .venv link and seeds/{seed_set}.toml) and the empty data folders."""
        (self.home / "seeds").mkdir(parents=True)
        (self.home / ".venv").symlink_to(ROOT / ".venv")
        (self.home / "seeds" / f"{seed_set}.toml").write_text(SEEDS.format(name=seed_set))
        for folder in ("lib", "log", "etc"):
            (self.var / folder).mkdir(parents=True)
        return self

    def moved(self, text: str) -> str:
        """`text` (a deploy/ file) with its paths in the temporary folder."""
        for path, here in (
            ("/srv/newsarchive", self.home),
            ("/var/lib/newsarchive", self.var / "lib"),
            ("/var/log/newsarchive", self.var / "log"),
            ("/etc/newsarchive", self.var / "etc"),
        ):
            text = text.replace(path, str(here))
        return text


def minimal_env(**extra: str) -> dict[str, str]:
    """About what cron and systemd give a job: no virtualenv, no SCRAPY_SETTINGS_MODULE."""
    return {"PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8", **extra}


def verify(archive: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "scrapy", "verify", str(archive)],
        cwd=ROOT,
        env={k: v for k, v in os.environ.items() if k != "SCRAPY_SETTINGS_MODULE"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
