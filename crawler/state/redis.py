"""The shared crawl state: one seed set's state in Redis, for the processes of a shared crawl.

With ``REDIS_URL`` (or ``STATE_BACKEND = "redis"``) every process of a shared crawl
(``crawler.frontier``) reads and writes one state, under the seed set's keys
``newsarchive:{seed set}:state:*`` next to the frontier's, and kept after the crawl (the
frontier's keys are deleted by its last process; the state is for the next run):

- ``state:urls``, a hash: URL -> ``UrlState.to_json()``, one value per URL as in SQLite's rows;
- ``state:due``, a sorted set of the articles and pages that have a ``next_due``, scored by it
  (seconds since the epoch): ``due(now)`` is one ``ZRANGEBYSCORE``, ties in URL order.

A ``put`` writes both in one Lua script (idempotent, so retried safely after a connection lost
mid-way), replacing the URL's value whole, but for its listing date: another process may note a
URL's date from a feed it reads while this one fetches the URL, so a ``put`` that would replace a
date it has not seen gets that date back instead, and writes again with the later of the two
(``latest_listing``). Otherwise the last ``put`` wins, which the frontier makes rare (one process
fetches a URL).

Reads from memory: while this process holds a URL's request (the frontier's lease, from the
moment the scheduler leases it until the lease is returned: ``hold`` and ``let_go``, connected
to ``crawler.signals.requests_leased`` and ``lease_returned``), no other process writes that URL
but for its listing date, so what this process read or wrote of it is what Redis holds. The
states of the requests leased together are read at once (one HMGET), and every read that
follows (the conditional request's, the WARC capture's, the spider's verdict, the records'
versions: seven per article) is answered from memory. Nothing is remembered of a URL this
process does not hold.

No lock: the processes of one crawl share the state by design, and two crawls of one seed set
cannot run at once, because a process that starts while the seed set's crawl key
(``newsarchive:{seed set}:crawl``) is set joins that crawl (its id, its frontier) instead of
starting another. ``scrapy state rebuild`` (``crawler.state.redis_rebuild``) writes into fresh
keys and renames them into place in a transaction that fails if a crawl starts meanwhile; it is
refused while a crawl is in progress.

Redis not answering: an operation is retried, the process waiting (its crawl cannot go on
without the state; the frontier is waiting too), for up to ``STATE_REDIS_WAIT`` seconds, shorter
than the frontier's lease TTL so that no other process takes this one's requests meanwhile.
Then a ``put`` fails as a failed write of the SQLite state does (``ReportedWrites``: the crawl
stops with one line, and ``scrapy state rebuild`` catches up), and a ``get`` raises StateError.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections import Counter
from collections.abc import Callable, Collection, Iterator
from datetime import UTC, datetime
from functools import partial
from typing import Any, TypeVar
from urllib.parse import urlsplit

import redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError
from redis.exceptions import TimeoutError as RedisTimeoutError

from crawler.frontier.keys import PREFIX, FrontierKeys
from crawler.state.base import StateError, UrlState, latest_listing

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
# The URL's value and its place in the due set, unless the value held has a listing date this
# writer has not seen (neither its own nor the one it merged): then that date, to merge and
# write again. A value that is not JSON is replaced.
PUT = """
local held = redis.call('HGET', KEYS[1], ARGV[1])
if held then
  local ok, value = pcall(cjson.decode, held)
  local kept = ok and type(value) == 'table' and value['listed']
  if type(kept) == 'string' and kept ~= ARGV[3] and kept ~= ARGV[4] then return kept end
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
if ARGV[5] == '' then redis.call('ZREM', KEYS[2], ARGV[1])
else redis.call('ZADD', KEYS[2], ARGV[5], ARGV[1]) end
return false
"""


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
        self._put = client.register_script(PUT)
        self._held: Counter[str] = Counter()  # URLs whose requests this process holds
        self._memory: dict[str, UrlState | None] = {}  # of held URLs only; None: no value

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

    def hold(self, urls: list[str]) -> None:
        """This process holds requests for `urls` (see the module docstring): their states,
        which it is about to read, are read now, at once."""
        for url in urls:
            self._held[url] += 1
        self.get_many(urls)

    def let_go(self, url: str) -> None:
        """A request for `url` that this process held is done with."""
        self._held[url] -= 1
        if self._held[url] <= 0:
            del self._held[url]
            self._memory.pop(url, None)

    def get(self, url: str) -> UrlState | None:
        if url in self._memory:
            return self._memory[url]
        text = self._call(lambda: self.client.hget(self.urls, url), f"reading {url}")
        state = None if text is None else self._load(url, text)
        if url in self._held:
            self._memory[url] = state
        return state

    def get_many(self, urls: Collection[str]) -> dict[str, UrlState | None]:
        found: dict[str, UrlState | None] = {u: self._memory[u] for u in urls if u in self._memory}
        asked = sorted(set(urls) - found.keys())
        found |= dict.fromkeys(asked)
        for state in self._many(asked):
            found[state.url] = state
        for url in self._held.keys() & set(asked):
            self._memory[url] = found[url]
        return found

    def put(self, state: UrlState) -> None:
        self._memory.pop(state.url, None)  # a write that fails: the next read asks Redis
        written = self._call(lambda: self._write(state), f"writing {state.url}")
        if state.url in self._held:
            self._memory[state.url] = written

    def _write(self, state: UrlState) -> UrlState:
        """Write `state`, merged with a listing date another process noted meanwhile."""
        due = due_score(state)
        seen = ""  # a listing date held in Redis that `state` has taken in
        while True:
            args = [
                state.url,
                state.to_json(),
                state.listed or "",
                seen,
                "" if due is None else due,
            ]
            kept = self._put(keys=[self.urls, self.due_key], args=args)
            if kept is None:
                return state
            seen = text_of(kept)
            listed = latest_listing(state.listed, seen) if state.listed else seen
            state = dataclasses.replace(state, listed=listed)

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


def text_of(value: bytes | str) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else value


def score(moment: datetime) -> float:
    return moment.astimezone(UTC).timestamp()


def due_score(state: UrlState) -> float | None:
    """`state`'s score in the due set (its ``next_due``), or None: not in it."""
    if state.kind in SCHEDULED and state.next_due is not None:
        return score(state.next_due)
    return None
