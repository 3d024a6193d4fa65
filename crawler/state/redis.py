"""The shared crawl state: one seed set's state in Redis, for the processes of a shared crawl.

With ``REDIS_URL`` (or ``STATE_BACKEND = "redis"``) every process of a shared crawl
(``crawler.frontier``) reads and writes one state, under the seed set's keys
``newsarchive:{seed set}:state:*`` next to the frontier's, and kept after the crawl (the
frontier's keys are deleted by its last process; the state is for the next run):

- ``state:urls``, a hash: URL -> ``UrlState.to_json()``, one value per URL as in SQLite's rows;
- ``state:due``, a sorted set of the articles and pages that have a ``next_due``, scored by it
  (seconds since the epoch): ``due(now)`` is one ``ZRANGEBYSCORE``, ties in URL order.

A ``put`` writes both in one ``MULTI`` transaction (idempotent, so retried safely after a
connection lost mid-way), replacing the URL's value whole: of two processes updating one URL at
once, the last ``put`` wins, which the frontier makes rare (one process fetches a URL).

No lock: the processes of one crawl share the state by design, and two crawls of one seed set
cannot run at once, because a process that starts while the seed set's crawl key
(``newsarchive:{seed set}:crawl``) is set joins that crawl (its id, its frontier) instead of
starting another. ``scrapy state rebuild`` writes into fresh keys and renames them into place
in a transaction that fails if a crawl starts meanwhile; it is refused while a crawl is in
progress.

Redis not answering: an operation is retried, the process waiting (its crawl cannot go on
without the state; the frontier is waiting too), for up to ``STATE_REDIS_WAIT`` seconds, shorter
than the frontier's lease TTL so that no other process takes this one's requests meanwhile.
Then a ``put`` fails as a failed write of the SQLite state does (``ReportedWrites``: the crawl
stops with one line, and ``scrapy state rebuild`` catches up), and a ``get`` raises StateError.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from functools import partial
from typing import Any, TypeVar
from urllib.parse import urlsplit

import redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError
from redis.exceptions import TimeoutError as RedisTimeoutError

from crawler.frontier.keys import PREFIX, FrontierKeys
from crawler.state.base import StateError, UrlState

logger = logging.getLogger(__name__)

SCHEDULED = ("article", "page")  # the kinds ``due`` gives (as the SQLite backend's)
BATCH = 500  # URLs read with one HMGET
UNREACHABLE = (RedisConnectionError, RedisTimeoutError)
# Seconds one call of a crawl waits for an answer before it counts as unanswered and is tried
# again (until STATE_REDIS_WAIT): a Redis that accepts and never answers then holds the reactor
# for STATE_REDIS_WAIT plus this at most, under FRONTIER_LEASE_TTL (30), so the process's leases
# are not taken from it meanwhile. `state rebuild` allows its large writes longer.
CALL_TIMEOUT = 5.0
REBUILD_TIMEOUT = 30.0
T = TypeVar("T")


def state_key(seedset: str, name: str) -> str:
    """One seed set's state keys, next to its frontier's (the same prefix)."""
    return f"{PREFIX}:{seedset}:state:{name}"


def crawl_key(seedset: str) -> str:
    """The frontier's key of the crawl in progress: set while one is."""
    return FrontierKeys(seedset).crawl


def where(url: str) -> str:
    """The Redis server of `url`, without its password (a URL may carry one; logs must not)."""
    parts = urlsplit(url)
    if parts.scheme == "unix":
        return f"unix:{parts.path}"
    db = parts.path.strip("/") or "0"
    return f"{parts.hostname or '127.0.0.1'}:{parts.port or 6379} db {db}"


class RedisState:
    """The ``CrawlState`` of one seed set in Redis, shared by the processes of its crawl."""

    def __init__(self, client: redis.Redis, url: str, seedset: str, wait: float) -> None:
        self.client = client
        self.seedset = seedset
        self.urls = state_key(seedset, "urls")
        self.due_key = state_key(seedset, "due")
        self.wait = wait
        self._location = f"Redis at {where(url)}, keys {state_key(seedset, '*')}"
        self._unreachable = False

    @classmethod
    def open(
        cls, url: str, seedset: str, *, wait: float = 20.0, timeout: float = CALL_TIMEOUT
    ) -> RedisState:
        """The seed set's state in the Redis at `url`; StateError if it does not answer."""
        try:
            client = redis.Redis.from_url(url, socket_connect_timeout=5, socket_timeout=timeout)
            state = cls(client, url, seedset, wait)
            client.ping()
        except (RedisError, ValueError) as exc:
            raise StateError(
                f"crawl state: Redis at {where(url) if '://' in url else url!r} does not "
                f"answer ({exc}): check REDIS_URL"
            ) from None
        return state

    @property
    def location(self) -> str:
        return self._location

    def get(self, url: str) -> UrlState | None:
        text = self._call(lambda: self.client.hget(self.urls, url), f"reading {url}")
        return None if text is None else self._load(url, text)

    def put(self, state: UrlState) -> None:
        self._call(lambda: self._write(state), f"writing {state.url}")

    def _write(self, state: UrlState) -> None:
        with self.client.pipeline(transaction=True) as pipe:
            pipe.hset(self.urls, state.url, state.to_json())
            write_due(pipe, self.due_key, state)
            pipe.execute()

    def due(self, now: datetime) -> Iterator[UrlState]:
        found: list[Any] = self._call(
            lambda: self.client.zrangebyscore(self.due_key, "-inf", score(now)), "reading due"
        )
        urls = [text_of(url) for url in found]
        return (state for state in self._many(urls) if state.is_due(now))

    def states(self) -> Iterator[UrlState]:
        keys: list[Any] = self._call(lambda: self.client.hkeys(self.urls), "reading states")
        return self._many(sorted(text_of(key) for key in keys))

    def close(self) -> None:
        self.client.close()

    def _many(self, urls: list[str]) -> Iterator[UrlState]:
        for start in range(0, len(urls), BATCH):
            chunk = urls[start : start + BATCH]
            texts: list[Any] = self._call(partial(self.client.hmget, self.urls, chunk), "reading")
            for url, text in zip(chunk, texts, strict=True):
                if text is not None:  # replaced by a rebuild since: gone
                    yield self._load(url, text)

    def _call(self, operation: Callable[[], T], what: str) -> T:
        """`operation`, retried while Redis does not answer, for up to ``wait`` seconds."""
        deadline = time.monotonic() + self.wait
        pause = 0.05
        while True:
            try:
                result = operation()
            except UNREACHABLE as exc:
                if time.monotonic() >= deadline:
                    self._unreachable = False
                    raise StateError(
                        f"crawl state: {self.location} does not answer ({exc}) after "
                        f"{self.wait:g} s (STATE_REDIS_WAIT), {what}; the crawl state is behind "
                        "the archive: scrapy state rebuild ARCHIVE_URI --seeds seeds/<set>.toml"
                    ) from exc
                if not self._unreachable:
                    logger.error(
                        "crawl state: Redis does not answer (%s): waiting up to %g s",
                        exc,
                        self.wait,
                    )
                    self._unreachable = True
                time.sleep(pause)  # the reactor waits with it: nothing can go on without the state
                pause = min(pause * 2, 1.0)
                continue
            if self._unreachable:
                self._unreachable = False
                logger.warning("crawl state: Redis answers again: the crawl goes on")
            return result

    def _load(self, url: str, text: bytes | str) -> UrlState:
        try:
            return UrlState.from_json(text_of(text))
        except (ValueError, UnicodeDecodeError) as exc:
            raise StateError(
                f"crawl state {self.location}: a bad value for {url} ({exc}); rebuild it from "
                "the archive: scrapy state rebuild ARCHIVE_URI --seeds seeds/<set>.toml"
            ) from None


def write_due(pipe: redis.client.Pipeline, due_key: str, state: UrlState) -> None:
    """Keep `state`'s place in the due set: scored by ``next_due``, or out of it."""
    if state.kind in SCHEDULED and state.next_due is not None:
        pipe.zadd(due_key, {state.url: score(state.next_due)})
    else:
        pipe.zrem(due_key, state.url)


def text_of(value: bytes | str) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else value


def score(moment: datetime) -> float:
    return moment.astimezone(UTC).timestamp()


def replace_state(url: str, seedset: str, states: list[UrlState]) -> str:
    """Put `states` in place of the seed set's state in Redis (``scrapy state rebuild``): written
    to fresh keys, then renamed over the live ones (kept as ``...:old``) in one transaction,
    refused (StateError) while a crawl of the seed set is in progress. Its location."""
    state = RedisState.open(url, seedset, wait=0, timeout=REBUILD_TIMEOUT)
    client, crawl = state.client, crawl_key(seedset)
    urls, due = state.urls, state.due_key
    fresh_urls, fresh_due = f"{urls}:rebuild", f"{due}:rebuild"
    busy = StateError(
        f"crawl state {state.location} is in use by a crawl of this seed set in progress "
        f"({crawl} is set): rebuild it after the crawl ends"
    )
    try:
        if client.exists(crawl):
            raise busy
        client.delete(fresh_urls, fresh_due)
        for start in range(0, len(states), BATCH):
            with client.pipeline(transaction=False) as pipe:
                for one in states[start : start + BATCH]:
                    pipe.hset(fresh_urls, one.url, one.to_json())
                    write_due(pipe, fresh_due, one)
                pipe.execute()
        _swap(client, crawl, [(urls, fresh_urls), (due, fresh_due)], busy)
    except RedisError as exc:
        raise StateError(f"crawl state {state.location}: {exc}; the old state is kept") from exc
    finally:
        state.close()
    return state.location


def _swap(client: redis.Redis, crawl: str, pairs: list[tuple[str, str]], busy: StateError) -> None:
    """Rename each fresh key over its live one, the live one kept as ``...:old``, unless a
    crawl started since (WATCH on its key)."""
    with client.pipeline(transaction=True) as pipe:
        try:
            pipe.watch(crawl)  # type: ignore[no-untyped-call]
            if pipe.exists(crawl):
                raise busy
            found = [(live, fresh, pipe.exists(live), pipe.exists(fresh)) for live, fresh in pairs]
            pipe.multi()
            for live, fresh, live_found, fresh_found in found:
                pipe.delete(f"{live}:old")
                if live_found:
                    pipe.rename(live, f"{live}:old")
                if fresh_found:  # none when the archive held no URL of this kind
                    pipe.rename(fresh, live)
            pipe.execute()
        except redis.WatchError:
            raise busy from None
