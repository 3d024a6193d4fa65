"""Every private Scrapy name newsarchive uses, in one place, each with who needs it and why.

Scrapy gives no stability promise for underscore names or ``scrapy.utils._*`` modules, and
pyproject.toml pins Scrapy to the minor release they were checked against. An upgrade that
removes or renames one of them must fail loudly, not quietly change what is archived:

- ``missing()`` lists the Scrapy paths of the names this Scrapy lacks;
  ``tests/crawler/downloader/test_scrapy_private.py`` fails with that list.
- Every name is looked up with a ``None`` fallback, so importing this module never fails. The
  names the SSRF guard builds on (``guard=True``) make ``ArchivalDownloadHandler`` refuse to start
  (``guard_missing()``): an unguarded crawl is worse than none. The others fail where they are
  used, with an error that names the missing path (``_need``).
- Attributes that Scrapy sets on a download handler instance (not on a class) cannot be looked
  up here; ``HANDLER_ATTRIBUTES`` lists them and ``missing_on`` checks an instance.

Twisted's private names the handler touches (``HTTPConnectionPool._factory``, the client
protocol's ``_parser``, the client factory's ``_quiescentCallback``) are Twisted's, and are
exercised by the handler's own tests, not listed here.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Private:
    path: str  # where Scrapy 2.19 defines it
    user: str  # our module that needs it
    why: str
    # the SSRF guard or certificate verification needs it: without it the handler refuses to start
    guard: bool = False


_HTTP11 = "scrapy.core.downloader.handlers.http11"
_HANDLER = "crawler.downloader.handler"

# Keyed by the name this module exposes it under.
NAMES: dict[str, Private] = {
    "ScrapyAgent": Private(
        f"{_HTTP11}._ScrapyAgent",
        _HANDLER,
        "subclassed to route connections through the SSRF guard and keep the reason phrase",
        guard=True,
    ),
    "ScrapyAgent_get_agent": Private(
        f"{_HTTP11}._ScrapyAgent._get_agent",
        _HANDLER,
        "overridden to connect through the guard; were it renamed, the override would never "
        "run and connections would go unguarded",
        guard=True,
    ),
    "ScrapyAgent_cb_bodyready": Private(
        f"{_HTTP11}._ScrapyAgent._cb_bodyready",
        _HANDLER,
        "overridden to store the reason phrase and the connection headers for the WARC writer",
        guard=True,
    ),
    "LenientProtocol": Private(
        f"{_HTTP11}._LenientHTTP11ClientProtocol",
        _HANDLER,
        "subclassed to keep the connection headers Twisted parses apart",
        guard=True,
    ),
    "LenientFactory": Private(
        f"{_HTTP11}._LenientHTTP11ClientFactory",
        _HANDLER,
        "subclassed so the connection pool builds our protocol",
        guard=True,
    ),
    "wrap_twisted_exceptions": Private(
        f"{_HTTP11}.wrap_twisted_exceptions",
        _HANDLER,
        "turns Twisted's download errors into Scrapy's, as Scrapy's own handler does",
        guard=True,
    ),
    "BindAddressAgent": Private(
        f"{_HTTP11}._BindAddressAgent",
        _HANDLER,
        "the agent built on the guard's endpoint factory, honouring DOWNLOAD_BIND_ADDRESS",
        guard=True,
    ),
    "normalize_bind_address": Private(
        "scrapy.utils._download_handlers.normalize_bind_address",
        _HANDLER,
        "reads the bindaddress meta key and DOWNLOAD_BIND_ADDRESS as Scrapy does",
        guard=True,
    ),
    "cert_options": Private(
        "scrapy.core.downloader.contextfactory._ScrapyClientContextFactory._get_cert_options",
        "crawler.downloader.tls",
        "the TLS context Scrapy builds from its TLS settings (ciphers, versions, legacy "
        "renegotiation, SSLKEYLOGFILE), to which certificate verification is added",
        guard=True,
    ),
    "compression_split": Private(
        "scrapy.downloadermiddlewares.httpcompression.HttpCompressionMiddleware._split_encodings",
        "pipelines.warc.reader",
        "re-extraction decodes an archived body with the exact steps Scrapy used for the spider",
    ),
    "compression_decode": Private(
        "scrapy.downloadermiddlewares.httpcompression.HttpCompressionMiddleware._decode",
        "pipelines.warc.reader",
        "re-extraction decodes an archived body with the exact steps Scrapy used for the spider",
    ),
    "DecompressionMaxSizeExceeded": Private(
        "scrapy.utils._compression._DecompressionMaxSizeExceeded",
        "crawler.downloader.decompress",
        "the only error HttpCompressionMiddleware.process_response turns into IgnoreRequest: "
        "BoundedDecompression counts every such IgnoreRequest as a decompression bomb",
    ),
    "spider_set_crawler": Private(
        "scrapy.Spider._set_crawler",
        "crawler.spiders.news",
        "from_crawler builds the spider itself (settings from the seed set come first) and "
        "binds it to the crawler as Scrapy's Spider.from_crawler does",
    ),
}

# Set by Scrapy's HTTP11DownloadHandler.__init__ and read by ArchivalDownloadHandler, which
# builds its agent and connection pool exactly as Scrapy's handler does.
HANDLER_ATTRIBUTES = (
    "_crawler",
    "_pool",
    "_contextFactory",
    "_bind_address",
    "_default_warnsize",
    "_fail_on_dataloss",
    "_tls_verbose_logging",
)


def _lookup(path: str) -> Any:
    """The object at a dotted path (a module, then attributes), or None."""
    parts = path.split(".")
    for cut in range(len(parts) - 1, 0, -1):
        try:
            found: Any = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for attribute in parts[cut:]:
            found = getattr(found, attribute, None)
        return found
    return None


ScrapyAgent: Any = _lookup(NAMES["ScrapyAgent"].path)
ScrapyAgent_get_agent: Any = _lookup(NAMES["ScrapyAgent_get_agent"].path)
ScrapyAgent_cb_bodyready: Any = _lookup(NAMES["ScrapyAgent_cb_bodyready"].path)
LenientProtocol: Any = _lookup(NAMES["LenientProtocol"].path)
LenientFactory: Any = _lookup(NAMES["LenientFactory"].path)
wrap_twisted_exceptions: Any = _lookup(NAMES["wrap_twisted_exceptions"].path)
BindAddressAgent: Any = _lookup(NAMES["BindAddressAgent"].path)
normalize_bind_address: Any = _lookup(NAMES["normalize_bind_address"].path)
cert_options: Any = _lookup(NAMES["cert_options"].path)
compression_split: Any = _lookup(NAMES["compression_split"].path)
compression_decode: Any = _lookup(NAMES["compression_decode"].path)
DecompressionMaxSizeExceeded: Any = _lookup(NAMES["DecompressionMaxSizeExceeded"].path)
spider_set_crawler: Any = _lookup(NAMES["spider_set_crawler"].path)


def missing() -> list[str]:
    """The Scrapy paths of the private names this Scrapy lacks (read from this module's
    attributes, so a test can take one away)."""
    return [entry.path for name, entry in NAMES.items() if globals()[name] is None]


def guard_missing() -> list[str]:
    """The missing names without which there is no SSRF guard."""
    guard = {entry.path for entry in NAMES.values() if entry.guard}
    return [path for path in missing() if path in guard]


def missing_on(handler: object) -> list[str]:
    """The HANDLER_ATTRIBUTES a download handler instance lacks."""
    return [name for name in HANDLER_ATTRIBUTES if not hasattr(handler, name)]


def _need(name: str) -> Any:
    found = globals()[name]
    if found is None:
        raise RuntimeError(
            f"this Scrapy lacks {NAMES[name].path}, which {NAMES[name].user} needs: "
            "see crawler/downloader/scrapy_private.py"
        )
    return found


def split_encodings(encodings: list[bytes]) -> tuple[list[bytes], list[bytes]]:
    """Content-Encoding values split as HttpCompressionMiddleware does: (to decode, to keep)."""
    to_decode, to_keep = _need("compression_split")(encodings)
    return list(to_decode), list(to_keep)


def decode_encoding(body: bytes, encoding: bytes, max_size: int) -> bytes:
    """One content encoding undone as HttpCompressionMiddleware does (0: no size limit)."""
    return bytes(_need("compression_decode")(body, encoding, max_size))
