"""The SSRF guard at connection time: resolve, check every address, connect only to those checked.

Twisted's ``HostnameEndpoint`` resolves a name and connects to whatever comes back. Here
`GuardedEndpoint` takes its place: it resolves through the reactor's installed resolver (so
``TWISTED_DNS_RESOLVER`` still applies, and IP literals in URLs are judged the same way), drops
every address `crawler.downloader.ssrf.AddressPolicy` refuses, and connects to the remaining
addresses themselves, one after the other. The address checked is the address connected to: a name
that resolves inside, or that changes its answer between two lookups (DNS rebinding), is caught. A
redirect is a new request, so every hop is checked again.

Through an HTTP proxy the proxy resolves the target itself; `check_target` then resolves the
target here and refuses it if any of its addresses is blocked, or if it does not resolve here at
all. The proxy's own address is the operator's choice and is not checked.

`GuardedEndpointFactory` is a Twisted ``IAgentEndpointFactory``; ``crawler.downloader.handler``
builds its agents with it. When every address is refused, the connection fails with
`BlockedAddress`, an ``IgnoreRequest``: it is not retried, and no response exists to be archived.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from scrapy.exceptions import IgnoreRequest
from twisted.internet import error
from twisted.internet.address import IPv4Address, IPv6Address
from twisted.internet.defer import Deferred
from twisted.internet.endpoints import TCP4ClientEndpoint, TCP6ClientEndpoint, wrapClientTLS
from twisted.internet.interfaces import (
    IHostResolution,
    IResolutionReceiver,
    IStreamClientEndpoint,
)
from twisted.web.client import URI
from twisted.web.error import SchemeNotSupported
from twisted.web.iweb import IAgentEndpointFactory, IPolicyForHTTPS
from zope.interface import implementer  # type: ignore[import-untyped]

from crawler.downloader.ssrf import AddressPolicy, parse_address

if TYPE_CHECKING:
    from twisted.internet.interfaces import IProtocol, IProtocolFactory


class BlockedAddress(IgnoreRequest):
    """A request refused because the address it would connect to is not allowed."""

    def __init__(self, host: str, address: str, reason: str) -> None:
        where = host if host == address else f"{host} resolves to {address}, which"
        super().__init__(f"{where} is a {reason} address (ALLOW_PRIVATE_NETWORKS does not open it)")
        self.host = host
        self.address = address
        self.reason = reason


@implementer(IResolutionReceiver)
class _Collector:
    def __init__(self) -> None:
        self.addresses: list[str] = []
        self.done: Deferred[list[str]] = Deferred()

    def resolutionBegan(self, resolution: IHostResolution) -> None:
        pass

    def addressResolved(self, address: Any) -> None:
        if isinstance(address, IPv4Address | IPv6Address):
            self.addresses.append(address.host)

    def resolutionComplete(self) -> None:
        self.done.callback(self.addresses)


async def resolve(reactor: Any, host: str, port: int) -> list[str]:
    """The addresses of `host`, in the resolver's order, once each; an IP literal is itself."""
    literal = parse_address(host)
    if literal is not None:
        return [str(literal)]
    collector = _Collector()
    reactor.nameResolver.resolveHostName(collector, host, portNumber=port)
    return list(dict.fromkeys(await collector.done))


async def allowed_addresses(reactor: Any, host: str, port: int, policy: AddressPolicy) -> list[str]:
    """The addresses of `host` the policy allows; raises `BlockedAddress` if there are none."""
    addresses = await resolve(reactor, host, port)
    if not addresses:
        raise error.DNSLookupError(f"no results for hostname lookup: {host}")
    allowed = [address for address in addresses if policy.blocked_reason(address) is None]
    if not allowed:
        first = addresses[0]
        raise BlockedAddress(host, first, policy.blocked_reason(first) or "blocked")
    return allowed


def check_target(reactor: Any, host: str, port: int, policy: AddressPolicy) -> Deferred[None]:
    """For a request sent through a proxy: every address of `host` must be allowed."""
    return Deferred.fromCoroutine(_check_target(reactor, host, port, policy))


async def _check_target(reactor: Any, host: str, port: int, policy: AddressPolicy) -> None:
    addresses = await resolve(reactor, host, port)
    if not addresses:
        raise BlockedAddress(host, host, "unresolved")
    for address in addresses:
        reason = policy.blocked_reason(address)
        if reason is not None:
            raise BlockedAddress(host, address, reason)


@implementer(IStreamClientEndpoint)
class GuardedEndpoint:
    """A TCP client endpoint for a host name that connects only to allowed addresses."""

    def __init__(
        self,
        reactor: Any,
        host: str,
        port: int,
        policy: AddressPolicy,
        timeout: float | None = None,
        bind_address: tuple[str, int] | None = None,
    ) -> None:
        self._reactor = reactor
        self._host = host
        self._port = port
        self._policy = policy
        self._timeout = 30.0 if timeout is None else timeout
        self._bind_address = bind_address

    def connect(self, protocolFactory: IProtocolFactory) -> Deferred[IProtocol]:
        return Deferred.fromCoroutine(self._connect(protocolFactory))

    async def _connect(self, factory: IProtocolFactory) -> IProtocol:
        addresses = await allowed_addresses(self._reactor, self._host, self._port, self._policy)
        failure: Exception | None = None
        for address in addresses:
            kind = TCP6ClientEndpoint if ":" in address else TCP4ClientEndpoint
            endpoint = kind(self._reactor, address, self._port, self._timeout, self._bind_address)
            try:
                protocol: IProtocol = await endpoint.connect(factory)
                return protocol
            except error.ConnectError as exc:  # refused, unreachable, timed out: try the next
                failure = exc
        assert failure is not None
        raise failure


@implementer(IAgentEndpointFactory)
class GuardedEndpointFactory:
    """Endpoints for a Twisted ``Agent``: `GuardedEndpoint`, with TLS for https."""

    def __init__(
        self,
        reactor: Any,
        policy_for_https: IPolicyForHTTPS,
        connect_timeout: float | None,
        bind_address: tuple[str, int] | None,
        policy: AddressPolicy,
    ) -> None:
        self._reactor = reactor
        self._policy_for_https: Any = policy_for_https
        self._connect_timeout = connect_timeout
        self._bindAddress = bind_address  # Scrapy's _BindAddressAgent reads it for its pool key
        self._policy = policy

    def endpointForURI(self, uri: URI) -> IStreamClientEndpoint:
        try:
            host = uri.host.decode("ascii")
        except UnicodeDecodeError as exc:
            raise ValueError(f"the host {uri.host!r} is not ASCII") from exc
        endpoint = GuardedEndpoint(
            self._reactor, host, uri.port, self._policy, self._connect_timeout, self._bindAddress
        )
        if uri.scheme == b"http":
            return cast(IStreamClientEndpoint, endpoint)
        if uri.scheme == b"https":
            creator = self._policy_for_https.creatorForNetloc(uri.host, uri.port)
            return wrapClientTLS(creator, cast(IStreamClientEndpoint, endpoint))
        raise SchemeNotSupported(f"unsupported scheme: {uri.scheme!r}")
