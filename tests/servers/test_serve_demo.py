"""`make serve-demo` serves the demo site alone, on 127.0.0.1, until it is stopped, and says how
to crawl it."""

from __future__ import annotations

import os
import signal
import subprocess
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_make_serve_demo_serves_the_site_until_stopped() -> None:
    server = subprocess.Popen(
        # -o: the virtualenv is there; do not reinstall it because pyproject.toml is newer
        ["make", "-s", "-o", ".venv/.installed", "serve-demo", "DEMO_PORT=0"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
        start_new_session=True,  # make and the server: one process group, stopped together
    )
    try:
        assert server.stdout is not None
        hint = server.stdout.readline()
        ready = server.stdout.readline()
        assert ready.startswith("READY http://127.0.0.1:"), hint + ready
        url = ready.split()[1]
        with urllib.request.urlopen(url + "/", timeout=30) as front:
            page = front.read().decode()
        with urllib.request.urlopen(url + "/feed/", timeout=30) as feed:
            assert feed.status == 200 and url.encode() in feed.read()  # links point at it
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        if server.stdout is not None:
            server.stdout.close()
    assert "crawl it: NEWSARCHIVE_DEMO_URL=" in hint and "seeds/demo.toml" in hint
    assert "<article" in page or "<a " in page
