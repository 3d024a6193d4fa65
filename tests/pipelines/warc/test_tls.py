"""The TLS parts of WARC records (pipelines/warc/tls.py), built from request.meta as the download
handler leaves it, and read back with warcio: WARC-Protocol, WARC-Cipher-Suite, the verification
mark and the certificate chain record, once per host and chain in each file."""

from __future__ import annotations

import hashlib
import io
import ssl

import pytest
import trustme
from scrapy import Request
from warcio.archiveiterator import ArchiveIterator

from crawler import meta
from crawler.items import TlsFacts
from pipelines.warc import tls
from pipelines.warc.record import RecordFactory


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


def https_request(ca: trustme.CA, *, verified: bool = True, result: str = "ok") -> Request:
    leaf = ca.issue_cert("news.test")
    pems = [*leaf.cert_chain_pems, ca.cert_pem]
    chain = tuple(pem.bytes().decode() for pem in pems)
    request = Request("https://news.test/story")
    request.meta.update(
        {
            meta.TLS_PROTOCOL: "tls/1.2",
            meta.TLS_CIPHER_SUITE: "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
            meta.TLS_VERIFIED: verified,
            meta.TLS_VERIFY_RESULT: result,
            meta.TLS_CHAIN: chain,
        }
    )
    return request


def test_protocol_fields_name_every_layer(ca: trustme.CA) -> None:
    assert tls.protocol_fields(Request("http://news.test/"), "HTTP/1.1") == [
        ("WARC-Protocol", "http/1.1")
    ]
    assert tls.protocol_fields(https_request(ca), "HTTP/1.1") == [
        ("WARC-Protocol", "http/1.1"),
        ("WARC-Protocol", "tls/1.2"),
        ("WARC-Cipher-Suite", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"),
    ]


def test_response_fields_mark_verification_and_point_at_the_chain(ca: trustme.CA) -> None:
    request = https_request(ca, verified=False)
    leaf = request.meta[meta.TLS_CHAIN][0]
    fingerprint = hashlib.sha256(ssl.PEM_cert_to_DER_cert(leaf)).hexdigest()
    assert tls.response_fields(request, "<urn:uuid:1>") == [
        ("Newsarchive-TLS-Verified", "false"),
        ("Newsarchive-Certificate-SHA256", fingerprint),
        ("Newsarchive-Certificate-Record", "<urn:uuid:1>"),
    ]
    assert tls.response_fields(Request("http://news.test/"), None) == []


def test_the_chain_record_is_written_once_per_file_and_reads_back(ca: trustme.CA) -> None:
    request = https_request(ca, verified=False, result="expired: the certificate has expired")
    written: dict[str, str] = {}
    factory = RecordFactory()
    first_id, record = tls.chain_record(factory, request, "2022-10-12T00:00:00Z", written)
    again_id, again = tls.chain_record(factory, request, "2022-10-12T00:00:01Z", written)
    assert record is not None and again is None and again_id == first_id
    other_file: dict[str, str] = {}
    assert tls.chain_record(factory, request, "2022-10-12T00:00:02Z", other_file)[1] is not None
    read = next(ArchiveIterator(io.BytesIO(record.data), check_digests="raise"))
    assert read.rec_type == "metadata"
    assert read.rec_headers.get_header("WARC-Record-ID") == first_id
    assert read.rec_headers.get_header("Content-Type") == "application/warc-fields"
    chain = tls.parse_chain(read.content_stream().read())
    assert chain is not None
    assert chain["host"] == "news.test:443"
    assert (chain["verification"], chain["verified"]) == ("not enforced", "false")
    assert chain["verify-result"] == "expired: the certificate has expired"
    sent = request.meta[meta.TLS_CHAIN]
    assert [c["pem"] for c in chain["certificates"]] == list(sent)
    assert chain["certificates"][0]["sha256"] == meta.certificate_sha256(sent[0])
    leaf, root = chain["certificates"][0], chain["certificates"][-1]
    assert leaf["issuer"] == root["subject"] and "trustme" in root["subject"]
    assert leaf["not-before"] < leaf["not-after"]


def test_a_different_verification_result_gets_its_own_chain_record(ca: trustme.CA) -> None:
    ok, failed = https_request(ca), https_request(ca, verified=False, result="expired: x")
    failed.meta[meta.TLS_CHAIN] = ok.meta[meta.TLS_CHAIN]
    written: dict[str, str] = {}
    factory = RecordFactory()
    assert tls.chain_record(factory, ok, "2022-10-12T00:00:00Z", written)[1] is not None
    assert tls.chain_record(factory, failed, "2022-10-12T00:00:00Z", written)[1] is not None
    assert tls.chain_record(factory, Request("http://news.test/"), "x", written) == (None, None)


def test_tls_facts_come_back_from_response_headers() -> None:
    headers = [
        ("WARC-Protocol", "http/1.1"),
        ("WARC-Protocol", "tls/1.3"),
        ("WARC-Cipher-Suite", "TLS_AES_128_GCM_SHA256"),
        ("Newsarchive-TLS-Verified", "true"),
        ("Newsarchive-Certificate-SHA256", "ab" * 32),
    ]
    assert tls.tls_from_headers(headers) == TlsFacts(
        "tls/1.3", "TLS_AES_128_GCM_SHA256", True, "ab" * 32
    )
    assert tls.tls_from_headers([("WARC-Protocol", "http/1.1")]) is None
