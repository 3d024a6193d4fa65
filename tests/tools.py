"""The web-archiving tools the tests check our output with, from their own virtualenv.

pywb and py-wacz pin versions that clash with the project's (pywb: brotlipy, which replaces the
`brotli` module Scrapy decodes with, an older pyOpenSSL and an exact Werkzeug), so `make tools`
(run by `make test`) installs them into `.venv-tools/`, and the tests run their command-line
programs from there: `wayback`, `wb-manager`, `wacz` and `cdxj-indexer`.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
TOOLS_BIN = REPO_ROOT / ".venv-tools" / "bin"


def tool(name: str) -> str:
    path = TOOLS_BIN / name
    assert path.exists(), f"{path} is missing: run `make tools` (`make test` does) first"
    return str(path)


def run_tool(name: str, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [tool(name), *args], cwd=cwd, capture_output=True, text=True, check=False, timeout=300
    )
