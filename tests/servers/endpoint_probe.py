"""Connection-level facts about Twisted and `crawler.downloader.guard`, found with a real reactor.

    python -m tests.servers.endpoint_probe

Prints one JSON object. A listener on 127.0.0.1 counts the connections it accepts, and a
recording resolver, installed as the reactor's name resolver, notes every name it is asked for
(names in its table resolve there; others go to the resolver it replaced). It answers:

- ``literal_through_resolver``: does Twisted's ``HostnameEndpoint`` pass an IP literal to the
  installed resolver? (If it did not, a guard living only in a resolver would miss literals.)
- ``guard_literal``: `GuardedEndpoint` for 127.0.0.1 under a policy that opens nothing: the
  error, and whether any connection reached the listener.
- ``guard_mixed``: a name resolving to 127.0.0.2 then 127.0.0.1, with only 127.0.0.1 open: the
  address actually connected to.
- ``guard_inside``: a name resolving to 127.0.0.2 only: the error.
- ``guard_https_inside``: the same name in an https URL, through `GuardedEndpointFactory` (the
  TLS wrapper connects through the guard first): the error.
Runs in its own process because a reactor runs once per process.
"""

from __future__ import annotations

import json
from typing import Any

from twisted.internet import protocol, reactor
from twisted.internet.address import IPv4Address
from twisted.internet.endpoints import HostnameEndpoint
from twisted.internet.interfaces import IHostnameResolver
from twisted.web.client import URI, BrowserLikePolicyForHTTPS
from zope.interface import implementer  # type: ignore[import-untyped]

from crawler.downloader.guard import GuardedEndpoint, GuardedEndpointFactory
from crawler.downloader.ssrf import AddressPolicy

TABLE = {"mixed.test": ["127.0.0.2", "127.0.0.1"], "inside.test": ["127.0.0.2"]}


@implementer(IHostnameResolver)
class RecordingResolver:
    def __init__(self, system: Any) -> None:
        self.system = system
        self.asked: list[str] = []

    def resolveHostName(
        self,
        receiver: Any,
        hostName: str,
        portNumber: int = 0,
        addressTypes: Any = None,
        transportSemantics: str = "TCP",
    ) -> Any:
        self.asked.append(hostName)
        if hostName not in TABLE:
            return self.system.resolveHostName(
                receiver, hostName, portNumber, addressTypes, transportSemantics
            )
        receiver.resolutionBegan(None)
        for address in TABLE[hostName]:
            receiver.addressResolved(IPv4Address("TCP", address, portNumber))
        receiver.resolutionComplete()
        return None


class Counting(protocol.Factory):
    accepted = 0

    def buildProtocol(self, addr: Any) -> protocol.Protocol:
        Counting.accepted += 1
        return protocol.Protocol()


async def probe(port: int, resolver: RecordingResolver) -> dict[str, Any]:
    client = protocol.Factory.forProtocol(protocol.Protocol)
    result: dict[str, Any] = {}
    connected = await HostnameEndpoint(reactor, "127.0.0.1", port).connect(client)
    connected.transport.loseConnection()
    result["literal_through_resolver"] = "127.0.0.1" in resolver.asked
    before = Counting.accepted
    closed = GuardedEndpoint(reactor, "127.0.0.1", port, AddressPolicy())
    result["guard_literal"] = await outcome(closed, client)
    result["guard_literal_connections"] = Counting.accepted - before
    only_first = AddressPolicy.allowing(["127.0.0.1/32"])
    mixed = GuardedEndpoint(reactor, "mixed.test", port, only_first)
    result["guard_mixed"] = await outcome(mixed, client)
    inside = GuardedEndpoint(reactor, "inside.test", port, only_first)
    result["guard_inside"] = await outcome(inside, client)
    factory = GuardedEndpointFactory(reactor, BrowserLikePolicyForHTTPS(), 5, None, only_first)
    https = factory.endpointForURI(URI.fromBytes(f"https://inside.test:{port}/".encode()))
    result["guard_https_inside"] = await outcome(https, client)
    return result


async def outcome(endpoint: Any, client: protocol.Factory) -> str:
    try:
        connected = await endpoint.connect(client)
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"
    peer = connected.transport.getPeer()
    connected.transport.loseConnection()
    return f"connected to {peer.host}"


def main() -> None:
    from twisted.internet.defer import Deferred

    resolver = RecordingResolver(reactor.nameResolver)
    reactor.installNameResolver(resolver)
    port = reactor.listenTCP(0, Counting(), interface="127.0.0.1").getHost().port
    results: dict[str, Any] = {}

    def done(value: Any) -> None:
        results.update(value if isinstance(value, dict) else {"error": repr(value)})
        reactor.stop()

    Deferred.fromCoroutine(probe(port, resolver)).addBoth(done)
    reactor.run()
    print(json.dumps(results))


if __name__ == "__main__":
    main()
