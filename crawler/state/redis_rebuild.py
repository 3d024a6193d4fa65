"""``scrapy state rebuild`` into Redis: a whole seed set's state swapped in for the live one.

The rebuilt state is written to fresh keys, then renamed over the live ones (kept as
``...:old``) in one transaction that fails if a crawl of the seed set starts meanwhile (WATCH
on its crawl key); refused while a crawl is in progress.
"""

from __future__ import annotations

import redis
from redis.exceptions import RedisError

from crawler.state.base import StateError, UrlState
from crawler.state.redis import BATCH, REBUILD_TIMEOUT, RedisState, crawl_key, due_score


def write_due(pipe: redis.client.Pipeline, due_key: str, state: UrlState) -> None:
    """Keep `state`'s place in the due set: scored by ``next_due``, or out of it."""
    due = due_score(state)
    if due is not None:
        pipe.zadd(due_key, {state.url: due})
    else:
        pipe.zrem(due_key, state.url)


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
