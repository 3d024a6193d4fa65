"""The same bytes give the same record in any process and in any order (issue 13).

Every news-dev page is extracted twice in this process (in corpus order, then in reverse, so
lxml proxies and caches are in another state) and once in a fresh interpreter with another
hash seed; the records must be identical, field for field.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys

import pytest

from benchmarks.eval_extract import NEWS_DEV, ROOT, Case, load
from pipelines.extract.core import extract

_CHILD = """
import hashlib, json, sys
from benchmarks.eval_extract import load
from pipelines.extract.core import extract
out = {}
for case in reversed(load()):
    result = extract(case.html.encode("utf-8"), case.url, case.headers)
    data = json.dumps(result and result.to_dict(), sort_keys=True, ensure_ascii=False)
    out[case.case] = hashlib.sha256(data.encode()).hexdigest()
json.dump(out, sys.stdout)
"""


def digests(cases: list[Case]) -> dict[str, str]:
    out = {}
    for case in cases:
        result = extract(case.html.encode("utf-8"), case.url, case.headers)
        data = json.dumps(result and result.to_dict(), sort_keys=True, ensure_ascii=False)
        out[case.case] = hashlib.sha256(data.encode()).hexdigest()
    return out


@pytest.fixture(scope="module")
def cases() -> list[Case]:
    assert (NEWS_DEV / "index.json").is_file(), f"the news-dev corpus is missing: {NEWS_DEV}"
    return load()


def test_extraction_is_the_same_in_any_order_and_process(cases: list[Case]) -> None:
    first = digests(cases)
    again = digests(cases[::-1])
    assert {case for case in first if first[case] != again[case]} == set()
    env = {**os.environ, "PYTHONHASHSEED": "4242", "PYTHONPATH": str(ROOT)}
    child = subprocess.run(
        [sys.executable, "-c", _CHILD], cwd=ROOT, env=env, capture_output=True, check=True
    )
    fresh = json.loads(child.stdout)
    assert {case for case in first if first[case] != fresh[case]} == set()
