"""scrapyd, for real: `scrapyd-deploy` from a fresh copy of the project sends the egg to a scrapyd
server on 127.0.0.1, and crawls scheduled through its HTTP API (schedule.json, then listjobs.json
until finished) archive the fixture site with the production settings, their seed sets found in
the egg by their relative path; a bad seed set fails its job with the reason in the job's log.

The seed sets the jobs name are written into the copy only (not into the repository), so a job
can find them in the egg alone: the job's working folder is scrapyd's.
"""

from __future__ import annotations

import configparser
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.servers.http import HttpServer
from tests.servers.scrapyd import ROOT, Scrapyd, fresh_copy

PROJECT = "newsarchive"
SEEDS = """\
name = "deployed"
start_urls = ["${NEWSARCHIVE_DEMO_URL}/", "${NEWSARCHIVE_DEMO_URL}/category/world/"]
feeds = ["${NEWSARCHIVE_DEMO_URL}/feed/"]
allowed_domains = ["127.0.0.1"]
related_depth = 1
contact = "https://example.org/crawler"
"""
BAD_SEEDS = 'name = "Bad Name"\nrelated_depth = -1\n'


@dataclass(frozen=True)
class Deployed:
    scrapyd: Scrapyd
    tmp: Path

    def run(self, *fields: tuple[str, str]) -> tuple[str, str]:
        """Schedule a crawl job, wait until it has finished; its id and its log."""
        job = self.scrapyd.post(
            "schedule.json", [("project", PROJECT), ("spider", "news"), *fields]
        )
        assert job["status"] == "ok", job
        self.scrapyd.wait_finished(PROJECT, job["jobid"])
        return job["jobid"], self.scrapyd.job_log(PROJECT, "news", job["jobid"])


@pytest.fixture(scope="module")
def deployed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployed]:
    tmp = tmp_path_factory.mktemp("scrapyd")
    clone = fresh_copy(tmp / "clone")
    (clone / "seeds" / "deployed.toml").write_text(SEEDS)
    (clone / "seeds" / "broken.toml").write_text(BAD_SEEDS)
    with (
        HttpServer() as site,
        Scrapyd(tmp / "server", env={"NEWSARCHIVE_DEMO_URL": site.base_url}) as scrapyd,
    ):
        (tmp / "config").mkdir()  # scrapy.cfg's [deploy] names port 6800: a target of our own
        (tmp / "config" / "scrapy.cfg").write_text(
            f"[deploy:test]\nurl = {scrapyd.url}\nproject = {PROJECT}\n"
        )
        deploy = subprocess.run(
            [str(Path(sys.executable).parent / "scrapyd-deploy"), "test", "--version", "r1"],
            cwd=clone,
            env={**os.environ, "XDG_CONFIG_HOME": str(tmp / "config")},
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert deploy.returncode == 0, deploy.stdout + deploy.stderr
        assert '"status": "ok"' in deploy.stdout, deploy.stdout + deploy.stderr
        yield Deployed(scrapyd, tmp)


def test_the_repository_deploys_to_a_local_scrapyd_by_default() -> None:
    config = configparser.ConfigParser()
    config.read(ROOT / "scrapy.cfg")
    assert config["deploy"]["url"] == "http://127.0.0.1:6800/"
    assert config["deploy"]["project"] == PROJECT


def test_a_scheduled_crawl_archives_the_site_with_production_settings(
    deployed: Deployed,
) -> None:
    archive = deployed.tmp / "archive"
    assert deployed.scrapyd.get("listspiders.json", project=PROJECT)["spiders"] == ["news"]

    job, log = deployed.run(
        ("seeds", "seeds/deployed.toml"),  # in the egg only
        ("setting", f"ARCHIVE_URI={archive}"),
        ("setting", f"STORE_SPOOL_DIR={deployed.tmp / 'spool'}"),
        ("setting", "ALLOW_PRIVATE_NETWORKS=127.0.0.1/32"),
        ("setting", "DOWNLOAD_DELAY=0"),
        ("setting", "AUTOTHROTTLE_START_DELAY=0"),
        ("setting", "EXTRACT_WORKERS=1"),
    )

    assert "Process finished" in deployed.scrapyd.ended(job)  # exit status 0
    # settings.production, named by the egg's entry point: 3 retries of the broken page, not 2
    assert "'RETRY_TIMES': 3" in log
    assert "/broken/> (failed 4 times)" in log, log[-3000:]
    assert "manifest file://" in log and "written" in log, log[-3000:]
    manifests = list((archive / "manifests").glob("deployed-*.json"))
    assert len(manifests) == 1, log[-3000:]
    verified = subprocess.run(
        [sys.executable, "-m", "scrapy", "verify", str(archive)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert list((archive / "records").rglob("*.jsonl.gz"))


def test_a_bad_seed_set_fails_the_job_with_the_reason_in_its_log(deployed: Deployed) -> None:
    job, log = deployed.run(
        ("seeds", "seeds/broken.toml"),
        ("setting", f"ARCHIVE_URI={deployed.tmp / 'bad-archive'}"),
    )

    assert "Process died: exitstatus=2 " in deployed.scrapyd.ended(job)

    assert "error: seeds/broken.toml: line 2: key 'related_depth'" in log, log
    assert "error: seeds/broken.toml: key 'contact': missing required key" in log, log
    assert "archiving into" not in log  # refused before the crawl started
    assert not (deployed.tmp / "bad-archive").exists()


def test_a_missing_seed_set_fails_the_job_naming_it(deployed: Deployed) -> None:
    job, log = deployed.run(("seeds", "seeds/no-such-set.toml"))

    assert "Process died: exitstatus=2 " in deployed.scrapyd.ended(job)

    assert "error: seeds/no-such-set.toml: file not found" in log, log
