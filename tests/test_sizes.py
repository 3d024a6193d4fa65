"""No module over 300 lines and no function over 50, anywhere in the project's Python.

Small units are what keeps each package readable on its own; a limit that is checked is one that
does not drift. Each failure names every offender, so one run shows all there is to split.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHECKED = ("commands", "crawler", "pipelines", "settings", "benchmarks", "scripts", "tests")
MAX_MODULE_LINES = 300
MAX_FUNCTION_LINES = 50


def modules() -> Iterator[Path]:
    for top in CHECKED:
        yield from sorted((ROOT / top).rglob("*.py"))


def function_lengths(path: Path) -> Iterator[tuple[str, int, int]]:
    """(name, first line, length) of every function and method, nested ones included."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            # From `def` to the last line of the body; decorators do not count.
            end = node.end_lineno if node.end_lineno is not None else node.lineno
            yield node.name, node.lineno, end - node.lineno + 1


def test_the_checked_packages_exist() -> None:
    # A renamed or moved package would otherwise drop out of the checks below without a sound.
    missing = [top for top in CHECKED if not (ROOT / top).is_dir()]
    assert not missing, f"no such directory to check: {missing}"


def test_no_module_is_over_the_limit() -> None:
    too_long = []
    for path in modules():
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines > MAX_MODULE_LINES:
            too_long.append(f"{path.relative_to(ROOT)}: {lines} lines")
    assert not too_long, f"modules over {MAX_MODULE_LINES} lines:\n" + "\n".join(too_long)


def test_no_function_is_over_the_limit() -> None:
    too_long = []
    for path in modules():
        for name, line, length in function_lengths(path):
            if length > MAX_FUNCTION_LINES:
                too_long.append(f"{path.relative_to(ROOT)}:{line} {name}(): {length} lines")
    assert not too_long, f"functions over {MAX_FUNCTION_LINES} lines:\n" + "\n".join(too_long)
