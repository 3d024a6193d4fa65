"""scrapy-redis' scheduler for processes that share one crawl and may die at any moment.

- Keys per seed set (``FrontierKeys``), so two seed sets can share one Redis.
- Requests are leased (``queue.LeasedPriorityQueue``), ``TAKEN_AT_ONCE`` with one round trip,
  and given to the engine one by one; the scheduler keeps this process's
  heartbeat key alive and, every ``RECLAIM_SECONDS``, returns the leases of processes whose
  heartbeat expired (``FRONTIER_LEASE_TTL`` seconds without renewal) to the queue.
- A process finishes only when the queue is empty and no process holds a lease, and has been so
  for ``IDLE_SECONDS`` (a request is marked seen and then queued in two steps; a process that
  starts between them must not take the crawl for done): a lease held elsewhere can still bring
  new links. The last one to finish deletes the crawl's keys, so the
  next scheduled run starts afresh; a process that stops before (a signal, a limit) returns its
  own leases and leaves the crawl to the others.
- An idle process looks at the queue every ``POLL_SECONDS`` (Scrapy's engine itself asks an
  empty scheduler again only every 5 s): a request found is leased and handed to the engine
  with ``engine.crawl``, kept in memory here, and given back by the next ``next_request``.
- Redis unreachable mid-crawl: requests to queue wait in memory, nothing is taken, the process
  stays open and says so once; when Redis answers again it goes on.
"""

from __future__ import annotations

import hashlib
import logging
import os
import socket
import time
from collections import deque
from pathlib import Path
from typing import Any, Self

from redis.exceptions import RedisError
from scrapy import Request
from scrapy.crawler import Crawler
from scrapy_redis.scheduler import Scheduler
from twisted.internet import task

from crawler.frontier.keys import FrontierKeys
from crawler.frontier.queue import LEASE, LeasedPriorityQueue
from crawler.signals import lease_returned, request_done, requests_leased

logger = logging.getLogger(__name__)

RECLAIM_SECONDS = 5.0
POLL_SECONDS = 0.5
IDLE_SECONDS = 2.0
TAKEN_AT_ONCE = 4  # requests leased with one round trip; the engine is given them one by one
LOCAL = "frontier_local"  # request.meta key: leased by the poll, to be kept in memory


class LeasingScheduler(Scheduler):  # type: ignore[misc]
    queue: LeasedPriorityQueue
    keys: FrontierKeys
    writer: str  # who holds this process's leases (``lease_owner``)
    ttl: int
    waiting: deque[Request]  # requests to queue while Redis does not answer
    unreachable = False
    last_reclaim = 0.0
    empty_since: float | None = None  # when the whole frontier was first seen empty
    heartbeat: task.LoopingCall | None = None
    poll: task.LoopingCall | None = None
    crawler: Crawler
    local: deque[Request]  # leased, not given to the engine yet (or handed back by the poll)
    inflight: dict[str, str]  # lease -> URL, of the requests leased here and not released
    unreleased: list[str]  # leases whose release Redis did not take (an outage)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        keys = FrontierKeys(settings.get("SEEDSET_NAME") or "news")
        scheduler: Self = super().from_crawler(crawler)
        scheduler.keys = keys
        scheduler.persist = True  # the crawl's keys are deleted by the last process, in close
        scheduler.ttl = settings.getint("FRONTIER_LEASE_TTL", 30)
        scheduler.writer = lease_owner(settings.get("JOBDIR"))
        scheduler.waiting = deque()
        scheduler.local = deque()
        scheduler.inflight = {}
        scheduler.unreleased = []
        scheduler.crawler = crawler
        crawler.signals.connect(scheduler.release, signal=request_done)
        return scheduler

    def open(self, spider: Any) -> None:
        super().open(spider)
        self.queue.bind(self.keys, self.writer)
        self.server.sadd(self.keys.writers, self.writer)
        self.local.extend(self._hold(self.queue.held_requests()))  # a killed earlier run's
        if self.local:
            logger.warning(
                "%d request(s) held by this crawl's previous run: taken back", len(self.local)
            )
        self.heartbeat = task.LoopingCall(self._beat)
        self.heartbeat.start(max(self.ttl / 3, 0.1), now=True)
        self.poll = task.LoopingCall(self._poll)
        self.poll.start(POLL_SECONDS, now=False)
        self._reclaim_dead()

    def _poll(self) -> None:
        """Wake an idle engine when the shared queue has work (see the module's docstring)."""
        engine = self.crawler.engine
        if self.local or self.unreachable or engine is None or engine.needs_backout():
            return
        try:
            request = self.queue.pop()  # None when the queue is empty
        except RedisError as exc:
            self._lost(exc)
            return
        if request is not None:
            self._hold([request])
            request.meta[LOCAL] = True
            engine.crawl(request)

    def _beat(self) -> None:
        try:
            self.server.set(self.keys.alive(self.writer), "1", ex=self.ttl)
            self._answered()
        except RedisError as exc:
            self._lost(exc)

    def _lost(self, exc: RedisError) -> None:
        if not self.unreachable:
            logger.error("Redis does not answer (%s): waiting for it, nothing is taken", exc)
        self.unreachable = True

    def _answered(self) -> None:
        """Redis answered: say so once after an outage, and settle what it left undone."""
        try:
            if self.unreachable:
                self.unreachable = False
                logger.warning("Redis answers again: the crawl goes on")
                self._settle()
            while self.waiting:  # marked seen, pushed, whether the outage cut in before or after
                self.df.request_seen(self.waiting[0])  # marking them seen: so it did
                self.queue.push(self.waiting[0])
                self.waiting.popleft()
        except RedisError as exc:  # gone again: settled when it is back
            self._lost(exc)

    def _settle(self) -> None:
        """After an outage: return the leases whose release failed, and take up the requests
        leased to this process whose answer was lost (a pop that Redis did but did not say)."""
        while self.unreleased:
            self.queue.release(self.unreleased[0])
            self.unreleased.pop(0)
        lost = [r for r in self.queue.held_requests() if r.meta[LEASE] not in self.inflight]
        self.local.extend(self._hold(lost))

    def enqueue_request(self, request: Request) -> bool:
        if request.meta.pop(LOCAL, False):  # from the poll, already leased
            self.local.append(request)
            return True
        # A leased request's successor (a retry, a redirect): once it is queued, the original
        # is done with, and no callback of its own will return its lease.
        replaced = request.meta.pop(LEASE, None)
        try:
            queued = self._push(request)
            self._answered()
        except RedisError as exc:
            self._lost(exc)
            self.waiting.append(request)
            queued = True
        if replaced is not None:
            self._release_lease(replaced)
        return queued

    def _push(self, request: Request) -> bool:
        """scrapy-redis' ``enqueue_request``, with the duplicate filter's mark and the push in
        one round trip (``queue.PUSH_UNSEEN``)."""
        if request.dont_filter:
            self.queue.push(request)
        elif not self.queue.push_unseen(request, self.df.key, self.df.request_fingerprint(request)):
            self.df.log(request, self.spider)
            return False
        if self.stats:
            self.stats.inc_value("scheduler/enqueued/redis")
        return True

    def next_request(self) -> Request | None:
        if self.local:
            return self.local.popleft()
        try:
            if time.monotonic() - self.last_reclaim > RECLAIM_SECONDS:
                self._reclaim_dead()
            # before _settle looks for leases nobody knows of
            taken = self._hold(self.queue.pop_many(TAKEN_AT_ONCE))
            self._answered()
        except RedisError as exc:
            self._lost(exc)
            return None
        if self.stats is not None and taken:
            self.stats.inc_value("scheduler/dequeued/redis", len(taken))
        self.local.extend(taken[1:])
        return taken[0] if taken else None

    def _hold(self, requests: list[Request]) -> list[Request]:
        """`requests`, leased to this process, are in flight until released; their URLs are
        held (``crawler.signals.requests_leased``)."""
        for request in requests:
            self.inflight[request.meta[LEASE]] = request.url
        if requests:
            urls = [request.url for request in requests]
            self.crawler.signals.send_catch_log(requests_leased, urls=urls)
        return requests

    def has_pending_requests(self) -> bool:
        if self._frontier_busy():
            self.empty_since = None
            return True
        now = time.monotonic()
        self.empty_since = self.empty_since or now
        return now - self.empty_since < IDLE_SECONDS

    def _frontier_busy(self) -> bool:
        """Work anywhere in the shared crawl: queued, held by a process, or waiting here."""
        try:
            if self.unreachable or self.local or self.waiting or len(self.queue) > 0:
                return True
            return self._leases_held() > 0
        except RedisError as exc:
            self._lost(exc)
            return True

    def release(self, request: Request, **kwargs: Any) -> None:
        """The request is done: its page archived and its callback's requests queued."""
        lease = request.meta.get(LEASE)
        if lease is not None:
            self._release_lease(lease)

    def _release_lease(self, lease: str) -> None:
        url = self.inflight.pop(lease, None)
        if url is not None:
            self.crawler.signals.send_catch_log(lease_returned, url=url)
        try:
            self.queue.release(lease)
        except RedisError as exc:  # returned when Redis answers again (``_settle``)
            self.unreleased.append(lease)
            self._lost(exc)

    def _writers(self) -> list[str]:
        members = self.server.smembers(self.keys.writers)
        return sorted(m.decode() if isinstance(m, bytes) else str(m) for m in members)

    def _leases_held(self) -> int:
        return sum(self.queue.held(writer) for writer in self._writers())

    def _reclaim_dead(self) -> None:
        self.last_reclaim = time.monotonic()
        for writer in self._writers():
            if writer != self.writer and not self.server.exists(self.keys.alive(writer)):
                returned = self.queue.reclaim(writer)
                self.server.srem(self.keys.writers, writer)
                if returned:
                    logger.warning(
                        "%d request(s) held by %s, which stopped: back in the queue",
                        returned,
                        writer,
                    )
                    if self.stats is not None:
                        self.stats.inc_value("frontier/reclaimed", returned)

    def close(self, reason: str) -> None:
        for loop in (self.heartbeat, self.poll):
            if loop is not None and loop.running:
                loop.stop()
        try:
            self.queue.reclaim(self.writer)  # whatever this process still holds goes back
            self.local.clear()
            self.server.srem(self.keys.writers, self.writer)
            self.server.delete(self.keys.alive(self.writer))
            if reason == "finished" and not self._frontier_busy():
                self.server.delete(*self.keys.all_of_crawl())
        except RedisError as exc:
            logger.error("Redis does not answer at the end (%s): leases expire by themselves", exc)


def lease_owner(jobdir: str | None) -> str:
    """Who this process's leases belong to: "{host}-{pid}", or with JOBDIR "{host}-job-{hash of
    the JOBDIR's path}", so that the same crawl started again on its JOBDIR after a kill takes
    back what it held (crash-resume then replays what it had archived, exactly once)."""
    host = socket.gethostname()
    if not jobdir:
        return f"{host}-{os.getpid()}"
    digest = hashlib.sha256(str(Path(jobdir).resolve()).encode()).hexdigest()[:12]
    return f"{host}-job-{digest}"
