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
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pipelines.archive.identity import new_crawl_id
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
    """The command line and environment `crawl` runs, for callers that start it themselves."""
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
    for name, value in (extra or {}).items():
        command += ["-s", f"{name}={value}"]
    env = {
        **os.environ,
        "NEWSARCHIVE_DEMO_URL": site_url,
        "SCRAPY_SETTINGS_MODULE": "settings.demo",
    }
    return command, env


def summary(archive_uri: str, crawl_id: str) -> str:
    store = open_store(archive_uri)
    with store.get(f"manifests/{crawl_id}.json") as stream:
        manifest: dict[str, Any] = json.load(stream)
    stats: dict[str, Any] = {}
    for key in store.list(f"reports/{crawl_id}/"):  # one report per crawl process
        with store.get(key) as stream:
            for name, value in json.load(stream)["stats"].items():
                if isinstance(value, int | float):
                    stats[name] = stats.get(name, 0) + value
    prefix = "downloader/response_status_count/"
    statuses = {k.removeprefix(prefix): v for k, v in stats.items() if k.startswith(prefix)}
    warcs = [o for o in manifest["objects"] if o["kind"] == "warc"]
    records = [o for o in manifest["objects"] if o["kind"] == "records"]
    lines = [
        f"crawl id:        {crawl_id}",
        "pages fetched:   " + ", ".join(f"{n} x {s}" for s, n in sorted(statuses.items())),
        f"WARC files:      {len(warcs)} ({sum(o['size'] for o in warcs):,} bytes, "
        f"{stats.get('warc/exchanges', 0)} exchanges)",
        f"records written: {sum(o['records'] or 0 for o in records)} in {len(records)} part(s)"
        f" (no article text: {stats.get('extract/empty', 0)}, "
        f"extraction failed: {stats.get('extract/failed', 0)})",
        f"stored in:       {store.uri}",
        f"  warc/{crawl_id}/   indexes/{crawl_id}/   records/{crawl_id}/ ...",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--archive-uri", default="archive/")
    args = parser.parse_args(argv)
    crawl_id = new_crawl_id("demo")
    with tempfile.TemporaryDirectory() as tmp, HttpServer(log=Path(tmp) / "requests.jsonl") as site:
        print(f"demo site serving on {site.base_url}", flush=True)
        result = crawl(site.base_url, args.archive_uri, crawl_id)
    if result.returncode != 0:
        print(f"the crawl failed (exit code {result.returncode})", file=sys.stderr)
        return result.returncode
    print("\n" + summary(args.archive_uri, crawl_id))
    return 0


if __name__ == "__main__":
    sys.exit(main())
