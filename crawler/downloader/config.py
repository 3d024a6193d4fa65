"""The download handler's config: which private networks the SSRF guard opens."""

from __future__ import annotations

from dataclasses import dataclass
from ipaddress import IPv4Network, IPv6Network, ip_network

from scrapy.settings import BaseSettings
from scrapy.utils.misc import load_object

from crawler.config import ConfigError, read


@dataclass(frozen=True, slots=True)
class GuardConfig:
    allowed_networks: tuple[IPv4Network | IPv6Network, ...]  # ALLOW_PRIVATE_NETWORKS

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
        return cls(allowed_networks=tuple(networks))


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
