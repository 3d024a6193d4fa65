"""One crawl frontier shared by several crawler processes, through Redis, on scrapy-redis.

With ``REDIS_URL`` set (scrapy-redis' own setting), every ``scrapy crawl news`` process of a seed
set takes its requests from one queue and checks one duplicate filter in Redis:

- ``scheduler.LeasingScheduler``: scrapy-redis' scheduler, keyed by seed set, that ends a
  process only when the shared frontier is empty and no process holds a request any more;
- ``queue.LeasedPriorityQueue``: scrapy-redis' priority queue whose ``pop`` *leases* the request
  to this process (atomically, in Redis) instead of dropping it; a lease is returned once the
  request's page has been archived and its callback's requests queued, and the leases of a
  process that stopped renewing its heartbeat (killed, machine gone) go back to the queue;
- ``dupefilter.FingerprintDupeFilter``: scrapy-redis' duplicate filter with Scrapy's own request
  fingerprinter, so that a URL is fetched once across all processes;
- ``keys.FrontierKeys``: the Redis keys of one seed set's crawl, and the crawl id the processes
  share (the first to start sets it).
"""
