"""The SSRF guard in real crawls: two loopback servers, only 127.0.0.1 allowed; the second
server, on 127.0.0.2, must never be reached: not by a link, a redirect, a name that resolves to
it, a numeric form of its address, nor through a proxy. (The address policy and the guarded
endpoint alone: test_ssrf.py.)"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import pytest

from tests.servers.demo import crawl
from tests.servers.http import HttpServer, LoggedRequest
from tests.warcs import WarcRecord, read_warc

CRAWL_ID = "ssrf-20221012000000"
RESOLVER = "tests.servers.resolver.HostsResolver"
ARTICLE = "/2022/10/12/nato-increase-arms-production-ukraine/"


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
    reports = root / "reports"  # one report per crawl, or one per crawler process
    (report,) = sorted((reports / CRAWL_ID).glob("*.json")) or [reports / f"{CRAWL_ID}.json"]
    stats = json.loads(report.read_text())["stats"]
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
