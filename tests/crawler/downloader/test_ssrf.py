"""The SSRF guard: the address policy (pure unit tests, the only place metadata and private
addresses appear), the guarded endpoint with a real reactor, and real crawls in which a second
server on 127.0.0.2 must never be reached: not by a link, a redirect, a name that resolves to
it, a numeric form of its address, nor through a proxy."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import pytest
from scrapy.settings import Settings

from crawler.downloader.ssrf import AddressPolicy, address_class, parse_address
from settings import base
from settings.config import ConfigError, SafetyConfig
from tests.servers.demo import ROOT, crawl
from tests.servers.http import HttpServer, LoggedRequest
from tests.warcs import WarcRecord, read_warc

CRAWL_ID = "ssrf-20221012000000"
RESOLVER = "tests.servers.resolver.HostsResolver"
ARTICLE = "/2022/10/12/nato-increase-arms-production-ukraine/"

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


def safety(**overrides: Any) -> SafetyConfig:
    settings = Settings()
    settings.setmodule(base)
    settings.update(overrides)
    return SafetyConfig.from_settings(settings)


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


# --- Crawls: two loopback servers, only 127.0.0.1 allowed --------------------------------------


@dataclass
class Crawled:
    allowed: list[LoggedRequest]  # what the server on 127.0.0.1 was asked
    inside: list[LoggedRequest]  # what the server on 127.0.0.2 was asked
    inside_port: int
    stats: dict[str, Any]
    log: str
    responses: list[WarcRecord]


def run_crawl(
    tmp: Path,
    start: str,
    domains: list[str],
    hosts: dict[str, list[str]],
    allowed: HttpServer,
    inside: HttpServer,
) -> Crawled:
    seeds = tmp / "ssrf.toml"
    seeds.write_text(
        f'name = "ssrf"\nstart_urls = [{json.dumps(start)}]\n'
        f"allowed_domains = {json.dumps(domains)}\nrelated_depth = 0\n"
        'contact = "https://example.org/newsarchive-tests"\n'
    )
    root = tmp / "archive"
    result = crawl(
        allowed.base_url,
        str(root),
        CRAWL_ID,
        seeds=str(seeds),
        capture=True,
        log_file=tmp / "crawl.log",
        extra={
            "STORE_SPOOL_DIR": str(tmp / "spool"),
            "TWISTED_DNS_RESOLVER": RESOLVER,
            "TEST_RESOLVER_HOSTS": json.dumps(hosts),
            "RETRY_ENABLED": "False",
        },
    )
    log = (tmp / "crawl.log").read_text("utf-8")
    assert result.returncode == 0, result.stderr + log
    stats = json.loads((root / "reports" / f"{CRAWL_ID}.json").read_text())["stats"]
    warcs = sorted((root / "warc" / CRAWL_ID).glob("*.warc.gz"))
    return Crawled(
        allowed=allowed.requests(),
        inside=inside.requests(),
        inside_port=inside.port,
        stats=stats,
        log=log,
        responses=[r for w in warcs for r in read_warc(w) if r.rec_type == "response"],
    )


def links(base_url: str, targets: list[str]) -> str:
    return f"{base_url}/special/links?" + "&".join(f"to={quote(t, safe='')}" for t in targets)


@pytest.fixture(scope="module")
def servers() -> Any:
    with HttpServer() as allowed, HttpServer(host="127.0.0.2") as inside:
        yield allowed, inside


@pytest.fixture(scope="module")
def direct(tmp_path_factory: pytest.TempPathFactory, servers: Any) -> Crawled:
    allowed, inside = servers
    a, b = allowed.port, inside.port
    targets = [
        f"http://127.0.0.2:{b}/literal",  # a link to the other server
        f"{allowed.base_url}/special/redirect?to={quote(f'http://127.0.0.2:{b}/redirected')}",
        f"http://inside.test:{b}/by-name",  # a name that resolves to it
        f"{allowed.base_url}/special/redirect?to={quote(f'http://inside.test:{b}/redir-name')}",
        f"http://2130706434:{b}/decimal",  # 127.0.0.2 written as one number
        f"http://0x7f000002:{b}/hex",
        f"http://outside.test:{a}{ARTICLE}",  # a name that resolves to the allowed server
        f"http://mixed.test:{a}/robots.txt",  # resolves to 127.0.0.2, then 127.0.0.1
    ]
    return run_crawl(
        tmp_path_factory.mktemp("ssrf"),
        links(allowed.base_url, targets),
        [
            "127.0.0.1",
            "127.0.0.2",
            "inside.test",
            "outside.test",
            "mixed.test",
            "2130706434",
            "0x7f000002",
        ],
        {
            "inside.test": ["127.0.0.2"],
            "outside.test": ["127.0.0.1"],
            "mixed.test": ["127.0.0.2", "127.0.0.1"],
        },
        allowed,
        inside,
    )


def test_the_inside_server_never_gets_a_request(direct: Crawled) -> None:
    assert direct.inside == []


def test_allowed_names_and_the_allowed_half_of_a_mixed_name_are_fetched(direct: Crawled) -> None:
    hosts = {(r.header("Host") or "").partition(":")[0] for r in direct.allowed}
    assert {"127.0.0.1", "outside.test", "mixed.test"} <= hosts
    assert len([r for r in direct.allowed if r.path.startswith("/special/redirect?")]) == 2


@pytest.mark.parametrize(
    "path, host",
    [
        ("/literal", "127.0.0.2"),
        ("/redirected", "127.0.0.2"),
        ("/by-name", "inside.test"),
        ("/redir-name", "inside.test"),
        ("/decimal", "2130706434"),
        ("/hex", "0x7f000002"),
    ],
)
def test_each_way_in_is_blocked_logged_with_url_and_reason(
    direct: Crawled, path: str, host: str
) -> None:
    url = f"http://{host}:{direct.inside_port}{path}"
    lines = [line for line in direct.log.splitlines() if f"blocked {url}: " in line]
    assert lines, f"no 'blocked' line for {url}"
    assert "127.0.0.2" in lines[0] and "loopback address" in lines[0]


def test_blocked_requests_are_counted_and_not_archived(direct: Crawled) -> None:
    # Six pages, and the robots.txt of the four blocked host:port pairs.
    assert direct.stats["ssrf/blocked"] == direct.stats["ssrf/blocked/loopback"] == 10
    assert direct.stats["news/failed/BlockedAddress"] == 6
    archived_hosts = {urlsplit(r.uri).hostname for r in direct.responses}
    assert archived_hosts == {"127.0.0.1", "outside.test", "mixed.test"}
    redirects = [r for r in direct.responses if urlsplit(r.uri).path == "/special/redirect"]
    assert len(redirects) == 2 and {r.http_status for r in redirects} == {302}


@pytest.fixture(scope="module")
def proxied(tmp_path_factory: pytest.TempPathFactory, servers: Any) -> Any:
    allowed, inside = servers
    mp = pytest.MonkeyPatch()
    for name in ("no_proxy", "NO_PROXY", "https_proxy", "HTTPS_PROXY", "HTTP_PROXY"):
        mp.delenv(name, raising=False)
    mp.setenv("http_proxy", allowed.base_url)  # the allowed server answers as a proxy too
    a, b = allowed.port, inside.port
    start = links(
        f"http://outside.test:{a}",
        [
            f"http://127.0.0.2:{b}/via-proxy",
            f"http://inside.test:{b}/via-proxy-name",
            f"http://outside.test:{a}{ARTICLE}",
        ],
    )
    before = len(allowed.requests())
    try:
        crawled = run_crawl(
            tmp_path_factory.mktemp("proxied"),
            start,
            ["outside.test", "inside.test", "127.0.0.2"],
            {"inside.test": ["127.0.0.2"], "outside.test": ["127.0.0.1"]},
            allowed,
            inside,
        )
    finally:
        mp.undo()
    crawled.allowed = crawled.allowed[before:]
    return crawled


def test_a_proxy_does_not_carry_requests_past_the_guard(proxied: Crawled) -> None:
    targets = [r.path for r in proxied.allowed]
    # The crawl did go through the proxy: every request came in absolute form.
    assert targets and all(t.startswith("http://outside.test:") for t in targets)
    assert any(t.endswith(ARTICLE) and t.startswith("http://outside.test:") for t in targets)
    assert {urlsplit(t).hostname for t in targets} == {"outside.test"}
    assert proxied.inside == []
    assert proxied.stats["ssrf/blocked"] >= 2
    assert "blocked http://inside.test:" in proxied.log
