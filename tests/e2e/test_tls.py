"""Audit-grade HTTPS in real crawls: three HTTPS servers with certificates from a test CA
(tests/servers/https.py): good, for the wrong host name, expired. With the CA trusted
(``TLS_CA_BUNDLE``) and verification on (the default), the good server's pages are archived with
``WARC-Protocol`` and ``WARC-Cipher-Suite``, a chain record holds the test certificate, and the
records carry ``tls``; the other two are refused before a request is sent, counted and logged,
leave no response record, and the crawl goes on; the SSRF guard holds over https. With
``TLS_VERIFY=False`` every page is archived and marked, and `verify` names them.
"""

from __future__ import annotations

import hashlib
import io
import json
import ssl
import subprocess
import urllib.request
from pathlib import Path
from typing import Any

import pytest
import trustme
from warcio.archiveiterator import ArchiveIterator

from pipelines.storage import LocalStore
from pipelines.tools.verify import verify
from pipelines.warc.tls import CERTIFICATE_RECORD, parse_chain
from tests.servers.demo import ROOT, crawl_command
from tests.servers.fixture_server import SITE
from tests.servers.https import HOST, Crawled, HttpsSites, Record
from tests.warcs import read_records
from tests.wayback import wayback

ARTICLE = "/2022/10/12/nato-increase-arms-production-ukraine/"
RESOLVER = "tests.servers.resolver.HostsResolver"


def write_seeds(tmp: Path, sites: HttpsSites, names: tuple[str, ...]) -> Path:
    urls = [sites.url(name, ARTICLE) for name in names]
    urls.append(f"https://inside.test:{sites.servers['good'].server_address[1]}{ARTICLE}")
    seeds = tmp / "tls.toml"
    seeds.write_text(
        f'name = "tls"\nstart_urls = {json.dumps(urls)}\n'
        f'allowed_domains = ["{HOST}", "inside.test"]\nrelated_depth = 0\n'
        'contact = "https://example.org/newsarchive-tests"\n'
    )
    return seeds


def run(
    tmp: Path,
    sites: HttpsSites,
    crawl_id: str,
    names: tuple[str, ...] = ("good", "wrong_host", "expired"),
    env: dict[str, str] | None = None,
    status: int = 0,  # the crawl's exit status: 5 when every request was refused
    **settings: str,
) -> Crawled:
    """Crawl the article (and robots.txt) of the named servers, and the article by a name that
    resolves to 127.0.0.2, which the SSRF guard blocks."""
    root = tmp / "archive"
    hosts = {HOST: ["127.0.0.1"], "inside.test": ["127.0.0.2"]}
    extra = {
        "STORE_SPOOL_DIR": str(tmp / "spool"),
        "TWISTED_DNS_RESOLVER": RESOLVER,
        "TEST_RESOLVER_HOSTS": json.dumps(hosts),
        "RETRY_ENABLED": "False",
        "EXTRACT_WORKERS": "1",
        **settings,
    }
    seeds = str(write_seeds(tmp, sites, names))
    site = sites.servers["good"].base_url
    before = {name: len(server.paths()) for name, server in sites.servers.items()}
    command, environ = crawl_command(site, str(root), crawl_id, extra, tmp / "crawl.log", seeds)
    result = subprocess.run(
        command, cwd=ROOT, env={**environ, **(env or {})}, capture_output=True, text=True
    )
    log = (tmp / "crawl.log").read_text("utf-8")
    assert result.returncode == status, result.stderr + log
    reports = root / "reports"  # one report per crawl, or one per crawler process
    (report,) = sorted((reports / crawl_id).glob("*.json")) or [reports / f"{crawl_id}.json"]
    stats = json.loads(report.read_text())["stats"]
    records = []
    for path in sorted((root / "warc" / crawl_id).glob("*.warc.gz")):
        with path.open("rb") as stream:
            for record in ArchiveIterator(stream):
                headers = list(record.rec_headers.headers)
                records.append(Record(record.rec_type, headers, record.content_stream().read()))
    clean = list(read_records(sorted((root / "records" / crawl_id).glob("*.jsonl.gz"))))
    served = {name: server.paths()[before[name] :] for name, server in sites.servers.items()}
    return Crawled(root, crawl_id, stats, log, records, clean, served)


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> Any:
    with HttpsSites(tmp_path_factory.mktemp("tls-sites")) as running:
        yield running


@pytest.fixture(scope="module")
def verified(tmp_path_factory: pytest.TempPathFactory, sites: HttpsSites) -> Crawled:
    tmp, bundle = tmp_path_factory.mktemp("tls-verified"), str(sites.ca_file)
    return run(tmp, sites, "tls-20221012000000", TLS_CA_BUNDLE=bundle)


@pytest.fixture(scope="module")
def unverified(tmp_path_factory: pytest.TempPathFactory, sites: HttpsSites) -> Crawled:
    tmp, bundle = tmp_path_factory.mktemp("tls-unverified"), str(sites.ca_file)
    return run(tmp, sites, "tls-20221013000000", TLS_CA_BUNDLE=bundle, TLS_VERIFY="False")


def port(sites: HttpsSites, name: str) -> int:
    return int(sites.servers[name].server_address[1])


def sha256_of(pem: bytes) -> str:
    return hashlib.sha256(ssl.PEM_cert_to_DER_cert(pem.decode())).hexdigest()


def chains(crawled: Crawled) -> dict[str, dict[str, Any]]:
    """The chain records, by record id."""
    found = {}
    for r in crawled.records:
        chain = parse_chain(r.block) if r.rec_type == "metadata" else None
        if chain is not None:
            found[r.header("WARC-Record-ID") or ""] = chain
    return found


def test_verified_pages_are_archived_with_protocol_and_cipher(
    verified: Crawled, sites: HttpsSites
) -> None:
    responses = verified.responses(port(sites, "good"))
    assert set(responses) == {"/robots.txt", ARTICLE}
    for record in responses.values():
        assert record.all("WARC-Protocol") == ["http/1.1", "tls/1.3"]
        assert (record.header("WARC-Cipher-Suite") or "").startswith("TLS_")
        assert record.header("Newsarchive-TLS-Verified") == "true"
        good = sha256_of(sites.good_cert.cert_chain_pems[0].bytes())
        assert record.header("Newsarchive-Certificate-SHA256") == good
    requests = [r for r in verified.records if r.rec_type == "request"]
    assert requests and all(len(r.all("WARC-Protocol")) == 2 for r in requests)
    assert all(r.header("WARC-Cipher-Suite") for r in requests)
    out = io.StringIO()
    assert not verify(LocalStore(verified.root), None, out).failed, out.getvalue()
    assert "without TLS verification" not in out.getvalue()


def test_the_chain_record_holds_the_test_certificate_once_per_file(
    verified: Crawled, sites: HttpsSites
) -> None:
    found = chains(verified)
    assert len(found) == 1  # two exchanges with the one host and chain, one file
    (chain_id, chain), *_ = found.items()
    for record in verified.responses(port(sites, "good")).values():
        assert record.header(CERTIFICATE_RECORD) == chain_id
    assert chain["host"] == f"{HOST}:{port(sites, 'good')}"
    assert (chain["verification"], chain["verified"], chain["verify-result"]) == (
        "enforced",
        "true",
        "ok",
    )
    leaf = chain["certificates"][0]
    expected = sites.good_cert.cert_chain_pems[0].bytes()
    assert leaf["sha256"] == sha256_of(expected)
    assert leaf["pem"].encode() == expected
    assert leaf["not-after"] > leaf["not-before"]


def test_records_carry_tls(verified: Crawled, sites: HttpsSites) -> None:
    (record,) = verified.clean
    assert record["tls"] == {
        "protocol": "tls/1.3",
        "cipher_suite": record["tls"]["cipher_suite"],
        "verified": True,
        "certificate_sha256": sha256_of(sites.good_cert.cert_chain_pems[0].bytes()),
    }
    assert record["tls"]["cipher_suite"].startswith("TLS_")


def test_wrong_host_and_expired_are_refused_counted_and_logged(
    verified: Crawled, sites: HttpsSites
) -> None:
    for name, reason in (("wrong_host", "hostname_mismatch"), ("expired", "expired")):
        assert verified.responses(port(sites, name)) == {}
        attempts = verified.responses(port(sites, name), "metadata")  # the refusals, archived
        assert set(attempts) == {"/robots.txt", ARTICLE}
        assert all(f"verify-result: {reason}:" in r.block.decode() for r in attempts.values())
        assert verified.served[name] == []  # refused in the handshake: no request was sent
        assert verified.stats[f"tls/failed/{reason}"] == 2  # robots.txt and the article
        url = sites.url(name, ARTICLE)
        assert f"refused {url}: {reason}:" in verified.log
    assert verified.stats["tls/failed"] == 4
    assert verified.stats["news/failed/TlsRefused"] == 2


def test_the_ssrf_guard_blocks_a_name_resolving_inside_over_https(verified: Crawled) -> None:
    assert verified.stats["ssrf/blocked"] >= 1
    assert "blocked https://inside.test:" in verified.log
    assert not [r for r in verified.records if "inside.test" in (r.header("WARC-Target-URI") or "")]


def test_without_verification_everything_is_archived_and_marked(
    unverified: Crawled, sites: HttpsSites
) -> None:
    results = {}
    for name in ("good", "wrong_host", "expired"):
        responses = unverified.responses(port(sites, name))
        assert set(responses) == {"/robots.txt", ARTICLE}, name
        for record in responses.values():
            assert record.header("Newsarchive-TLS-Verified") == "false"
            assert record.all("WARC-Protocol") == ["http/1.1", "tls/1.3"]
        chain = chains(unverified)[responses[ARTICLE].header(CERTIFICATE_RECORD) or ""]
        assert (chain["verification"], chain["verified"]) == ("not enforced", "false")
        results[name] = chain["verify-result"].partition(":")[0]
    assert results == {"good": "ok", "wrong_host": "hostname_mismatch", "expired": "expired"}
    assert len(unverified.clean) == 3
    assert all(r["tls"]["verified"] is False for r in unverified.clean)
    assert "tls/failed" not in unverified.stats
    out = io.StringIO()  # `scrapy verify` shows a reviewer what was fetched unverified
    assert not verify(LocalStore(unverified.root), None, out).failed
    assert "6 https capture(s) made without TLS verification" in out.getvalue()


@pytest.mark.parametrize("trusted", [True, False])
def test_the_system_trust_store_is_openssls_default_paths(
    tmp_path: Path, sites: HttpsSites, trusted: bool
) -> None:
    """No TLS_CA_BUNDLE: OpenSSL's default paths, which SSL_CERT_FILE names."""
    other_ca = tmp_path / "other-ca.pem"
    trustme.CA().cert_pem.write_to_path(str(other_ca))
    ca_file = sites.ca_file if trusted else other_ca
    env = {"SSL_CERT_FILE": str(ca_file)}
    crawled = run(tmp_path, sites, "tls-20221014000000", ("good",), env, 0 if trusted else 5)
    responses = crawled.responses(port(sites, "good"))
    if trusted:
        assert set(responses) == {"/robots.txt", ARTICLE}
        assert responses[ARTICLE].header("Newsarchive-TLS-Verified") == "true"
    else:
        assert responses == {}
        assert crawled.stats["tls/failed/unknown_issuer"] == 2


def test_pywb_replays_an_https_capture(
    verified: Crawled, sites: HttpsSites, tmp_path: Path
) -> None:
    warcs = sorted((verified.root / "warc" / verified.crawl_id).glob("*.warc.gz"))
    with wayback(tmp_path, "tls", warcs) as wayback_port:
        record = verified.responses(port(sites, "good"))[ARTICLE]
        stamp = "".join(c for c in record.header("WARC-Date") or "" if c.isdigit())[:14]
        url = f"http://127.0.0.1:{wayback_port}/tls/{stamp}id_/{sites.url('good', ARTICLE)}"
        with urllib.request.urlopen(url, timeout=30) as replayed:
            assert replayed.status == 200
            body = replayed.read()
        served = (SITE / "pages" / ARTICLE.strip("/") / "index.html").read_bytes()
        assert body == served
