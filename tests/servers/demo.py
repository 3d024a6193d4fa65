"""`make demo`: serve the bundled offline news site on 127.0.0.1, crawl it, print a summary.

    python -m tests.servers.demo [--archive-uri archive/]

The site is the test fixture site (tests/sites/news); the crawl is the real command,
``scrapy crawl news -a seeds=seeds/demo.toml``, run as its own process with the demo settings.
The summary is read back from the store, so it shows what was stored, not what was meant to be.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pipelines.archive.identity import new_crawl_id
from pipelines.archive.summary import summarise, summed_stats
from pipelines.storage import open_store
from tests.servers.http import HttpServer

ROOT = Path(__file__).resolve().parents[2]


def crawl(
    site_url: str,
    archive_uri: str,
    crawl_id: str,
    *,
    extra: Mapping[str, str] | None = None,
    log_file: Path | None = None,
    capture: bool = False,
    seeds: str = "seeds/demo.toml",
) -> subprocess.CompletedProcess[str]:
    """Run a seed set (the demo's by default) against `site_url`: a separate `scrapy crawl`."""
    command, env = crawl_command(site_url, archive_uri, crawl_id, extra, log_file, seeds)
    return subprocess.run(
        command, cwd=ROOT, env=env, text=True, check=False, capture_output=capture
    )


def crawl_command(
    site_url: str,
    archive_uri: str,
    crawl_id: str,
    extra: Mapping[str, str] | None = None,
    log_file: Path | None = None,
    seeds: str = "seeds/demo.toml",
) -> tuple[list[str], dict[str, str]]:
    """The command line and environment `crawl` runs, for callers that start it themselves.
    Without a STATE_DIR in `extra`, the crawl gets a crawl state of its own, so that it
    fetches everything as a first run does (tests that re-crawl give one)."""
    command = [
        sys.executable,
        "-m",
        "scrapy",
        "crawl",
        "news",
        "-a",
        f"seeds={seeds}",
        "-s",
        f"ARCHIVE_URI={archive_uri}",
        "-s",
        f"CRAWL_ID={crawl_id}",
    ]
    if log_file is not None:
        command += ["-s", f"LOG_FILE={log_file}"]
    settings = dict(extra or {})
    settings.setdefault("STATE_DIR", fresh_state_dir(archive_uri))
    for name, value in settings.items():
        command += ["-s", f"{name}={value}"]
    env = {
        **os.environ,
        "NEWSARCHIVE_DEMO_URL": site_url,
        "SCRAPY_SETTINGS_MODULE": "settings.demo",
    }
    return command, env


def fresh_state_dir(archive_uri: str) -> str:
    """An empty folder for a crawl state: beside a local archive, else a temporary one."""
    archive = Path(archive_uri)
    if "://" in archive_uri or not archive.is_absolute():
        return tempfile.mkdtemp(prefix="newsarchive-state-")
    return str(archive.parent / f"state-{uuid.uuid4().hex[:12]}")


def summary(archive_uri: str, crawl_id: str) -> str:
    """The crawl's summary (pipelines/archive/summary.py), read back from the store: the
    manifest's objects and every process's report."""
    store = open_store(archive_uri)
    with store.get(f"manifests/{crawl_id}.json") as stream:
        manifest: dict[str, Any] = json.load(stream)
    reports = []
    for key in store.list(f"reports/{crawl_id}/"):  # one report per crawl process
        with store.get(key) as stream:
            reports.append(json.load(stream)["stats"])
    stats = summed_stats(reports)
    return summarise(crawl_id, stats, store.uri, manifest["objects"]).text()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--archive-uri", default="archive/")
    args = parser.parse_args(argv)
    crawl_id = new_crawl_id("demo")
    with tempfile.TemporaryDirectory() as tmp, HttpServer(log=Path(tmp) / "requests.jsonl") as site:
        print(f"demo site serving on {site.base_url}", flush=True)
        result = crawl(site.base_url, args.archive_uri, crawl_id, extra={"STATE_DIR": "state/"})
    if result.returncode != 0:
        print(f"the crawl failed (exit code {result.returncode})", file=sys.stderr)
        return result.returncode
    print("\n" + summary(args.archive_uri, crawl_id))
    return 0


if __name__ == "__main__":
    sys.exit(main())
