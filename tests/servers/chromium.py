"""Debian's chromium, headless, for tests that look at a page as a person's browser shows it.

`make browser` (which `make test` runs) installs it (``apt-get install chromium``) when
``chromium`` is not on the PATH. Each call runs one browser process with a fresh profile, with
the flags that keep it from reaching out (no background networking, component updates or sync:
this machine has no network, and pages under test must need none).
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

FLAGS = (
    "--headless",
    "--no-sandbox",  # tests run as root
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
)


def chromium() -> str:
    found = shutil.which("chromium")
    if found is None:
        raise RuntimeError("chromium is not installed: run `make browser`")
    return found


def _run(arguments: list[str], timeout: float = 120) -> str:
    with tempfile.TemporaryDirectory(prefix="chromium-profile-") as profile:
        result = subprocess.run(
            [chromium(), *FLAGS, f"--user-data-dir={profile}", *arguments],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    if result.returncode != 0:
        raise RuntimeError(f"chromium failed ({result.returncode}): {result.stderr[-2000:]}")
    return result.stdout


def dump_dom(page: Path) -> str:
    """The page's DOM after chromium loaded and laid it out, serialised."""
    return _run(["--dump-dom", page.resolve().as_uri()])


def screenshot(page: Path, png: Path, width: int = 1400, height: int = 2400) -> Path:
    """A PNG of the page as chromium draws it."""
    _run([f"--screenshot={png}", f"--window-size={width},{height}", page.resolve().as_uri()])
    return png
