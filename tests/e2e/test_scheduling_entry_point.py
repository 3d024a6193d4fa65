"""`newsarchive`, the console script `pip install` puts in the virtualenv, runs the project's
commands with its settings from any folder: here a temporary one outside the repository, with no
scrapy.cfg and no seeds/ of its own. And `scrapy -h` lists each of our commands once."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.servers.http import HttpServer

ROOT = Path(__file__).resolve().parents[2]
NEWSARCHIVE = str(Path(sys.executable).parent / "newsarchive")


def newsarchive(cwd: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if k != "SCRAPY_SETTINGS_MODULE"}
    return subprocess.run(
        [NEWSARCHIVE, *args],
        cwd=cwd,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_the_profile_applies_from_any_folder(tmp_path: Path) -> None:
    def retries(*args: str, **env: str) -> str:
        result = newsarchive(tmp_path, *args, "settings", "--get", "RETRY_TIMES", **env)
        assert result.returncode == 0, result.stderr
        return result.stdout.strip()

    assert retries() == "2"  # settings.base
    assert retries("--profile", "production") == "3"
    assert retries("--profile=production") == "3"
    assert retries(SCRAPY_SETTINGS_MODULE="settings.production") == "3"
    assert retries("--profile", "base", SCRAPY_SETTINGS_MODULE="settings.production") == "2"


def test_crawl_and_verify_from_a_folder_outside_the_repository(tmp_path: Path) -> None:
    with HttpServer() as site:
        crawled = newsarchive(
            tmp_path,
            "--profile",
            "demo",
            "crawl",
            "seeds/demo.toml",  # not in tmp_path: the installed seed set
            "-s",
            "EXTRACT_WORKERS=1",
            NEWSARCHIVE_DEMO_URL=site.base_url,
        )

    assert crawled.returncode == 0, crawled.stderr[-3000:]
    assert not (tmp_path / "seeds").exists()
    assert list((tmp_path / "archive" / "manifests").glob("demo-*.json"))  # archive/ is here
    verified = newsarchive(tmp_path, "verify", "archive/")
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "OK:" in verified.stdout
    assert newsarchive(tmp_path, "verify", "no/such/archive").returncode == 2


def test_usage_and_a_wrong_profile(tmp_path: Path) -> None:
    usage = newsarchive(tmp_path, "-h")
    wrong = newsarchive(tmp_path, "--profile", "staging", "verify", "archive/")
    bare = newsarchive(tmp_path)

    assert usage.returncode == 0 and "crawl SEEDS.toml" in usage.stdout
    assert wrong.returncode == 2 and "unknown profile 'staging'" in wrong.stderr
    assert bare.returncode == 2 and "usage: newsarchive" in bare.stdout


def test_scrapy_lists_each_command_once() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "scrapy", "-h"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    names = [line.split()[0] for line in result.stdout.splitlines() if line.startswith("  ")]

    assert names.count("upload-pending") == 1, result.stdout
    assert "upload_pending" not in names
    for name in ("crawl", "verify", "wacz", "reextract"):
        assert names.count(name) == 1, result.stdout
    pending = subprocess.run(
        [sys.executable, "-m", "scrapy", "upload-pending", "-h"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert pending.returncode == 0 and "--close-interrupted" in pending.stdout
