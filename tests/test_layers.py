"""The import contracts in pyproject.toml ([tool.importlinter]) hold, and they do catch breaches.

`make lint` runs `lint-imports` as well; this test puts the same check in the pytest run, so
`make test` (and a bare `pytest`) fails on an upward import or an import cycle.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The console script lives beside the interpreter running the tests (the project's virtualenv).
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def lint_imports(cwd: Path) -> subprocess.CompletedProcess[str]:
    # --no-cache: the graph of this project builds in well under a second, and a cache directory
    # would be one more untracked thing in every checkout and temporary tree.
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--no-logo"],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_import_contracts_are_kept() -> None:
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


def write_package(root: Path, module: str, source: str = "") -> None:
    """Writes `module` (dotted) as a file under `root`, with an __init__.py in every package."""
    parts = module.split(".")
    for depth in range(1, len(parts)):
        init = root.joinpath(*parts[:depth], "__init__.py")
        init.parent.mkdir(parents=True, exist_ok=True)
        init.touch()
    root.joinpath(*parts[:-1], parts[-1] + ".py").write_text(source)


def test_the_contracts_fail_on_an_upward_import_and_on_a_cycle(tmp_path: Path) -> None:
    # A toy tree with one breach of each kind, checked against the project's own contracts: a
    # check that passes because it cannot see anything would be worse than none.
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    write_package(tmp_path, "commands.__init__")
    write_package(tmp_path, "crawler.spider", "import pipelines.warc.writer\n")
    write_package(tmp_path, "settings.base", "import crawler.spider\n")
    write_package(tmp_path, "pipelines.warc.writer", "import pipelines.archive.spool\n")
    write_package(tmp_path, "pipelines.archive.spool", "import pipelines.warc.writer\n")

    result = lint_imports(tmp_path)

    assert result.returncode == 1, result.stdout + result.stderr
    assert "crawler is not allowed to import pipelines" in result.stdout
    assert "settings is not allowed to import crawler" in result.stdout
    assert "No cycles are allowed in pipelines." in result.stdout
