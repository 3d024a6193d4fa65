"""What an exchange's TLS session proved, in the WARC: protocol fields and certificate records.

On every response and request record (``pipelines.warc.capture``), ``WARC-Protocol`` once per
layer, as the IIPC proposal writes it (``http/1.1``, then ``tls/1.3`` for https), and for https
``WARC-Cipher-Suite`` with the suite's IANA name. On an https response record also:

    Newsarchive-TLS-Verified: true | false      false: made without verification (TLS_VERIFY)
    Newsarchive-Certificate-SHA256: <hex>       the server's own certificate (DER)
    Newsarchive-Certificate-Record: <urn:uuid>  the record holding the chain

The chain record is a ``metadata`` record with an ``application/warc-fields`` block (so pywb and
cdxj-indexer leave it out of replay indexes, like the article metadata records; a ``resource``
record would claim to be content fetched from a URI, which a chain is not). It is written once
per host, chain and verification result in each WARC file, right after the first exchange that
needs it, in the same write, so it is always in the same file as the responses that point at it.
It has no ``WARC-Target-URI``; its block names the host:

    newsarchive-metadata: tls-chain/1
    host: <host>:<port>
    verification: enforced | not enforced
    verified: true | false
    verify-result: ok | <reason>: <what failed>   checked even when not enforced
    certificate-sha256: <hex>                     then, for each certificate as the server sent
    certificate-subject: <RFC 4514 name>          them (its own first), these five fields and
    certificate-issuer: <RFC 4514 name>
    certificate-not-before: <ISO 8601 UTC>
    certificate-not-after: <ISO 8601 UTC>
    certificate-pem: -----BEGIN CERTIFICATE-----  the PEM, its lines folded (CRLF and a space,
     MIIC...                                      the WARC field grammar's continuation lines);
     -----END CERTIFICATE-----                    `parse_chain` gives the PEM back
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from scrapy import Request
from scrapy.utils.httpobj import urlparse_cached

from crawler import meta
from crawler.items import TlsFacts
from crawler.timestamps import rfc3339
from pipelines.warc.record import Record, RecordFactory, build_record, warc_fields

if TYPE_CHECKING:
    from pipelines.warc.writer import RotatingWarcWriter

FORMAT = "tls-chain/1"
CONTENT_TYPE = "application/warc-fields"
VERIFIED = "Newsarchive-TLS-Verified"
CERTIFICATE_SHA256 = "Newsarchive-Certificate-SHA256"
CERTIFICATE_RECORD = "Newsarchive-Certificate-Record"


def protocol_fields(request: Request, protocol: str) -> list[tuple[str, str]]:
    """``WARC-Protocol`` for each layer and, for https, ``WARC-Cipher-Suite``."""
    fields = [("WARC-Protocol", protocol.lower())]  # "HTTP/1.1" -> "http/1.1"
    tls = request.meta.get(meta.TLS_PROTOCOL)
    if tls:
        fields.append(("WARC-Protocol", str(tls)))
        cipher = request.meta.get(meta.TLS_CIPHER_SUITE)
        if cipher:
            fields.append(("WARC-Cipher-Suite", str(cipher)))
    return fields


def response_fields(request: Request, chain_id: str | None) -> list[tuple[str, str]]:
    """The verification mark and the certificate of an https response record."""
    if not request.meta.get(meta.TLS_PROTOCOL):
        return []
    fields = [(VERIFIED, "true" if request.meta.get(meta.TLS_VERIFIED) else "false")]
    chain = request.meta.get(meta.TLS_CHAIN) or ()
    if chain:
        fields.append((CERTIFICATE_SHA256, meta.certificate_sha256(chain[0])))
    if chain_id is not None:
        fields.append((CERTIFICATE_RECORD, chain_id))
    return fields


def written(writer: RotatingWarcWriter | None) -> dict[str, str]:
    """The chain records already in the file being written (key -> record id)."""
    current = writer.current if writer is not None else None
    return current.notes if current is not None else {}


def chain_record(
    factory: RecordFactory, request: Request, date: str, written: dict[str, str]
) -> tuple[str | None, Record | None]:
    """The id of the chain record for this exchange, and the record if the file lacks it."""
    chain = tuple(request.meta.get(meta.TLS_CHAIN) or ())
    if not request.meta.get(meta.TLS_PROTOCOL) or not chain:
        return None, None
    parts = urlparse_cached(request)
    host = f"{parts.hostname}:{parts.port or 443}"
    verified = bool(request.meta.get(meta.TLS_VERIFIED))
    result = str(request.meta.get(meta.TLS_VERIFY_RESULT) or "")
    key = hashlib.sha256("\n".join((host, str(verified), result, *chain)).encode()).hexdigest()
    if key in written:
        return written[key], None
    record_id = factory.make_id()
    fields = [
        ("newsarchive-metadata", FORMAT),
        ("host", host),
        ("verification", "enforced" if verified else "not enforced"),  # enforced and failed:
        ("verified", "true" if verified else "false"),  # refused, never archived
        ("verify-result", result),
    ]
    for pem in chain:
        fields.extend(certificate_fields(pem))
    record = build_record(
        "metadata", warc_fields(fields), record_id=record_id, date=date, content_type=CONTENT_TYPE
    )
    written[key] = record_id
    return record_id, record


REFUSED = "tls-refused/1"


def refusal_block(host: str, reason: str, detail: str) -> bytes:
    """The warc-fields of a metadata record saying an https request was refused in the handshake
    (its certificate did not verify): nothing was sent, so there is no request or response."""
    fields = [
        ("newsarchive-metadata", REFUSED),
        ("host", host),
        ("verification", "enforced"),
        ("verified", "false"),
        ("verify-result", f"{reason}: {detail}"),
    ]
    return warc_fields(fields)


def certificate_fields(pem: str) -> list[tuple[str, str]]:
    certificate = x509.load_pem_x509_certificate(pem.encode("ascii"))
    lines = pem.strip().splitlines()
    return [
        ("certificate-sha256", certificate.fingerprint(hashes.SHA256()).hex()),
        ("certificate-subject", certificate.subject.rfc4514_string()),
        ("certificate-issuer", certificate.issuer.rfc4514_string()),
        ("certificate-not-before", rfc3339(certificate.not_valid_before_utc)),
        ("certificate-not-after", rfc3339(certificate.not_valid_after_utc)),
        ("certificate-pem", "\r\n ".join(lines)),
    ]


def parse_chain(block: bytes) -> dict[str, Any] | None:
    """A chain record's block read back: its fields, and ``certificates``, a list of dicts (PEM
    included, unfolded), or None if the block is not a chain record."""
    fields: list[tuple[str, str]] = []
    for line in block.decode("utf-8").split("\r\n"):
        if line.startswith(" ") and fields:
            name, value = fields[-1]
            fields[-1] = (name, value + "\n" + line[1:])
        elif line:
            name, _, value = line.partition(":")
            fields.append((name, value.strip()))
    if not fields or fields[0] != ("newsarchive-metadata", FORMAT):
        return None
    found: dict[str, Any] = {"certificates": []}
    for name, value in fields[1:]:
        if name == "certificate-sha256":
            found["certificates"].append({})
        if name.startswith("certificate-"):
            key = name.removeprefix("certificate-")
            found["certificates"][-1][key] = value + "\n" if key == "pem" else value
        else:
            found[name] = value
    return found


def tls_from_headers(headers: Iterable[tuple[str, str]]) -> TlsFacts | None:
    """A response record's TLS facts (``ArticleItem.tls``) from its WARC headers; None for http."""
    pairs = list(headers)
    protocols = [
        v for n, v in pairs if n.lower() == "warc-protocol" and v.startswith(("tls", "ssl"))
    ]
    if not protocols:
        return None
    single = {name.lower(): value for name, value in pairs}
    return TlsFacts(
        protocol=protocols[0],
        cipher_suite=single.get("warc-cipher-suite"),
        verified=single.get(VERIFIED.lower()) == "true",
        certificate_sha256=single.get(CERTIFICATE_SHA256.lower()),
    )
