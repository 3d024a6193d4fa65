"""Who is crawling: the crawl's id and this process's writer id, settled once when a crawl starts.

Unlike the configs, this reads the clock, the host name and the process id, and a resumable
crawl reads (and on its first run writes) the crawl id kept in its JOBDIR.
"""

from __future__ import annotations

import json
import os
import re
import socket
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from crawler.config import ConfigError
from crawler.locks import LockHeld, hold_lock
from pipelines.archive.config import CRAWL_ID, ArchiveConfig

RESUME_FILE = "newsarchive.json"  # in JOBDIR: the crawl id a resumed crawl continues
JOBDIR_LOCK = "newsarchive.lock"  # in JOBDIR: flock'd by the one process running its crawl

_held: dict[Path, int] = {}  # JOBDIRs this process holds: their lock file descriptors


class JobdirInUseError(ConfigError):
    """Another live process runs the crawl of this JOBDIR."""


@dataclass(frozen=True, slots=True)
class CrawlIdentity:
    crawl_id: str
    seedset: str
    writer_id: str  # "{host}-{pid}": tells apart the processes writing one crawl
    started_at: datetime

    @property
    def host(self) -> str:
        return self.writer_id.rpartition("-")[0]


def utc_stamp(moment: datetime | None = None) -> str:
    """14-digit UTC timestamp, the form WARC file names and crawl ids use."""
    return (moment or datetime.now(UTC)).strftime("%Y%m%d%H%M%S")


def new_crawl_id(seedset: str, moment: datetime | None = None) -> str:
    return f"{seedset}-{utc_stamp(moment)}"


def host_name() -> str:
    """This machine's name as file names carry it: letters, digits, '.' and '-' only."""
    return re.sub(r"[^A-Za-z0-9.-]", "-", socket.gethostname()) or "host"


def writer_id() -> str:
    return f"{host_name()}-{os.getpid()}"


def identify(
    config: ArchiveConfig,
    jobdir: Path | None = None,
    shared: Callable[[str], str] | None = None,
) -> CrawlIdentity:
    """The identity of the crawl starting now: CRAWL_ID, else the id a resumed crawl kept in
    ``jobdir``, else the id of the shared crawl in progress (``shared``, with REDIS_URL: it maps
    a new id to the one the first process set), else a new ``{seedset}-{UTC timestamp}`` (kept
    in ``jobdir`` when there is one)."""
    now = datetime.now(UTC)
    crawl_id = config.crawl_id or new_crawl_id(config.seedset, now)
    if shared is not None and config.crawl_id is None:
        crawl_id = shared(crawl_id)
    if jobdir is not None:
        crawl_id = kept_crawl_id(jobdir, crawl_id, explicit=config.crawl_id is not None)
    return CrawlIdentity(crawl_id, config.seedset, writer_id(), now)


def kept_crawl_id(jobdir: Path, proposed: str, *, explicit: bool) -> str:
    """The crawl id kept in ``jobdir``; on a first run ``proposed``, kept there from now on.
    An explicit CRAWL_ID must match the kept one."""
    path = jobdir / RESUME_FILE
    stored = stored_crawl_id(jobdir)
    if stored is None:
        jobdir.mkdir(parents=True, exist_ok=True)
        temp = path.with_name(f".{RESUME_FILE}.{os.getpid()}.tmp")
        with open(temp, "w", encoding="utf-8") as out:
            out.write(json.dumps({"crawl_id": proposed}) + "\n")
            out.flush()
            os.fsync(out.fileno())
        try:
            os.link(temp, path)  # atomic, and never over another process's id
        except FileExistsError:
            pass
        finally:
            os.unlink(temp)
        stored = stored_crawl_id(jobdir)
    if stored is None:
        return proposed
    check_crawl_id(jobdir, stored, proposed if explicit else None)
    return stored


def check_crawl_id(jobdir: Path, stored: str, explicit: str | None) -> None:
    if explicit is not None and stored != explicit:
        raise ConfigError(
            f"setting CRAWL_ID: {explicit!r}, but JOBDIR {str(jobdir)!r} belongs to crawl "
            f"{stored!r}: resume that crawl, or give another JOBDIR"
        )


def stored_crawl_id(jobdir: Path) -> str | None:
    """The crawl id kept in ``jobdir``, None before its first run (reads, never writes)."""
    path = jobdir / RESUME_FILE
    try:
        crawl_id = json.loads(path.read_text("utf-8"))["crawl_id"]
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ConfigError(f"setting JOBDIR: {str(path)!r} cannot be read ({exc})") from exc
    if not isinstance(crawl_id, str) or not CRAWL_ID.fullmatch(crawl_id):
        raise ConfigError(f"setting JOBDIR: {str(path)!r} holds no valid crawl id")
    return crawl_id


def hold_jobdir(jobdir: Path) -> None:
    """Take ``jobdir`` for this process, for the rest of its life (the kernel lets go when it
    dies), or raise :class:`JobdirInUseError` naming the process that holds it. Taking it
    again in the same process is a no-op: the command takes it first, the crawl again."""
    key = jobdir.resolve()
    if key in _held:
        return
    jobdir.mkdir(parents=True, exist_ok=True)
    try:
        fd = hold_lock(jobdir / JOBDIR_LOCK)
    except LockHeld as held:
        raise JobdirInUseError(
            f"JOBDIR {str(jobdir)!r} is in use by another crawl (pid {held.holder}): wait for it "
            "to end, or stop it, before running this crawl again"
        ) from None
    _held[key] = fd
