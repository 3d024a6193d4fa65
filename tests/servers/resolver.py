"""A name resolver for test crawls: names from a table, and never a DNS query.

Set ``TWISTED_DNS_RESOLVER = "tests.servers.resolver.HostsResolver"`` and
``TEST_RESOLVER_HOSTS = {"inside.test": ["127.0.0.2"], ...}`` (a JSON object on the command line).
A name in the table resolves to its addresses, in order. A host made of digits, dots and hex
(``127.0.0.2``, ``2130706434``, ``0x7f.2``) is parsed by the system's resolver, which answers
such forms without asking the network. Any other name resolves to nothing: no test crawl sends
a DNS query off the machine.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, Self

from twisted.internet.address import IPv4Address, IPv6Address
from twisted.internet.interfaces import IHostnameResolver, IHostResolution, IResolutionReceiver
from zope.interface import implementer  # type: ignore[import-untyped]

_NUMERIC_HOST = re.compile(r"[0-9a-fA-FxX.]+")


@implementer(IHostResolution)
class _Resolution:
    def __init__(self, name: str) -> None:
        self.name = name

    def cancel(self) -> None:
        pass


@implementer(IHostnameResolver)
class HostsResolver:
    def __init__(self, reactor: Any, hosts: dict[str, list[str]]) -> None:
        self.reactor = reactor
        self.hosts = {name.lower(): list(addresses) for name, addresses in hosts.items()}
        self.system: Any = None

    @classmethod
    def from_crawler(cls, crawler: Any, reactor: Any) -> Self:
        return cls(reactor, crawler.settings.getdict("TEST_RESOLVER_HOSTS"))

    def install_on_reactor(self) -> None:
        self.system = self.reactor.nameResolver
        self.reactor.installNameResolver(self)

    def resolveHostName(
        self,
        resolutionReceiver: IResolutionReceiver,
        hostName: str,
        portNumber: int = 0,
        addressTypes: Sequence[type[Any]] | None = None,
        transportSemantics: str = "TCP",
    ) -> IHostResolution:
        addresses = self.hosts.get(hostName.lower())
        if addresses is None and _NUMERIC_HOST.fullmatch(hostName) and self.system is not None:
            return self.system.resolveHostName(
                resolutionReceiver, hostName, portNumber, addressTypes, transportSemantics
            )
        resolution = _Resolution(hostName)
        resolutionReceiver.resolutionBegan(resolution)
        for address in addresses or ():
            kind = IPv6Address if ":" in address else IPv4Address
            resolutionReceiver.addressResolved(kind("TCP", address, portNumber))
        resolutionReceiver.resolutionComplete()
        return resolution
