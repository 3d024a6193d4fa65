"""Scrapy's HTTP/1.1 download handler, made fit for an archive.

What an archive needs that Scrapy's handler does not give:

- **The reason phrase.** Scrapy keeps a response's protocol but drops its reason phrase. This
  handler stores it (bytes, as received) in ``request.meta["http_reason"]`` for the WARC writer.
- **The connection headers.** Twisted keeps ``Transfer-Encoding``, ``Connection``, ``Keep-Alive``
  and kin apart from the other headers, and Scrapy never sees them. They are stored as received in
  ``request.meta["http_connection_headers"]`` (a list of (name, value) byte pairs).
- **The SSRF guard.** Every connection goes through ``crawler.downloader.guard``: the host is
  resolved, the addresses that ``crawler.downloader.ssrf.AddressPolicy`` refuses are dropped, and
  the connection is made to an address that was checked. A refused request fails with
  ``crawler.downloader.guard.BlockedAddress``; it is counted (``ssrf/blocked``,
  ``ssrf/blocked/{reason}``) and logged with its URL and the reason. Without the Scrapy internals
  below there is no guard, and the handler refuses to start.
- **A cut, not an abort, at ``DOWNLOAD_MAXSIZE``.** Scrapy cancels a download that grows past the
  limit and nothing is left to archive. Here the first ``DOWNLOAD_MAXSIZE`` bytes are kept: the
  download is stopped as Scrapy's ``StopDownload(fail=False)`` does, the response carries the
  ``download_stopped`` flag, and ``request.meta["truncated"]`` says why (``"length"``), so the
  WARC writer can archive the cut body with ``WARC-Truncated: length``.
- **Verified https, and what the session proved.** Connections use
  ``crawler.downloader.tls.VerifyingPolicy``: the certificate chain and host name are verified
  (``TLS_VERIFY``, ``TLS_VERIFY_EXCEPT_HOSTS``, ``TLS_CA_BUNDLE``); a failure where it is enforced
  ends the request with ``crawler.downloader.tls.TlsRefused`` (not retried, nothing to archive),
  counted (``tls/failed``, ``tls/failed/{reason}``) and logged with the URL and the reason. Each
  https response leaves its session's protocol, cipher suite, verification and chain in
  ``request.meta`` (``crawler.meta.TLS_*``) for the WARC writer and the spider.

They hook into Scrapy's private ``_ScrapyAgent`` and ``_LenientHTTP11ClientProtocol`` (the
way Scrapy itself customises Twisted's client), taken from ``crawler.downloader.scrapy_private``
with the other private names. If a future Scrapy renames one, the handler refuses to start
(Scrapy then fetches nothing over http and https): without them there would be no SSRF guard,
and an unguarded crawl is worse than none.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from scrapy import Request, signals
from scrapy.core.downloader.handlers.http11 import HTTP11DownloadHandler
from scrapy.exceptions import NotConfigured, StopDownload
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached

from crawler import meta
from crawler.downloader import scrapy_private as private
from crawler.downloader.config import GuardConfig
from crawler.downloader.guard import BlockedAddress, GuardedEndpointFactory, check_target
from crawler.downloader.ssrf import AddressPolicy
from crawler.downloader.tls import TlsRefused, Verification, VerifyingPolicy, refusal, session_meta
from crawler.signals import tls_refused

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.http import Response

logger = logging.getLogger(__name__)

_RECEIVED_META = "newsarchive_bytes_received"
_CONN_HEADERS = "_newsarchive_connection_headers"
_TLS_SESSION = "_newsarchive_tls_session"


if not private.guard_missing():  # else there is nothing to subclass; the handler refuses to start

    class _ArchivalAgent(private.ScrapyAgent):  # type: ignore[misc]
        def __init__(self, *, policy: AddressPolicy, **kwargs: Any) -> None:
            super().__init__(**kwargs)
            self._policy = policy

        def _get_agent(self, request: Request, timeout: float) -> Any:
            if request.meta.get("proxy"):
                return super()._get_agent(request, timeout)  # the target was checked before
            from twisted.internet import reactor

            bind = private.normalize_bind_address(
                request.meta.get("bindaddress") or self._bindAddress
            )
            factory = GuardedEndpointFactory(
                reactor, self._contextFactory, timeout, bind, self._policy
            )
            return private.BindAddressAgent.usingEndpointFactory(reactor, factory, pool=self._pool)

        def _cb_bodyready(self, txresponse: Any, request: Request) -> Any:
            request.meta[meta.REASON] = getattr(txresponse, "phrase", None)
            request.meta[meta.CONNECTION_HEADERS] = getattr(txresponse, _CONN_HEADERS, [])
            request.meta.update(getattr(txresponse, _TLS_SESSION, None) or {})
            return super()._cb_bodyready(txresponse, request)

    class _ArchivalProtocol(private.LenientProtocol):  # type: ignore[misc]
        def request(self, request: Any) -> Any:
            d = super().request(request)
            parser = self._parser  # fills connHeaders before the response fires
            transport = self.transport  # TLS: getHandle() is the OpenSSL connection

            def keep_connection_headers(response: Any) -> Any:
                pairs = [
                    (name, value)
                    for name, values in parser.connHeaders.getAllRawHeaders()
                    for value in values
                ]
                setattr(response, _CONN_HEADERS, pairs)
                handle = getattr(transport, "getHandle", None)
                setattr(response, _TLS_SESSION, session_meta(handle() if handle else None))
                return response

            d.addCallback(keep_connection_headers)
            return d

    class _ArchivalFactory(private.LenientFactory):  # type: ignore[misc]
        def buildProtocol(self, addr: Any) -> Any:
            return _ArchivalProtocol(self._quiescentCallback)


def _refusal(absent: list[str]) -> str:
    return (
        f"this Scrapy version lacks {', '.join(absent)}, which newsarchive's SSRF guard or "
        "certificate verification builds on; nothing is fetched rather than fetched unguarded"
    )


class ArchivalDownloadHandler(HTTP11DownloadHandler):
    ssrf_guard = True  # GuardConfig refuses http(s) handlers without this

    def __init__(self, crawler: Crawler) -> None:
        absent = private.guard_missing()
        if absent:
            raise NotConfigured(_refusal(absent))
        super().__init__(crawler)
        absent = private.missing_on(self)
        if absent:
            raise NotConfigured(_refusal([f"HTTP11DownloadHandler.{name}" for name in absent]))
        self._maxsize = crawler.settings.getint("DOWNLOAD_MAXSIZE")
        config = GuardConfig.from_settings(crawler.settings)
        self._policy = AddressPolicy(config.allowed_networks)
        options = private.cert_options(self._contextFactory)  # Scrapy's TLS settings
        self._tls = VerifyingPolicy(options, config.tls)
        self._active: set[int] = set()  # ids of the requests this handler is downloading
        self._pool._factory = _ArchivalFactory
        crawler.signals.connect(self._bytes_received, signal=signals.bytes_received)

    async def download_request(self, request: Request) -> Response:
        for key in meta.TLS_KEYS:  # a redirect or retry copies the meta of the request before
            request.meta.pop(key, None)
        checks: list[Verification] = []
        try:
            return await self._guarded_download(request, checks)
        except BlockedAddress as exc:
            self._crawler.stats.inc_value("ssrf/blocked")
            self._crawler.stats.inc_value(f"ssrf/blocked/{exc.reason}")
            logger.warning("blocked %s: %s", request.url, exc)
            raise
        except Exception as exc:
            failed = refusal(checks)
            if failed is None or failed.reason is None:
                raise
            self._crawler.stats.inc_value("tls/failed")
            self._crawler.stats.inc_value(f"tls/failed/{failed.reason}")
            logger.warning("refused %s: %s: %s", request.url, failed.reason, failed.detail)
            self._crawler.signals.send_catch_log(
                tls_refused,
                request=request,
                host=failed.host,
                reason=failed.reason,
                detail=failed.detail or "",
            )
            raise TlsRefused(failed.host, failed.reason, failed.detail or "") from exc

    async def _guarded_download(self, request: Request, checks: list[Verification]) -> Response:
        if request.meta.get("proxy"):
            from twisted.internet import reactor

            parts = urlparse_cached(request)
            port = parts.port or (443 if parts.scheme == "https" else 80)
            checked = check_target(reactor, parts.hostname or "", port, self._policy)
            await maybe_deferred_to_future(checked)
        agent = _ArchivalAgent(
            policy=self._policy,
            contextFactory=self._tls.for_request(checks),  # verifying, reporting into checks
            bindAddress=self._bind_address,
            pool=self._pool,
            maxsize=0,  # the limit is applied as a cut in _bytes_received
            warnsize=self._default_warnsize,
            fail_on_dataloss=self._fail_on_dataloss,
            crawler=self._crawler,
            tls_verbose_logging=self._tls_verbose_logging,
        )
        self._active.add(id(request))
        try:
            with private.wrap_twisted_exceptions():
                return await maybe_deferred_to_future(agent.download_request(request))
        finally:
            self._active.discard(id(request))

    def _bytes_received(self, data: bytes, request: Request) -> None:
        if id(request) not in self._active:
            return  # the signal reaches every handler (http and https): one of them counts
        limit = int(request.meta.get("download_maxsize", self._maxsize) or 0)
        received = int(request.meta.get(_RECEIVED_META, 0)) + len(data)
        request.meta[_RECEIVED_META] = received
        if limit and received > limit:
            request.meta[meta.TRUNCATED] = "length"
            request.meta[meta.TRUNCATED_AT] = limit
            self._crawler.stats.inc_value("download/truncated/length")
            logger.warning(
                "cut %s at DOWNLOAD_MAXSIZE (%d bytes); the first %d bytes are archived",
                request.url,
                limit,
                limit,
            )
            raise StopDownload(fail=False)
