"""`scrapy state rebuild ARCHIVE_URI --seeds seeds/x.toml`: the seed set's crawl state, made again
from the archive alone.

The archive is the truth; the state (``crawler.state``) is what the runs learnt from it, kept
close at hand. When the state file is lost or corrupt, or a crawl moves to a fresh machine,
this reads every crawl of the seed set in the archive (the crawls whose manifest names the seed
set, and those whose WARC files are stored under its ``{seed set}-{timestamp}`` ids without a
manifest yet) and folds what they hold into the state (``pipelines.tools.statefold``): the WARC
records' HTTP heads and places, the article metadata records, the clean records. The latest
fetch of a URL wins, whatever crawl holds it.

The new state is written through the SQLite backend into a file of its own, then put in place
while the seed set's lock is held, so that a run of the seed set is never given half a state,
and a rebuild during a run is refused. The file it replaces is kept as ``{name}.sqlite.old``.
With the Redis backend (STATE_BACKEND, by default with REDIS_URL) the same is done with Redis
keys (``crawler.state.redis_rebuild.replace_state``): refused while a crawl of the seed set is
in progress.
"""

from __future__ import annotations

import contextlib
import gzip
import json
import os
import re
import zlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from scrapy.settings import BaseSettings
from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from crawler.seeds import SeedSet
from crawler.state.base import StateError, UrlState
from crawler.state.redis_rebuild import replace_state as replace_redis_state
from crawler.state.sqlite import LOCK_SUFFIX, SqliteState, hold, state_path
from pipelines.storage import ObjectMissingError, Store, StoreError
from pipelines.tools.statefold import Observed, fold, metadata_of
from pipelines.warc import metadata as warcmeta
from pipelines.warc.reader import warc_keys

SIDE_FILES = ("-wal", "-shm", "-journal")  # SQLite's own files next to a database


class RebuildError(Exception):
    """The state cannot be rebuilt (no crawl of the seed set in the archive)."""


@dataclass(frozen=True, slots=True)
class Rebuilt:
    path: Path
    crawls: tuple[str, ...]
    kinds: dict[str, int]  # URLs by kind

    @property
    def urls(self) -> int:
        return sum(self.kinds.values())


def rebuild(
    store: Store,
    seedset: SeedSet,
    state_dir: Path,
    redis_url: str | None = None,
    settings: BaseSettings | None = None,
) -> Rebuilt:
    """With `redis_url` (STATE_BACKEND "redis"), into the seed set's keys in that Redis
    (``crawler.state.redis_rebuild.replace_state``; `path` is then their description), else its
    file."""
    crawls = seedset_crawls(store, seedset.name)
    if not crawls:
        raise RebuildError(f"{store.uri} holds no crawl of seed set {seedset.name!r}")
    states = fold(observe(store, crawls), seedset, settings)
    if redis_url:
        path = Path(replace_redis_state(redis_url, seedset.name, states))
    else:
        path = state_path(state_dir, seedset.name)
        replace_state(path, states)
    return Rebuilt(path, tuple(crawls), dict(Counter(state.kind for state in states)))


def seedset_crawls(store: Store, name: str) -> list[str]:
    """The crawls of the seed set in the archive, by their manifests and their WARC folders."""
    crawls = set()
    for key in store.list("manifests/"):
        if key.endswith(".json"):
            with (
                contextlib.suppress(ObjectMissingError, ValueError, AttributeError),
                store.get(key) as stream,
            ):
                if json.load(stream).get("seedset") == name:
                    crawls.add(key.removeprefix("manifests/").removesuffix(".json"))
    own_id = re.compile(rf"{re.escape(name)}-\d{{14}}")
    for key in store.list("warc/"):
        crawl = key.split("/")[1]
        if own_id.fullmatch(crawl):
            crawls.add(crawl)
    return sorted(crawls)


def observe(store: Store, crawls: list[str]) -> Observed:
    """Read the crawls' WARC files and clean records."""
    observed = Observed()
    for crawl in crawls:
        described: list[tuple[str, bytes]] = []
        for key in warc_keys(store, crawl):
            with _reading(store, key):
                _read_warc(store, key, crawl, observed, described)
        observed.articles.update(metadata_of(described))
        for key in sorted(store.list(f"records/{crawl}/")):
            if key.endswith(".jsonl.gz"):
                with (
                    _reading(store, key),
                    store.get(key) as raw,
                    gzip.open(raw, "rt", encoding="utf-8") as lines,
                ):
                    for line in lines:
                        observed.add_record(json.loads(line))
    return observed


@contextlib.contextmanager
def _reading(store: Store, key: str) -> Iterator[None]:
    """A damaged or unreadable object stops the rebuild, naming it: a state built without it
    would number article versions again from 1, or refer revisits to a lost capture."""
    try:
        yield
    except (
        StoreError,
        OSError,
        EOFError,
        ValueError,
        KeyError,
        TypeError,
        zlib.error,
        ArchiveLoadFailed,
    ) as exc:
        raise RebuildError(
            f"{store.uri}{key} cannot be read ({type(exc).__name__}: {exc}); nothing was "
            "written: `scrapy verify` shows what is damaged"
        ) from exc


def _read_warc(
    store: Store, key: str, crawl: str, observed: Observed, described: list[tuple[str, bytes]]
) -> None:
    filename = key.rpartition("/")[2]
    with store.get(key) as stream:
        iterator = ArchiveIterator(stream)
        for record in iterator:
            headers = record.rec_headers
            if record.rec_type == "metadata":
                concurrent = headers.get_header("WARC-Concurrent-To")
                if concurrent and headers.get_header("Content-Type") == warcmeta.CONTENT_TYPE:
                    described.append((concurrent, record.raw_stream.read()))
            elif record.rec_type == "request":
                observed.add_request(record)
            elif record.rec_type == "response":
                observed.add_payload(record)  # a feed's or sitemap's, for its listings
            iterator.read_to_end(record)
            if record.rec_type in ("response", "revisit"):
                where = (iterator.get_record_offset(), iterator.get_record_length())
                observed.add_fetch(record, crawl, filename, where)


def replace_state(path: Path, states: list[UrlState]) -> None:
    """Write the states to a new file, then put it in place of the seed set's state while
    holding its lock (StateError if a run holds it)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fresh = path.with_name(path.name + ".rebuild")
    lock = hold(path.with_name(path.name + LOCK_SUFFIX), path, wait=False)
    try:
        _remove(fresh)
        state = SqliteState.open(fresh)
        try:
            for url_state in states:
                state.put(url_state)
        finally:
            state.close()
        if any(fresh.with_name(fresh.name + side).exists() for side in SIDE_FILES):
            raise StateError(f"{fresh}: SQLite left its log behind; the old state is kept")
        old = path.with_name(path.name + ".old")
        _remove(old)
        for name in ("", *SIDE_FILES):  # the old state, and its log with it, kept aside
            with contextlib.suppress(FileNotFoundError):
                os.replace(path.with_name(path.name + name), old.with_name(old.name + name))
        os.replace(fresh, path)
    finally:
        os.close(lock)
        with contextlib.suppress(FileNotFoundError):
            os.unlink(fresh.with_name(fresh.name + LOCK_SUFFIX))


def _remove(path: Path) -> None:
    for name in ("", *SIDE_FILES):
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path.with_name(path.name + name))
