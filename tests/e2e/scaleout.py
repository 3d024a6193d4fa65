"""Several `scrapy crawl news` processes sharing one frontier in a real Redis (crawler.frontier):
the site, the processes, and what the archive holds afterwards."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import redis

from crawler.frontier.keys import FrontierKeys
from pipelines.tools.verify import verify
from tests.servers.demo import ROOT, crawl_command
from tests.spools import Archive
from tests.warcs import read_records, read_warc

TIMEOUT = 240.0  # seconds; only reached when something is broken
SEEDS = """name = "shared"
start_urls = ["${NEWSARCHIVE_DEMO_URL}/"]
allowed_domains = ["127.0.0.1"]
related_depth = 0
contact = "https://github.com/newsarchive/newsarchive"

[settings]
AUTOTHROTTLE_ENABLED = false
DOWNLOAD_DELAY = 0.0
CONCURRENT_REQUESTS_PER_DOMAIN = 4
"""


@dataclass
class Fleet:
    """The crawl processes of one shared crawl, each with its own spool and log."""

    folder: Path
    archive: Archive
    site_url: str
    redis_url: str
    extra: dict[str, str] = field(default_factory=dict)
    recrawl: str = ""  # the seed set's [recrawl] table, if any
    processes: dict[str, subprocess.Popen[str]] = field(default_factory=dict)

    def start(self, name: str) -> None:
        seeds = self.folder / "shared.toml"
        seeds.write_text(SEEDS + self.recrawl, "utf-8")
        settings = {
            **self.archive.settings,
            "REDIS_URL": self.redis_url,
            "STORE_SPOOL_DIR": str(self.folder / f"spool-{name}"),
            "JOBDIR": str(self.folder / f"jobdir-{name}"),  # a killed one is started again
            "EXTRACT_WORKERS": "1",
            **self.extra,
        }
        log = self.folder / f"{name}.log"
        command, env = crawl_command(self.site_url, self.archive.uri, "", settings, log, str(seeds))
        self.processes[name] = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,  # its own process group: a kill takes its workers too
        )

    def log(self, name: str) -> str:
        path = self.folder / f"{name}.log"
        return path.read_text("utf-8", "replace") if path.exists() else ""

    def kill(self, name: str) -> None:
        """SIGKILL the process and its extraction workers, as a machine lost would."""
        process = self.processes.pop(name)
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate(timeout=TIMEOUT)

    def wait_all(self) -> None:
        for name, process in self.processes.items():
            _, stderr = process.communicate(timeout=TIMEOUT)
            assert process.returncode == 0, (
                f"{name}: exit {process.returncode}\n{stderr}\n" + (self.log(name)[-4000:])
            )


@contextmanager
def crawl_held_open(client: redis.Redis, keys: FrontierKeys) -> Iterator[None]:
    """The test as one more process of the shared crawl, holding a lease and never expiring:
    no process ends the crawl while it is held (a lease held elsewhere may still bring links).
    So processes that start seconds apart, on a busy machine, all join the same crawl."""
    writer = "test-holding-the-crawl-open"
    client.sadd(keys.writers, writer)
    client.set(keys.alive(writer), "1")  # no expiry: never reclaimed
    client.hset(keys.leases(writer), mapping={"held": b"-", "held:score": "0"})
    try:
        yield
    finally:
        client.delete(keys.leases(writer), keys.alive(writer))
        client.srem(keys.writers, writer)


def started_writers(archive: Archive) -> int:
    """Processes that joined the crawl in the store (their started markers)."""
    return sum(1 for key in archive.store().list("writers/") if key.endswith(".started.json"))


def wait_for(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + TIMEOUT
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)  # polling a server log or a process: neither signals


def fetch(archive: Archive, key: str, folder: Path) -> Path:
    path = folder / key
    path.parent.mkdir(parents=True, exist_ok=True)
    with archive.store().get(key) as stream:
        path.write_bytes(stream.read())
    return path


@dataclass
class Outcome:
    """What the archive holds after the shared crawl."""

    manifest: dict[str, Any]
    responses: Counter[str]  # response records by URL path
    revisits: Counter[str]  # revisit records by URL path and profile: "path profile"
    records: list[dict[str, Any]]
    verified: str  # verify's output; empty-handed on failure is an assertion


def manifests(archive: Archive) -> list[str]:
    """The crawls' manifests in the archive, oldest first (crawl ids end in their time)."""
    return sorted(k for k in archive.store().list("manifests/") if k.endswith(".json"))


def read_outcome(archive: Archive, folder: Path, manifest: str | None = None) -> Outcome:
    """What the crawl of `manifest` holds; by default of the one crawl in the archive."""
    store = archive.store()
    if manifest is None:
        found = manifests(archive)
        assert len(found) == 1, found  # one crawl, one manifest
        manifest = found[0]
    with store.get(manifest) as stream:
        described: dict[str, Any] = json.load(stream)
    assert described["complete"] is True
    out = io.StringIO()
    assert not verify(store, None, out).failed, out.getvalue()
    listed = described["objects"]
    warcs = [fetch(archive, e["key"], folder) for e in listed if e["kind"] == "warc"]
    parts = [fetch(archive, e["key"], folder) for e in listed if e["kind"] == "records"]
    read = [r for path in warcs for r in read_warc(path)]
    responses = Counter(urlsplit(r.uri).path for r in read if r.rec_type == "response")
    revisits = Counter(
        f"{urlsplit(r.uri).path} {r.headers['WARC-Profile']}"
        for r in read
        if r.rec_type == "revisit"
    )
    return Outcome(described, responses, revisits, list(read_records(parts)), out.getvalue())
