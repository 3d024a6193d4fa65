"""Signals the engine side sends for the archive side, beside Scrapy's own.

``tls_refused``: an https request was refused in the TLS handshake because the server's
certificate did not verify; nothing was sent and no response exists. Sent by the download handler
with ``request``, ``host``, ``reason`` (e.g. ``expired``, ``hostname_mismatch``) and ``detail``;
the WARC capture archives a metadata record of the attempt, so the archive says it was made.

``request_done``: a request is finished with: its page archived and what its callback or errback
returned handed to the engine (``request``). The shared frontier (``crawler.frontier``) returns
the request's lease then. Sent by ``crawler.frontier.release.ReleaseLeases`` and by the spider's
errback.

``requests_leased`` and ``lease_returned``: the shared frontier took requests for this process
under leases (``urls``: theirs), and one such lease is returned (``url``: its request's). Sent by
``crawler.frontier.scheduler``; the Redis crawl state reads the URLs' states at once when they
are leased, and answers reads of a URL held from memory until its lease is returned
(``crawler.state.redis``).

``write_failed``: a file the engine side keeps could not be written (the crawl state, on a full
disk): ``path`` and ``error``. The archive stops the crawl as for any failed write of its own
(a full disk has its own outcome and exit status, 6). Sent by ``crawler.state``.
"""

tls_refused = object()
request_done = object()
requests_leased = object()
lease_returned = object()
write_failed = object()
