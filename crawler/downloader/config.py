"""The download handler's config: which private networks the SSRF guard opens, and how https
certificates are verified."""

from __future__ import annotations

from dataclasses import dataclass
from ipaddress import IPv4Network, IPv6Network, ip_network
from pathlib import Path

from scrapy.settings import BaseSettings
from scrapy.utils.misc import load_object

from crawler.config import ConfigError, optional, read


@dataclass(frozen=True, slots=True)
class GuardConfig:
    allowed_networks: tuple[IPv4Network | IPv6Network, ...]  # ALLOW_PRIVATE_NETWORKS
    tls: TlsConfig  # TLS_VERIFY, TLS_VERIFY_EXCEPT_HOSTS, TLS_CA_BUNDLE

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> GuardConfig:
        check_guarded_handlers(settings)
        networks = []
        for item in read(settings, "ALLOW_PRIVATE_NETWORKS", settings.getlist):
            text = str(item).strip()
            if not text:
                continue
            try:
                networks.append(ip_network(text, strict=True))
            except ValueError as exc:
                raise ConfigError(
                    f"setting ALLOW_PRIVATE_NETWORKS: {text!r} is not a network in CIDR form "
                    f"such as '10.1.0.0/16' or '127.0.0.1' ({exc})"
                ) from exc
        return cls(allowed_networks=tuple(networks), tls=TlsConfig.from_settings(settings))


def check_guarded_handlers(settings: BaseSettings) -> None:
    """The SSRF guard lives in the download handler: http and https must use one that has it."""
    handlers = settings.getwithbase("DOWNLOAD_HANDLERS")
    for scheme in ("http", "https"):
        path = handlers.get(scheme)
        if path is None:
            continue  # the scheme is switched off: nothing is fetched over it
        handler = load_object(path) if isinstance(path, str) else path
        if not getattr(handler, "ssrf_guard", False):
            raise ConfigError(
                f"setting DOWNLOAD_HANDLERS: {scheme!r} uses {path!r}, which has no SSRF guard; "
                "use crawler.downloader.handler.ArchivalDownloadHandler or a subclass of it"
            )


@dataclass(frozen=True, slots=True)
class TlsConfig:
    verify: bool  # TLS_VERIFY: refuse an https server whose chain or host name does not verify
    except_hosts: tuple[str, ...]  # TLS_VERIFY_EXCEPT_HOSTS: hosts (and subdomains) not verified
    ca_bundle: Path | None  # TLS_CA_BUNDLE: trust these CAs instead of OpenSSL's default paths

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> TlsConfig:
        factory = settings.get("DOWNLOADER_CLIENTCONTEXTFACTORY")
        if factory not in (None, "SENTINEL"):
            raise ConfigError(
                f"setting DOWNLOADER_CLIENTCONTEXTFACTORY: {factory!r} would replace the "
                "certificate verification of crawler.downloader.tls; leave it unset and use "
                "TLS_VERIFY, TLS_VERIFY_EXCEPT_HOSTS and TLS_CA_BUNDLE"
            )
        hosts = read(settings, "TLS_VERIFY_EXCEPT_HOSTS", settings.getlist)
        bundle = optional(settings, "TLS_CA_BUNDLE")
        if bundle is not None and not Path(bundle).is_file():
            raise ConfigError(f"setting TLS_CA_BUNDLE: {bundle!r} is not a file")
        return cls(
            verify=read(settings, "TLS_VERIFY", lambda name: settings.getbool(name, True)),
            except_hosts=tuple(h.strip().lower().strip(".") for h in hosts if h.strip()),
            ca_bundle=Path(bundle) if bundle is not None else None,
        )

    def verifies(self, host: str) -> bool:
        """Whether a failed verification refuses the connection to `host`."""
        host = host.lower().rstrip(".")
        excepted = any(host == h or host.endswith("." + h) for h in self.except_hosts)
        return self.verify and not excepted
