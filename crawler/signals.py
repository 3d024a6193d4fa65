"""Signals the engine side sends for the archive side, beside Scrapy's own.

``tls_refused``: an https request was refused in the TLS handshake because the server's
certificate did not verify; nothing was sent and no response exists. Sent by the download handler
with ``request``, ``host``, ``reason`` (e.g. ``expired``, ``hostname_mismatch``) and ``detail``;
the WARC capture archives a metadata record of the attempt, so the archive says it was made.
"""

tls_refused = object()
