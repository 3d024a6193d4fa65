"""The observation settings: how often the progress line is logged, where metrics are served."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from scrapy.settings import BaseSettings

from crawler.config import ConfigError, integer, number


@dataclass(frozen=True, slots=True)
class ObserveConfig:
    progress_interval: float  # seconds between progress lines; 0: none
    prometheus_port: int  # 0: no metrics endpoint
    prometheus_address: str  # the address the endpoint listens on

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> ObserveConfig:
        port = integer(settings, "PROMETHEUS_PORT", 0)
        if port > 65535:
            raise ConfigError(f"setting PROMETHEUS_PORT: must be a port (1-65535) or 0, got {port}")
        address = str(settings.get("PROMETHEUS_ADDRESS") or "").strip()
        try:
            ipaddress.ip_address(address)
        except ValueError as exc:
            raise ConfigError(
                f"setting PROMETHEUS_ADDRESS: must be an IP address, got {address!r}"
            ) from exc
        return cls(number(settings, "PROGRESS_INTERVAL", 0), port, address)
