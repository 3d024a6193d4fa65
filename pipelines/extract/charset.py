"""Decoding a page: bytes in, text out, never mojibake.

The charset comes from the HTTP header, then the page's ``<meta>`` declaration, then detection,
with two checks that catch the common mislabels:

1. A byte-order mark wins: it cannot be wrong.
2. Bytes that are valid UTF-8 and not plain ASCII are UTF-8, whatever the label says. Text in a
   legacy encoding (windows-1251, GB2312, latin-1) almost never forms valid multi-byte UTF-8 by
   chance, while UTF-8 pages labelled latin-1 are common, and decoding them by the label gives
   "Ã©" mojibake.
3. Otherwise a declared charset (header first, then ``<meta>``) is used when the bytes decode
   under it without errors *and* the text is not garbled: charset-normalizer's mess ratio of the
   decoded text stays under ``MAX_MESS``. windows-1251 bytes labelled latin-1 decode without
   errors but read as "Ãîðîäñêîé", which scores far above it.
4. Else charset-normalizer detects the encoding (a UTF-8 label on latin-1 or GB2312 bytes ends
   here, because those bytes are not valid UTF-8).
5. Last resort: the first declared charset, else UTF-8, with replacement characters.

Labels are resolved as browsers do (w3lib follows the WHATWG table: "latin-1" is windows-1252,
"gb2312" is GB18030, a superset).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from charset_normalizer import from_bytes
from charset_normalizer.md import mess_ratio
from w3lib.encoding import (
    html_body_declared_encoding,
    http_content_type_encoding,
    read_bom,
    resolve_encoding,
)

__all__ = ["MAX_MESS", "Decoded", "decode"]

MAX_MESS = 0.2  # right decodes of real pages score ~0; wrong single-byte decodes score > 0.8
_DETECTION_SAMPLE = 256 * 1024  # bytes given to the detector; the head of a page is enough
# Legacy encodings by how common they are on the web, for breaking the detector's ties.
_WEB_ORDER = {
    name: rank
    for rank, name in enumerate(
        [
            "utf_8",
            "cp1252",
            "cp1251",
            "gb18030",
            "gb2312",
            "shift_jis",
            "euc_jp",
            "euc_kr",
            "big5",
            "cp1250",
            "iso8859_2",
            "cp1256",
            "cp1253",
            "cp1254",
            "cp1255",
            "koi8_r",
            "cp874",
            "cp1257",
            "cp1258",
        ]
    )
}


@dataclass(frozen=True, slots=True)
class Decoded:
    text: str
    encoding: str  # Python codec name
    source: str  # "bom", "utf-8", "header", "meta", "detected" or "fallback"
    # The text's UTF-8 bytes when the body is them (ASCII or valid UTF-8 without a BOM), so
    # the parser need not encode the text again; None otherwise.
    utf8: bytes | None = field(default=None, repr=False, compare=False)


def decode(body: bytes, headers: Mapping[str, str] | None = None) -> Decoded:
    """The page's text. `headers` are response headers with lower-case names."""
    encoding, bom = read_bom(body)
    if encoding is not None and bom is not None:
        return Decoded(body[len(bom) :].decode(encoding, "replace"), encoding, "bom")
    if body.isascii():
        return Decoded(body.decode("ascii"), "ascii", "utf-8", body)
    try:
        return Decoded(body.decode("utf-8"), "utf-8", "utf-8", body)
    except UnicodeDecodeError:
        pass
    declared = _declared(body, headers or {})
    for source, label in declared:
        text = _strict(body, label)
        if text is not None and mess_ratio(text, MAX_MESS) < MAX_MESS:
            return Decoded(text, label, source)
    detected = _detect(body)
    if detected is not None:
        return detected
    label = declared[0][1] if declared else "utf-8"
    return Decoded(body.decode(label, "replace"), label, "fallback")


def _declared(body: bytes, headers: Mapping[str, str]) -> list[tuple[str, str]]:
    """(source, codec) of the header's charset and the page's own declaration, in that order,
    without UTF-8 (already ruled out: the bytes are not valid UTF-8) and without repeats."""
    labels = [
        ("header", http_content_type_encoding(headers.get("content-type"))),
        ("meta", html_body_declared_encoding(body)),
    ]
    found: list[tuple[str, str]] = []
    for source, label in labels:
        codec = resolve_encoding(label) if label else None
        if codec and codec != "utf-8" and codec not in (c for _, c in found):
            found.append((source, codec))
    return found


def _strict(body: bytes, codec: str) -> str | None:
    try:
        return body.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None


def _detect(body: bytes) -> Decoded | None:
    """charset-normalizer's best guess. A page holds few non-ASCII bytes among its markup, so
    several encodings often tie (windows-1250 and windows-1252 read "três" equally well as far
    as the detector can tell); a tie goes to the encoding most used on the web."""
    matches = list(from_bytes(body[:_DETECTION_SAMPLE]))
    if not matches:
        return None
    best = matches[0]
    tied = [m for m in matches if (m.chaos, m.coherence) == (best.chaos, best.coherence)]
    best = min(tied, key=lambda m: _WEB_ORDER.get(m.encoding, len(_WEB_ORDER)))
    codec = resolve_encoding(best.encoding) or best.encoding
    text = _strict(body, codec)
    if text is None:  # the sample decoded, the whole page does not: keep what can be read
        text = body.decode(codec, "replace")
    return Decoded(text, codec, "detected")
