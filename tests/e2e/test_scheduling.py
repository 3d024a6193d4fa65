"""The cron line and the systemd units in deploy/, run as written (paths moved to a temporary
folder, tests/e2e/scheduling.py): each crawls the fixture site with the production settings, from
a folder outside the repository, in about the environment cron or systemd gives, and leaves its
log where the file says and an archive that verifies. `systemd-analyze verify` checks the units.
"""

from __future__ import annotations

import configparser
import fcntl
import shlex
import shutil
import subprocess
from pathlib import Path

from tests.e2e.scheduling import DEPLOY, PRODUCTION_SIGNS, ROOT, Operator, minimal_env, verify
from tests.servers.http import HttpServer

INSTANCE = "fixture-news"


def cron_job(operator: Operator) -> tuple[dict[str, str], str, str]:
    """The cron file's variables, and its one job's user and command (paths moved)."""
    env: dict[str, str] = {}
    jobs = []
    for line in operator.moved((DEPLOY / "cron" / "newsarchive").read_text()).splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        name, equals, value = line.partition("=")
        if equals and " " not in name:
            env[name] = value
        else:
            jobs.append(line.split(None, 6))  # minute hour day month weekday user command
    assert len(jobs) == 1, jobs
    return env, jobs[0][5], jobs[0][6]


def test_the_cron_line_crawls_with_the_production_settings(tmp_path: Path) -> None:
    operator = Operator(tmp_path).lay_out("nato-air-defense")  # the seed set the line names
    env, user, command = cron_job(operator)

    with HttpServer() as site:
        result = subprocess.run(
            [env["SHELL"], "-c", command],
            env=minimal_env(PATH=env["PATH"], NEWSARCHIVE_DEMO_URL=site.base_url),
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )

    log = (operator.var / "log" / "crawl.log").read_text()
    assert result.returncode == 0, log[-3000:]
    assert user == "newsarchive"
    assert (result.stdout, result.stderr) == ("", "")  # all of it in the log file
    for sign in PRODUCTION_SIGNS:
        assert sign in log, log[-3000:]
    assert len(list((operator.archive / "manifests").glob("nato-air-defense-*.json"))) == 1
    verified = verify(operator.archive)
    assert verified.returncode == 0, verified.stdout + verified.stderr


def test_the_cron_line_skips_a_run_while_the_last_one_crawls(tmp_path: Path) -> None:
    operator = Operator(tmp_path).lay_out("nato-air-defense")
    env, _, command = cron_job(operator)
    lock = operator.var / "lib" / "crawl.lock"
    assert str(lock) in command

    with lock.open("w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        result = subprocess.run(
            [env["SHELL"], "-c", command], env=minimal_env(PATH=env["PATH"]), timeout=60
        )

    assert result.returncode == 1  # flock -n: not run
    assert not operator.archive.exists()
    # the shell ran the line (it opened the log for the command) and flock ran nothing in it
    log = operator.var / "log" / "crawl.log"
    assert str(log) in command and log.exists() and log.read_text() == ""


def unit(path: Path, operator: Operator) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # systemd keys keep case
    parser.read_string(operator.moved(path.read_text()).replace("%i", INSTANCE))
    return parser


def test_the_systemd_units_pass_systemd_analyze(tmp_path: Path) -> None:
    operator = Operator(tmp_path).lay_out(INSTANCE)
    units = tmp_path / "units"
    units.mkdir()
    for kind in ("service", "timer"):
        text = (DEPLOY / "systemd" / f"newsarchive@.{kind}").read_text()
        (units / f"newsarchive@{INSTANCE}.{kind}").write_text(operator.moved(text))
    analyze = shutil.which("systemd-analyze")
    assert analyze is not None, "systemd-analyze (Debian's systemd package) is needed"

    result = subprocess.run(
        [analyze, "verify", *sorted(str(path) for path in units.iterdir())],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert (result.returncode, result.stderr) == (0, ""), result.stderr
    service = unit(DEPLOY / "systemd" / "newsarchive@.service", operator)["Service"]
    assert service["KillMode"] == "mixed"  # SIGTERM to the crawl; its workers go with it


def test_the_systemd_service_crawls_with_the_production_settings(tmp_path: Path) -> None:
    operator = Operator(tmp_path).lay_out(INSTANCE)
    service = unit(DEPLOY / "systemd" / "newsarchive@.service", operator)["Service"]
    environment_file = Path(service["EnvironmentFile"].removeprefix("-"))

    with HttpServer() as site:
        environment_file.write_text(f"NEWSARCHIVE_DEMO_URL={site.base_url}\n")
        result = subprocess.run(
            shlex.split(service["ExecStart"]),
            cwd=service["WorkingDirectory"],
            env=minimal_env(**environment(environment_file)),
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )

    journal = result.stdout + result.stderr  # what the journal would hold
    assert result.returncode == 0, journal[-3000:]
    assert Path(service["WorkingDirectory"]) == operator.home != ROOT
    for sign in PRODUCTION_SIGNS:
        assert sign in journal, journal[-3000:]
    assert len(list((operator.archive / "manifests").glob(f"{INSTANCE}-*.json"))) == 1
    verified = verify(operator.archive)
    assert verified.returncode == 0, verified.stdout + verified.stderr


def environment(path: Path) -> dict[str, str]:
    """The variables of a systemd EnvironmentFile (NAME=value lines)."""
    pairs = (line.split("=", 1) for line in path.read_text().splitlines() if "=" in line)
    return {name.strip(): value.strip() for name, value in pairs}
