"""The SSRF guard: the address policy (pure unit tests, the only place metadata and private
addresses appear) and the guarded endpoint with a real reactor. Real crawls against it:
test_ssrf_crawls.py."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from typing import Any

import pytest
from scrapy.settings import Settings

from crawler.config import ConfigError
from crawler.downloader.config import GuardConfig
from crawler.downloader.ssrf import AddressPolicy, address_class, parse_address
from settings import base
from tests.servers.demo import ROOT

# --- The address policy: every kind of address, no traffic -------------------------------------

BLOCKED = {
    "127.0.0.1": "loopback",
    "127.255.255.254": "loopback",
    "::1": "loopback",
    "[::1]": "loopback",
    "0.0.0.0": "unspecified",
    "0.1.2.3": "unspecified",
    "::": "unspecified",
    "10.1.2.3": "private",
    "172.16.0.1": "private",
    "172.31.255.255": "private",
    "192.168.1.1": "private",
    "fc00::1": "private",
    "fd12:3456::1": "private",
    "fec0::1": "private",
    "169.254.1.1": "link-local",
    "fe80::1": "link-local",
    "fe80::1%eth0": "link-local",
    "100.64.0.1": "cgnat",
    "100.127.255.254": "cgnat",
    "224.0.0.1": "multicast",
    "239.255.255.250": "multicast",
    "ff02::1": "multicast",
    "255.255.255.255": "reserved",
    "240.0.0.1": "reserved",
    "192.0.2.1": "reserved",
    "198.18.0.1": "reserved",
    "198.51.100.7": "reserved",
    "203.0.113.9": "reserved",
    "2001:db8::1": "reserved",
    "2001::1": "reserved",
    "100::1": "reserved",
    "::a9fe:a9fe": "reserved",
    "169.254.169.254": "cloud-metadata",
    "fd00:ec2::254": "cloud-metadata",
    "169.254.170.2": "cloud-metadata",
    "100.100.100.200": "cloud-metadata",
    "192.0.0.192": "cloud-metadata",
    "168.63.129.16": "cloud-metadata",
    "::ffff:127.0.0.1": "loopback",
    "::ffff:10.0.0.1": "private",
    "::ffff:169.254.169.254": "cloud-metadata",
    "64:ff9b::a9fe:a9fe": "cloud-metadata",
    "2002:a9fe:a9fe::1": "cloud-metadata",
    "2002:0a00:0001::1": "private",
}
PUBLIC = (
    "8.8.8.8",
    "1.1.1.1",
    "93.184.216.34",
    "2606:4700:4700::1111",
    "2a00:1450::1",
    "2002:0808:0808::1",
    "::ffff:8.8.8.8",
    "64:ff9b::808:808",
)


@pytest.mark.parametrize("address, reason", BLOCKED.items())
def test_non_public_addresses_are_blocked_with_their_reason(address: str, reason: str) -> None:
    assert AddressPolicy().blocked_reason(address) == reason


@pytest.mark.parametrize("address", PUBLIC)
def test_public_addresses_are_allowed(address: str) -> None:
    assert AddressPolicy().blocked_reason(address) is None


def test_a_host_name_is_not_an_address() -> None:
    assert parse_address("example.org") is None
    assert AddressPolicy().blocked_reason("example.org") == "invalid"


def test_allowed_networks_open_exactly_themselves() -> None:
    policy = AddressPolicy.allowing(["127.0.0.1/32", "10.20.0.0/16", "fd00:1::/64"])
    assert policy.blocked_reason("127.0.0.1") is None
    assert policy.blocked_reason("::ffff:127.0.0.1") is None
    assert policy.blocked_reason("127.0.0.2") == "loopback"
    assert policy.blocked_reason("10.20.3.4") is None
    assert policy.blocked_reason("10.21.0.1") == "private"
    assert policy.blocked_reason("fd00:1::5") is None
    assert policy.blocked_reason("fd00:2::5") == "private"
    assert policy.blocked_reason("192.168.0.1") == "private"


def test_a_metadata_address_opens_only_on_its_own() -> None:
    wide = AddressPolicy.allowing(["169.254.0.0/16", "0.0.0.0/0", "::/0"])
    assert wide.blocked_reason("169.254.1.1") is None
    assert wide.blocked_reason("169.254.169.254") == "cloud-metadata"
    assert wide.blocked_reason("fd00:ec2::254") == "cloud-metadata"
    assert AddressPolicy.allowing(["169.254.169.254/32"]).blocked_reason("169.254.169.254") is None


def test_address_class_of_a_public_address_is_none() -> None:
    assert address_class(parse_address("8.8.4.4")) is None  # type: ignore[arg-type]


def safety(**overrides: Any) -> GuardConfig:
    settings = Settings()
    settings.setmodule(base)
    settings.update(overrides)
    return GuardConfig.from_settings(settings)


def test_guard_is_on_by_default_and_opens_nothing() -> None:
    assert base.ALLOW_PRIVATE_NETWORKS == []
    assert safety().allowed_networks == ()


def test_networks_from_the_command_line_are_parsed() -> None:
    config = safety(ALLOW_PRIVATE_NETWORKS="127.0.0.1, 10.0.0.0/8,")
    assert [str(network) for network in config.allowed_networks] == ["127.0.0.1/32", "10.0.0.0/8"]


@pytest.mark.parametrize("value", ["10.0.0.1/8", "localhost", "300.1.1.1/32", "10.0.0.0/33"])
def test_a_bad_network_stops_the_crawl_naming_the_setting(value: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(f"setting ALLOW_PRIVATE_NETWORKS: {value!r}")):
        safety(ALLOW_PRIVATE_NETWORKS=[value])


def test_a_download_handler_without_the_guard_is_refused() -> None:
    handlers = {"http": "scrapy.core.downloader.handlers.http11.HTTP11DownloadHandler"}
    with pytest.raises(ConfigError, match="setting DOWNLOAD_HANDLERS: 'http' uses"):
        safety(DOWNLOAD_HANDLERS=handlers)
    assert safety(DOWNLOAD_HANDLERS={"http": None, "https": None}).allowed_networks == ()


# --- The guarded endpoint, with a real reactor -----------------------------------------------


def test_guarded_endpoint_checks_the_address_it_connects_to() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "tests.servers.endpoint_probe"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    probe = json.loads(result.stdout)
    # Twisted sends IP literals through the installed resolver too; the guard does not rely on
    # it: it judges a literal itself, and connects only to the addresses it judged.
    assert probe["literal_through_resolver"] is True
    assert probe["guard_literal"].startswith("BlockedAddress: 127.0.0.1 is a loopback address")
    assert probe["guard_literal_connections"] == 0
    assert probe["guard_mixed"] == "connected to 127.0.0.1"
    for key in ("guard_inside", "guard_https_inside"):
        assert probe[key].startswith(
            "BlockedAddress: inside.test resolves to 127.0.0.2, which is a loopback address"
        ), probe[key]
