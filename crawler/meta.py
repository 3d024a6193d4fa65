"""The ``request.meta`` keys that the spider, the downloader and the archive share.

The download handler writes facts Scrapy would drop (reason phrase, connection headers, a cut at
DOWNLOAD_MAXSIZE); the WARC writer reads them and leaves the response record's pointer; the spider
reads that pointer, and the discovery record, into its items. The spider marks each request with
how it was discovered, and reads it back from the response (redirects keep it). For https the
handler also leaves what the TLS session proved (``TLS_*``), for the WARC writer and the items.
"""

from __future__ import annotations

import hashlib
import ssl

from scrapy import Request
from scrapy.http import Response

from crawler.items import Discovery, TlsFacts, WarcPointer

REASON = "http_reason"  # the reason phrase as received (bytes), which Scrapy drops
CONNECTION_HEADERS = "http_connection_headers"  # (name, value) byte pairs Twisted keeps apart
TRUNCATED = "truncated"  # why the body was cut: "length"
TRUNCATED_AT = "truncated_at"  # the limit it was cut at, in bytes
WARC_POINTER = "warc"  # WarcPointer of the response record, set when the exchange is archived
DISCOVERY = "newsarchive_discovery"  # Discovery of the request, set by the spider
# Set by the download handler for an https response, from its TLS session (plain values, so that
# a request copied for a redirect or retry still serialises; the handler resets them each time):
TLS_PROTOCOL = "tls_protocol"  # "tls/1.3", "tls/1.2" ... (the WARC-Protocol form)
TLS_CIPHER_SUITE = "tls_cipher_suite"  # IANA name ("TLS_AES_256_GCM_SHA384"), else OpenSSL's
TLS_VERIFIED = "tls_verified"  # True: chain and host name verified, and verification enforced
TLS_VERIFY_RESULT = "tls_verify_result"  # "ok" or what failed, checked even when not enforced
TLS_CHAIN = "tls_chain"  # tuple of PEM certificates as the server sent them, its own first
TLS_KEYS = (TLS_PROTOCOL, TLS_CIPHER_SUITE, TLS_VERIFIED, TLS_VERIFY_RESULT, TLS_CHAIN)
# Incremental crawls (crawler.state): the conditional-request middleware marks a request of a
# URL in the state with its last full capture and whether it sent validators; the WARC capture
# says when it archived the exchange as a revisit of that capture, and in which crawl.
PREVIOUS_CAPTURE = "newsarchive_previous_capture"  # crawler.state.base.Capture
CONDITIONAL = "newsarchive_conditional"  # True: If-None-Match / If-Modified-Since were sent
UNCONDITIONAL = "newsarchive_unconditional"  # True: send no validators (a re-fetch after a 304)
REVISIT = "newsarchive_revisit"  # the WARC-Profile URI of the revisit record written, if one was
ARCHIVED_IN = "newsarchive_crawl_id"  # the crawl id of the WARC the exchange was written to


def pointer_of(response: Response) -> WarcPointer | None:
    """The response record's pointer that the WARC writer left on the response, if any."""
    pointer = response.meta.get(WARC_POINTER)
    return pointer if isinstance(pointer, WarcPointer) else None


def discovery_of(response: Response) -> Discovery | None:
    """How the spider came to request this response, if it said."""
    discovery = response.meta.get(DISCOVERY)
    return discovery if isinstance(discovery, Discovery) else None


def truncated_body(request: Request, response: Response) -> tuple[bytes, str | None]:
    """The body to archive and the WARC-Truncated reason, if the body was cut."""
    reason = request.meta.get(TRUNCATED) if "download_stopped" in response.flags else None
    if reason == "length":
        return response.body[: int(request.meta[TRUNCATED_AT])], reason
    if "dataloss" in response.flags:
        return response.body, "disconnect"
    return response.body, None


def certificate_sha256(pem: str) -> str:
    """Hex SHA-256 of a PEM certificate's DER bytes (the usual certificate fingerprint)."""
    return hashlib.sha256(ssl.PEM_cert_to_DER_cert(pem)).hexdigest()


def tls_of(response: Response) -> TlsFacts | None:
    """What the response's TLS session proved, or None (http, or nothing was recorded)."""
    protocol = response.meta.get(TLS_PROTOCOL)
    if not protocol:
        return None
    chain = response.meta.get(TLS_CHAIN) or ()
    return TlsFacts(
        protocol=protocol,
        cipher_suite=response.meta.get(TLS_CIPHER_SUITE),
        verified=bool(response.meta.get(TLS_VERIFIED)),
        certificate_sha256=certificate_sha256(chain[0]) if chain else None,
    )
