"""scrapy-redis' priority queue, with leases: a request taken is held for its process, not lost.

scrapy-redis removes a request from Redis when a process pops it; if that process dies before the
page is archived and its links are queued, the request is gone. Here ``pop`` moves it, in one Lua
script, from the queue into the popping process's lease hash (``FrontierKeys.leases``), under a
lease id that travels in ``request.meta``. ``release`` drops the lease once the request is done;
``reclaim`` puts every lease of a process that is no longer alive back into the queue with its
old score, so another process fetches it; ``held_requests`` gives a process started again under
the same lease owner (the same JOBDIR) what its previous run held, to finish itself.
"""

from __future__ import annotations

import itertools
import uuid
from typing import Any

from scrapy import Request
from scrapy_redis.queue import PriorityQueue

from crawler.frontier.keys import FrontierKeys

LEASE = "frontier_lease"  # request.meta key: the lease a popped request is held under

# The first requests of the queue, one per lease id given (ARGV), moved into the writer's lease
# hash under those ids with their scores.
POP = """
local found = redis.call('ZRANGE', KEYS[1], 0, #ARGV - 1, 'WITHSCORES')
if #found == 0 then return {} end
redis.call('ZREMRANGEBYRANK', KEYS[1], 0, #found / 2 - 1)
local taken = {}
for i = 1, #found, 2 do
  local lease = ARGV[(i + 1) / 2]
  redis.call('HSET', KEYS[2], lease, found[i], lease .. ':score', found[i + 1])
  taken[#taken + 1] = found[i]
end
return taken
"""
# scrapy-redis' duplicate filter and push in one round trip: the fingerprint added to the
# filter's set and, when it was not there, the request to the queue (ZADD, as ``push``).
PUSH_UNSEEN = """
if redis.call('SADD', KEYS[1], ARGV[1]) == 0 then return 0 end
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[3])
return 1
"""
RECLAIM = """
local held = redis.call('HGETALL', KEYS[2])
local returned = 0
for i = 1, #held, 2 do
  local field = held[i]
  if string.sub(field, -6) ~= ':score' then
    local score = redis.call('HGET', KEYS[2], field .. ':score') or '0'
    redis.call('ZADD', KEYS[1], score, held[i + 1])
    returned = returned + 1
  end
end
redis.call('DEL', KEYS[2])
return returned
"""


class LeasedPriorityQueue(PriorityQueue):  # type: ignore[misc]
    """scrapy-redis' PriorityQueue; ``pop`` leases to `writer` (set by the scheduler)."""

    writer = ""
    keys: FrontierKeys

    def __init__(self, server: Any, spider: Any, key: str, serializer: Any = None) -> None:
        super().__init__(server, spider, key, serializer)
        self._pop = server.register_script(POP)
        self._reclaim = server.register_script(RECLAIM)
        self._push_unseen = server.register_script(PUSH_UNSEEN)
        self._numbers = itertools.count(1)
        self._run = uuid.uuid4().hex[:12]  # lease ids differ from a previous run's

    def bind(self, keys: FrontierKeys, writer: str) -> None:
        self.keys, self.writer = keys, writer

    def pop(self, timeout: int = 0) -> Request | None:
        taken = self.pop_many(1)
        return taken[0] if taken else None

    def pop_many(self, count: int) -> list[Request]:
        """Up to `count` requests from the head of the queue, each leased, in one round trip."""
        leases = [f"{self._run}:{next(self._numbers)}" for _ in range(count)]
        found = self._pop(keys=[self.key, self.keys.leases(self.writer)], args=leases)
        requests = []
        for lease, data in zip(leases, found, strict=False):
            request: Request = self._decode_request(data)
            request.meta[LEASE] = lease
            requests.append(request)
        return requests

    def push_unseen(self, request: Request, seen: str, fingerprint: str) -> bool:
        """Mark `fingerprint` seen in the duplicate filter's set `seen` and push `request`, in
        one round trip; False (nothing pushed) when it was seen already."""
        data = self._encode_request(request)
        pushed = self._push_unseen(
            keys=[seen, self.key], args=[fingerprint, -request.priority, data]
        )
        return bool(pushed)

    def release(self, lease: str) -> None:
        self.server.hdel(self.keys.leases(self.writer), lease, f"{lease}:score")

    def held_requests(self) -> list[Request]:
        """The requests leased to this writer (by a previous run of it), still leased."""
        held = self.server.hgetall(self.keys.leases(self.writer))
        requests = []
        for field, data in sorted(held.items()):
            lease = field.decode() if isinstance(field, bytes) else str(field)
            if not lease.endswith(":score"):
                request: Request = self._decode_request(data)
                request.meta[LEASE] = lease
                requests.append(request)
        return requests

    def reclaim(self, writer: str) -> int:
        """Put every request `writer` holds back into the queue; how many there were."""
        return int(self._reclaim(keys=[self.key, self.keys.leases(writer)]))

    def held(self, writer: str) -> int:
        return int(self.server.hlen(self.keys.leases(writer))) // 2
