"""`scrapy state rebuild`: the crawl state made from the archive alone equals, field by field,
the state the live runs kept; a run after the state file was lost continues incrementally from
the rebuilt one; a rebuild while a run holds the state is refused."""

from __future__ import annotations

import dataclasses
import io
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from crawler.state.base import UrlState
from crawler.state.sqlite import SqliteState, state_path
from pipelines.storage import LocalStore
from pipelines.tools.verify import verify
from tests.incremental_site import (
    ADDED_SENTENCE,
    IRIS,
    NATO,
    NATO_HEADLINE,
    STOLTENBERG,
    Recrawls,
    copy_site,
    edit,
    seeds,
)
from tests.pipelines.tools.test_wacz import validate, wacz
from tests.servers.http import HttpServer

ROOT = Path(__file__).resolve().parents[2]
SEEDSET = "incremental"
# Each article's date in the feed and in the news sitemap (they agree), as the state keeps it
# whichever reached the article first (crawler.state.tracker: a race in a real crawl).
LISTED = {
    NATO: "2022-10-14T07:50:00+00:00",
    IRIS: "2022-10-13T10:30:00+00:00",
    STOLTENBERG: "2022-10-12T14:20:00+00:00",
    "/2022/10/12/nato-increase-arms-production-ukraine/": "2022-10-12T08:45:00+00:00",
    "/2022/10/11/otan-ejercicios-armas-nucleares/": "2022-10-11T17:05:00+00:00",
}


def rebuild(archive: Path, seed_file: Path, state_dir: Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "scrapy", "state", "rebuild", str(archive)]
    command += ["--seeds", str(seed_file), "-s", f"STATE_DIR={state_dir}"]
    return subprocess.run(
        command,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "SCRAPY_SETTINGS_MODULE": "settings.base"},
    )


def states(state_dir: Path) -> dict[str, UrlState]:
    state = SqliteState.open(state_path(state_dir, SEEDSET))
    try:
        return {s.url: s for s in state.states()}
    finally:
        state.close()


def differences(live: dict[str, UrlState], rebuilt: dict[str, UrlState]) -> list[str]:
    """Every field that differs, one line each, so that a failure says what the fold missed."""
    lines = [f"{url}: only in the live state" for url in sorted(set(live) - set(rebuilt))]
    lines += [f"{url}: only in the rebuilt state" for url in sorted(set(rebuilt) - set(live))]
    for url in sorted(set(live) & set(rebuilt)):
        ours: dict[str, Any] = dataclasses.asdict(rebuilt[url])
        for name, value in dataclasses.asdict(live[url]).items():
            if ours[name] != value:
                lines.append(f"{url}: {name}: live {value!r}, rebuilt {ours[name]!r}")
    return lines


@pytest.fixture(scope="module")
def recrawls(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Recrawls]:
    """Three runs: everything; nothing changed (304s); one text and one headline changed."""
    tmp = tmp_path_factory.mktemp("rebuild")
    site = copy_site(tmp / "site")
    with HttpServer(site, validators=True) as server:
        seed_file = seeds(tmp / "seeds.toml", server.base_url, '[recrawl]\nsteps = ["0s"]\n')
        crawls = Recrawls(tmp, server, seed_file)
        crawls.run()
        crawls.run()
        edit(site, IRIS, "follow next year.", f"follow next year. {ADDED_SENTENCE}")
        edit(site, NATO, NATO_HEADLINE, "NATO triples its naval presence in the Baltic")
        crawls.run()
        yield crawls


def test_the_rebuilt_state_equals_the_live_one(recrawls: Recrawls) -> None:
    result = rebuild(recrawls.archive, recrawls.seeds, recrawls.tmp / "rebuilt")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "from 3 crawl(s)" in result.stdout
    live, rebuilt = states(recrawls.tmp / "state"), states(recrawls.tmp / "rebuilt")
    assert live and differences(live, rebuilt) == []
    versions = {s.url.removeprefix(recrawls.site.base_url): s.article for s in live.values()}
    assert versions[IRIS] is not None and versions[IRIS].version == 2  # the fold saw version 2
    listed = {s.url.removeprefix(recrawls.site.base_url): s.listed for s in live.values()}
    assert {path: listed[path] for path in LISTED} == LISTED  # the feed's and sitemap's date
    assert listed["/"] is None and listed["/category/world/"] is None  # listed nowhere


def test_a_lost_state_is_rebuilt_and_the_next_run_is_incremental(recrawls: Recrawls) -> None:
    state_file = state_path(recrawls.tmp / "state", SEEDSET)
    state_file.write_bytes(state_file.read_bytes()[:1000])  # torn mid-page: the crawl refuses
    result = rebuild(recrawls.archive, recrawls.seeds, recrawls.tmp / "state")
    assert result.returncode == 0, result.stdout + result.stderr
    assert state_file.with_name(state_file.name + ".old").exists()  # the torn file, kept aside
    fourth = recrawls.run()
    assert fourth.records == []  # nothing changed since run 3: no new version
    assert fourth.stats.get("state/new", 0) == 0
    assert fourth.of_type("revisit") and not [
        r for r in fourth.of_type("response") if r.uri.endswith((IRIS, NATO))
    ]


def test_a_rebuild_during_a_run_is_refused(recrawls: Recrawls) -> None:
    held = SqliteState.open(state_path(recrawls.tmp / "state", SEEDSET))  # as a run holds it
    try:
        result = rebuild(recrawls.archive, recrawls.seeds, recrawls.tmp / "state")
    finally:
        held.close()
    assert result.returncode == 2
    assert "is in use by another run of this seed set" in result.stderr


def test_an_archive_without_the_seed_set_is_an_error(recrawls: Recrawls, tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    result = rebuild(tmp_path / "empty", recrawls.seeds, tmp_path / "state")
    assert result.returncode == 2
    assert "holds no crawl of seed set 'incremental'" in result.stderr
    assert not (tmp_path / "state").exists()


def test_verify_finds_every_revisit_target_of_the_runs(recrawls: Recrawls) -> None:
    out = io.StringIO()
    report = verify(LocalStore(recrawls.archive), recrawls.runs[1].crawl_id, out)
    lines = out.getvalue().splitlines()
    assert not report.failed, "\n".join(lines)
    revisits = len(recrawls.runs[1].of_type("revisit"))
    found = [
        re.search(r"  (\d+) revisit\(s\), each target found \((\d+) in other", line)
        for line in lines
    ]
    counts = [(int(m[1]), int(m[2])) for m in found if m is not None]
    assert sum(n for n, _ in counts) == revisits > 0
    assert all(n == elsewhere for n, elsewhere in counts)  # every target is in run 1


def test_the_wacz_of_run_2_holds_run_1s_originals(recrawls: Recrawls, tmp_path: Path) -> None:
    output = tmp_path / "run2.wacz"
    result = wacz(recrawls.archive, recrawls.runs[1].crawl_id, output)
    assert result.returncode == 0, result.stdout + result.stderr
    revisits = len(recrawls.runs[1].of_type("revisit"))
    assert f"{revisits} record(s) of earlier crawls" in result.stdout
    checked = validate(output)
    assert checked.returncode == 0, checked.stdout + checked.stderr
