"""HTTPS for the download handler: certificates verified by default, and what each session proved.

`VerifyingPolicy` is the handler's ``IPolicyForHTTPS``. Its TLS context is Scrapy's own (from
``DOWNLOADER_CLIENT_TLS_CIPHERS``, ``DOWNLOAD_TLS_MIN_VERSION`` ... through
``crawler.downloader.scrapy_private``), with a trust store added: the file named by
``TLS_CA_BUNDLE``, else OpenSSL's default paths (so ``SSL_CERT_FILE`` and ``SSL_CERT_DIR`` work).
Every connection checks the chain (OpenSSL) and the host name (service_identity, as Twisted does)
and notes the first problem in its `Verification`. Where verification is enforced (``TLS_VERIFY``,
less ``TLS_VERIFY_EXCEPT_HOSTS``) a problem aborts the handshake before a byte of the request is
sent; the handler then raises `TlsRefused`. Where it is not, the connection goes on and the
problem is kept, so the archive says what would have failed.

After the handshake, `session_meta` reads the session's facts for ``request.meta``: the protocol
(``tls/1.3``), the cipher suite by its IANA name, whether it was verified, the verification result
and the chain the server sent, in PEM.
"""

from __future__ import annotations

import logging
import weakref
from dataclasses import dataclass
from ipaddress import ip_address
from typing import Any

from cryptography.hazmat.primitives.serialization import Encoding
from OpenSSL import SSL
from scrapy.exceptions import IgnoreRequest
from service_identity import CertificateError, VerificationError
from service_identity.cryptography import verify_certificate_hostname, verify_certificate_ip_address
from twisted.internet.interfaces import IOpenSSLClientConnectionCreator
from twisted.web.iweb import IPolicyForHTTPS
from zope.interface import implementer  # type: ignore[import-untyped]

from crawler import meta
from crawler.downloader.config import TlsConfig

logger = logging.getLogger(__name__)

# X509_V_ERR_* codes: the reason counted (tls/failed/{reason}) and what it means.
X509_ERRORS: dict[int, tuple[str, str]] = {
    2: ("unknown_issuer", "the issuer certificate is not trusted or not known"),
    7: ("bad_signature", "the certificate signature does not verify"),
    9: ("not_yet_valid", "the certificate is not yet valid"),
    10: ("expired", "the certificate has expired"),
    18: ("self_signed", "the certificate is self-signed and not trusted"),
    19: ("self_signed_in_chain", "a self-signed certificate in the chain is not trusted"),
    20: ("unknown_issuer", "the issuer certificate is not trusted or not known"),
    21: ("unknown_issuer", "the leaf certificate's issuer is not known"),
    23: ("revoked", "the certificate is revoked"),
    24: ("invalid_ca", "an intermediate is not a valid CA certificate"),
    26: ("invalid_purpose", "the certificate is not for TLS servers"),
}

# OpenSSL's names of TLS 1.2 and older suites -> IANA's (TLS 1.3 suites have the IANA names).
IANA_CIPHER_SUITES = {
    "ECDHE-ECDSA-AES128-GCM-SHA256": "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
    "ECDHE-RSA-AES128-GCM-SHA256": "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
    "ECDHE-ECDSA-AES256-GCM-SHA384": "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
    "ECDHE-RSA-AES256-GCM-SHA384": "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
    "ECDHE-ECDSA-CHACHA20-POLY1305": "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
    "ECDHE-RSA-CHACHA20-POLY1305": "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
    "DHE-RSA-AES128-GCM-SHA256": "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256",
    "DHE-RSA-AES256-GCM-SHA384": "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384",
    "DHE-RSA-CHACHA20-POLY1305": "TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
    "ECDHE-ECDSA-AES128-SHA256": "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256",
    "ECDHE-RSA-AES128-SHA256": "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256",
    "ECDHE-ECDSA-AES256-SHA384": "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384",
    "ECDHE-RSA-AES256-SHA384": "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384",
    "ECDHE-ECDSA-AES128-SHA": "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA",
    "ECDHE-RSA-AES128-SHA": "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA",
    "ECDHE-ECDSA-AES256-SHA": "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA",
    "ECDHE-RSA-AES256-SHA": "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA",
    "DHE-RSA-AES128-SHA256": "TLS_DHE_RSA_WITH_AES_128_CBC_SHA256",
    "DHE-RSA-AES256-SHA256": "TLS_DHE_RSA_WITH_AES_256_CBC_SHA256",
    "DHE-RSA-AES128-SHA": "TLS_DHE_RSA_WITH_AES_128_CBC_SHA",
    "DHE-RSA-AES256-SHA": "TLS_DHE_RSA_WITH_AES_256_CBC_SHA",
    "AES128-GCM-SHA256": "TLS_RSA_WITH_AES_128_GCM_SHA256",
    "AES256-GCM-SHA384": "TLS_RSA_WITH_AES_256_GCM_SHA384",
    "AES128-SHA256": "TLS_RSA_WITH_AES_128_CBC_SHA256",
    "AES256-SHA256": "TLS_RSA_WITH_AES_256_CBC_SHA256",
    "AES128-SHA": "TLS_RSA_WITH_AES_128_CBC_SHA",
    "AES256-SHA": "TLS_RSA_WITH_AES_256_CBC_SHA",
    "DES-CBC3-SHA": "TLS_RSA_WITH_3DES_EDE_CBC_SHA",
}


# Each TLS connection's check (Twisted keeps the connection's app data for itself).
_CHECKS: weakref.WeakKeyDictionary[SSL.Connection, Verification] = weakref.WeakKeyDictionary()


class TlsRefused(IgnoreRequest):
    """An https request refused because the server's certificate did not verify."""

    def __init__(self, host: str, reason: str, detail: str) -> None:
        super().__init__(f"{host}: {detail} (TLS_VERIFY refuses it)")
        self.host = host
        self.reason = reason
        self.detail = detail


@dataclass
class Verification:
    """One connection's check: the first problem found, if any."""

    host: str
    enforced: bool
    reason: str | None = None  # X509_ERRORS' reason, "hostname_mismatch" or "error"
    detail: str | None = None
    session: dict[str, Any] | None = None  # session_meta, once read

    def fail(self, reason: str, detail: str) -> None:
        if self.reason is None:
            self.reason, self.detail = reason, detail

    @property
    def result(self) -> str:
        return "ok" if self.reason is None else f"{self.reason}: {self.detail}"


@implementer(IPolicyForHTTPS)
class VerifyingPolicy:
    """The handler's TLS policy; `for_request` gives one that reports into a request's list."""

    def __init__(self, options: Any, config: TlsConfig, sink: list[Verification] | None = None):
        self._options = options  # Scrapy's CertificateOptions: its context is made once, here
        self._config = config
        self._sink = sink
        if sink is None:
            context = options.getContext()
            if config.ca_bundle is not None:
                context.load_verify_locations(str(config.ca_bundle))
            else:
                context.set_default_verify_paths()

    def for_request(self, sink: list[Verification]) -> VerifyingPolicy:
        return VerifyingPolicy(self._options, self._config, sink)

    def creatorForNetloc(self, hostname: bytes, port: int) -> _Creator:
        host = hostname.decode("ascii")
        check = Verification(f"{host}:{port}", self._config.verifies(host))
        if self._sink is not None:
            self._sink.append(check)
        return _Creator(self._options, host, check)


@implementer(IOpenSSLClientConnectionCreator)
class _Creator:
    def __init__(self, options: Any, host: str, check: Verification) -> None:
        self._options = options
        self._host = host
        self._check = check
        try:
            self._ip: str | None = str(ip_address(host.strip("[]")))
        except ValueError:
            self._ip = None

    def clientConnectionForTLS(self, tlsProtocol: Any) -> SSL.Connection:
        connection: SSL.Connection = self._options.clientConnectionForTLS(tlsProtocol)
        if self._ip is None:
            connection.set_tlsext_host_name(self._host.encode("idna"))
        _CHECKS[connection] = self._check
        connection.set_verify(SSL.VERIFY_PEER, self._verify)
        return connection

    def _verify(self, connection: Any, cert: Any, errno: int, depth: int, ok: int) -> bool:
        check = self._check
        try:
            if not ok:
                reason, text = X509_ERRORS.get(errno, (f"x509_error_{errno}", "does not verify"))
                check.fail(reason, f"{text} (X509 error {errno}, certificate {depth})")
            if depth == 0:
                self._check_name(cert.to_cryptography())
        except Exception as exc:  # an exception inside an OpenSSL callback would be lost
            check.fail("error", f"verification failed: {exc!r}")
        return check.reason is None or not check.enforced

    def _check_name(self, certificate: Any) -> None:
        try:
            if self._ip is not None:
                verify_certificate_ip_address(certificate, self._ip)
            else:
                verify_certificate_hostname(certificate, self._host)
        except (VerificationError, CertificateError) as exc:
            self._check.fail(
                "hostname_mismatch", f"the certificate is not for {self._host} ({exc})"
            )


def session_meta(connection: Any) -> dict[str, Any] | None:
    """The ``request.meta`` TLS keys of an established connection, or None if it is not TLS."""
    if not isinstance(connection, SSL.Connection):
        return None
    check = _CHECKS.get(connection)
    if check is None:
        return None
    if check.session is None:
        version = connection.get_protocol_version_name()  # "TLSv1.3", "TLSv1" ...
        number = version.removeprefix("TLSv").removeprefix("SSLv")
        name = connection.get_cipher_name() or ""
        chain = connection.get_peer_cert_chain(as_cryptography=True) or []
        check.session = {
            meta.TLS_PROTOCOL: f"{'ssl' if version.startswith('SSL') else 'tls'}/"
            + (number if "." in number else f"{number}.0"),
            meta.TLS_CIPHER_SUITE: IANA_CIPHER_SUITES.get(name, name) or None,
            meta.TLS_VERIFIED: check.enforced and check.reason is None and bool(chain),
            meta.TLS_VERIFY_RESULT: check.result if chain else "no certificate",
            meta.TLS_CHAIN: tuple(c.public_bytes(Encoding.PEM).decode("ascii") for c in chain),
        }
    return dict(check.session)


def refusal(checks: list[Verification]) -> Verification | None:
    """The enforced check that failed among a request's connections, if one did."""
    return next((c for c in checks if c.enforced and c.reason is not None), None)
