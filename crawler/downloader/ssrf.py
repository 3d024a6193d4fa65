"""Which network addresses a crawler may connect to: the SSRF address policy, as pure functions.

A crawler follows links that strangers write and runs next to cloud credentials, so by default
it connects only to public unicast addresses. Blocked, with the reason that is counted and logged:

- ``cloud-metadata``: the instance metadata services of the big clouds (169.254.169.254,
  fd00:ec2::254, 100.100.100.200 ...), even inside a network that is otherwise allowed;
- ``unspecified`` (0.0.0.0/8, ::), ``loopback``, ``link-local``, ``multicast``,
  ``cgnat`` (100.64.0.0/10), ``private`` (RFC 1918, unique-local and site-local IPv6);
- ``reserved``: every other special-purpose block (documentation, benchmarking, 240/4, ...).

An IPv6 address that carries an IPv4 one (IPv4-mapped ``::ffff:a.b.c.d``, NAT64 ``64:ff9b::/96``,
6to4 ``2002::/16``) is judged by the IPv4 address inside it. ``ALLOW_PRIVATE_NETWORKS`` opens
networks; a metadata address is opened only by a network holding that one address (a /32 or
/128), never by a wider one that happens to contain it.

The connection-time enforcement that applies this policy is in ``crawler.downloader.guard``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network, ip_address, ip_network

IPAddress = IPv4Address | IPv6Address
IPNetwork = IPv4Network | IPv6Network

CLOUD_METADATA = frozenset(
    ip_address(address)
    for address in (
        "169.254.169.254",  # AWS, GCP, Azure, OpenStack, DigitalOcean, Hetzner ... (IMDS)
        "169.254.169.253",  # AWS VPC DNS resolver
        "169.254.169.123",  # AWS time sync
        "169.254.170.2",  # AWS ECS task metadata and credentials
        "169.254.170.23",  # AWS EKS Pod Identity credentials
        "169.254.0.23",  # Tencent Cloud metadata
        "100.100.100.200",  # Alibaba Cloud metadata
        "192.0.0.192",  # Oracle Cloud metadata
        "168.63.129.16",  # Azure WireServer (a public address, used only by the platform)
        "fd00:ec2::254",  # AWS IMDS over IPv6
        "fd00:ec2::23",  # AWS EKS Pod Identity over IPv6
        "fd00:ec2::123",  # AWS time sync over IPv6
    )
)

# IANA special-purpose blocks, most specific first where they nest.
_SPECIAL: tuple[tuple[IPNetwork, str], ...] = tuple(
    (ip_network(network), reason)
    for network, reason in (
        ("0.0.0.0/8", "unspecified"),
        ("10.0.0.0/8", "private"),
        ("100.64.0.0/10", "cgnat"),
        ("127.0.0.0/8", "loopback"),
        ("169.254.0.0/16", "link-local"),
        ("172.16.0.0/12", "private"),
        ("192.0.0.0/24", "reserved"),
        ("192.0.2.0/24", "reserved"),
        ("192.88.99.0/24", "reserved"),
        ("192.168.0.0/16", "private"),
        ("198.18.0.0/15", "reserved"),
        ("198.51.100.0/24", "reserved"),
        ("203.0.113.0/24", "reserved"),
        ("224.0.0.0/4", "multicast"),
        ("240.0.0.0/4", "reserved"),
        ("::/128", "unspecified"),
        ("::1/128", "loopback"),
        ("::/96", "reserved"),  # IPv4-compatible, deprecated
        ("64:ff9b:1::/48", "reserved"),  # local-use NAT64
        ("100::/64", "reserved"),  # discard-only
        ("2001::/23", "reserved"),  # IETF protocol assignments, Teredo among them
        ("2001:db8::/32", "reserved"),
        ("3fff::/20", "reserved"),
        ("fc00::/7", "private"),
        ("fe80::/10", "link-local"),
        ("fec0::/10", "private"),
        ("ff00::/8", "multicast"),
    )
)
_NAT64 = ip_network("64:ff9b::/96")


def parse_address(text: str) -> IPAddress | None:
    """An IP address from its text (brackets and an IPv6 zone allowed), or None."""
    text = text.strip().removeprefix("[").removesuffix("]").partition("%")[0]
    try:
        return ip_address(text)
    except ValueError:
        return None


def embedded_ipv4(address: IPAddress) -> IPv4Address | None:
    """The IPv4 address an IPv6 one carries, for the forms that route to it."""
    if isinstance(address, IPv4Address):
        return None
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address in _NAT64:
        return IPv4Address(int(address) & 0xFFFFFFFF)
    return address.sixtofour


def address_class(address: IPAddress) -> str | None:
    """Why `address` is not a public unicast address, or None if it is one."""
    if address in CLOUD_METADATA:
        return "cloud-metadata"
    inner = embedded_ipv4(address)
    if inner is not None:
        return address_class(inner)
    for network, reason in _SPECIAL:
        if address.version == network.version and address in network:
            return reason
    if address.is_reserved or not address.is_global:
        return "reserved"
    return None


@dataclass(frozen=True, slots=True)
class AddressPolicy:
    """The addresses a crawl may connect to: public ones, plus the `allowed` networks."""

    allowed: tuple[IPNetwork, ...] = ()

    @classmethod
    def allowing(cls, networks: Iterable[str]) -> AddressPolicy:
        """From CIDR texts; raises ValueError naming the first that does not parse."""
        return cls(tuple(ip_network(network.strip(), strict=True) for network in networks))

    def blocked_reason(self, address: str | IPAddress) -> str | None:
        """Why a connection to `address` is refused, or None if it may be made."""
        parsed = parse_address(address) if isinstance(address, str) else address
        if parsed is None:
            return "invalid"
        reason = address_class(parsed)
        if reason is None or self._opened(parsed, reason):
            return None
        return reason

    def _opened(self, address: IPAddress, reason: str) -> bool:
        candidates = [address]
        inner = embedded_ipv4(address)
        if inner is not None:
            candidates.append(inner)
        for network in self.allowed:
            for candidate in candidates:
                if candidate.version != network.version or candidate not in network:
                    continue
                if reason != "cloud-metadata" or network.num_addresses == 1:
                    return True
        return False
