"""Compare two local newsarchive crawls and list every difference, apart from ids and dates:
`python scripts/compare_archives.py ARCHIVE_A ARCHIVE_B [--allow-moved-modules]`.
Each folder holds one crawl. Exit 0 when equal after normalisation, 1 when not, 2 on bad
arguments; all that is not normalised is compared exactly (header and JSON key order too):
- the demo site's port, new each run: `127.0.0.1:PORT` (SURT `1,0,0,127:PORT)`) reads
  `127.0.0.1:<port>`; text payloads (text/*, xml, json, javascript) only if they differ raw.
- ids, uuid4 per run or derived from one: WARC-Record-ID, -Concurrent-To, -Refers-To, -Warcinfo-ID,
  records `record_id`, `warc.record_id`, metadata field `record-id`; crawl id `{seedset}-{time}`;
  writer `{hostname}-{pid}`, warcinfo field `hostname`.
- dates: WARC-Date, HTTP `Date:`, CDXJ timestamps, records `fetched_at`/`first_seen`, manifest
  (and writers') `started_at`/`finished_at`, report start/finish/elapsed time, *_per_minute.
- what derives from those: file names, WARC-Filename; WARC-Block-/-Payload-Digest are compared
  exactly if the bytes they cover are identical, else by algorithm and length (warcio checks each
  against its bytes, compared normalised here); Content-Length less what normalisation changed;
  only as present, as compressed sizes change with ids: CDXJ offset/length, manifest sha256/size,
  report warc/bytes, archive/stored_bytes/*, memusage/*, downloader/*_bytes if the port's length
  changed. CDXJ and record payload digests map to their WARC pair's if that was port-normalised.
- versions (noted), paths (ARCHIVE_URI, store, site-packages), our moved module names (option).
"""

import argparse
import difflib
import gzip
import json
import re
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from warcio.archiveiterator import ArchiveIterator  # type: ignore[import-untyped,unused-ignore]

Key = tuple[str, str, int]  # record type, normalised URI, occurrence
Diff = Callable[[str, Any, Any], list[str]]
Section = tuple[str, int, list[str]]  # name, pairs matched, differences
IDS_AND_DATES = re.compile(r"WARC-(Record-ID|Date|Concurrent-To|Refers-To|Warcinfo-ID|Filename)")
TEXT_TYPE = re.compile(r"^text/|[/+](xml|json|javascript)\b", re.I)
VERSION = re.compile(r"\d+(?:\.\d+)+[\w.+-]*")
OURS = r"(?:crawler|pipelines|settings|commands)\b"  # our packages, for --allow-moved-modules
OUR_MODULES = re.compile(rf"(?<![\w./])(?={OURS})(?:\w+\.)*(\w+)(?![\w/])")
RECORD_SKIP = ("record_id", "crawl_id", "fetched_at", "first_seen")  # and in `warc`:
RECORD_WARC_SKIP = ("filename", "offset", "length", "record_id")
FIELD_IDS = {"record-id": "<record-id>", "hostname": "<hostname>"}
MANIFEST_PRESENT = re.compile(r"manifest\.((\S+\.)?(start|finish)ed_at|objects\S+\.(sha256|size))")
REPORT_PRESENT = r"report\.stats\.(elapsed_time_seconds|start_time|finish_time|\w+_per_minute|memusage/.*|warc/bytes|archive/stored_bytes/.*)|report\.summary\.(store|warc_bytes|lines\[[24]\])"  # noqa: E501
PORT_BYTES = r"|report\.stats\.downloader/(request|response)_bytes"


def report_path(root: Path, crawl_id: str) -> Path:  # reports/{crawl}.json before report parts
    old = root / f"reports/{crawl_id}.json"
    return old if old.exists() else min(root.glob(f"reports/{crawl_id}/*"))


@dataclass
class Rec:
    kind: str
    uri: str
    headers: list[tuple[str, str]]
    http: list[tuple[str, str]]  # ("", status line) first, when the block is HTTP
    payload: bytes
    problems: list[str]


def read_warc(path: Path) -> Iterator[Rec]:
    with path.open("rb") as stream:
        for r in ArchiveIterator(stream, check_digests=True):
            http = r.http_headers
            lines = [("", f"{http.protocol} {http.statusline}"), *http.headers] if http else []
            payload = bytes(r.raw_stream.read())  # read to the end: digests are checked
            uri = str(r.rec_headers.get_header("WARC-Target-URI") or "")
            problems = [f"{path.name} {uri}: {p}" for p in r.digest_checker.problems]
            yield Rec(r.rec_type, uri, r.rec_headers.headers, lines, payload, problems)


@dataclass
class Archive:  # one crawl, read, and the run-dependent values it is normalised by
    root: Path
    modules: bool

    def __post_init__(self) -> None:
        self.manifest = json.loads(next(self.root.glob("manifests/*.json")).read_text("utf-8"))
        self.crawl_id, self.writer = self.manifest["crawl_id"], self.manifest.get("writer", "")
        self.report = json.loads(report_path(self.root, self.crawl_id).read_text("utf-8"))
        self.recs = [r for p in sorted(self.root.glob("warc/*/*.warc.gz")) for r in read_warc(p)]
        sites = Counter(urlsplit(r.uri)[1] for r in self.recs if urlsplit(r.uri).port is not None)
        self.host, _, self.port = (sites.most_common(1)[0][0] if sites else "").rpartition(":")
        seen: Counter[tuple[str, str]] = Counter()
        self.warc: dict[Key, Rec] = {}
        for rec in self.recs:
            seen[rec.kind, self.text(rec.uri)] += 1
            self.warc[rec.kind, self.text(rec.uri), seen[rec.kind, self.text(rec.uri)]] = rec

    def port_only(self, value: str) -> str:
        surt = ",".join(reversed(self.host.split(".")))  # as in a CDXJ key
        for host in (self.host, surt) if self.port else ():
            value = value.replace(f"{host}:{self.port}", f"{host}:<port>")
        return value

    def text(self, value: str) -> str:
        value = self.port_only(value)
        for token, name in ((self.crawl_id, "<crawl-id>"), (self.writer, "<writer>")):
            value = value.replace(token, name) if token else value
        return re.sub(r"\d{17}(?=-\d{5}-<writer>)", "<timestamp>", value)

    def json(self, obj: Any, manifest: bool = False) -> Any:
        if isinstance(obj, dict):
            return {self.json(k, manifest): self.json(v, manifest) for k, v in obj.items()}
        if isinstance(obj, list):
            return [self.json(v, manifest) for v in obj]
        if not isinstance(obj, str):
            return obj
        obj = self.text(obj)
        if manifest:
            obj = re.sub(r"\S*/site-packages/", "<site-packages>/", obj)
        return OUR_MODULES.sub(r"<ours>.\1", obj) if manifest and self.modules else obj


def show(a: Any, b: Any) -> str:
    """Both values; for long strings or bytes, from a little before where they first differ."""
    if isinstance(a, str | bytes) and type(a) is type(b) and max(len(a), len(b)) > 120:
        pairs = enumerate(zip(a, b, strict=False))
        i = next((i for i, (x, y) in pairs if x != y), min(len(a), len(b)))
        return f"at {i}: A {a[max(i - 40, 0) : i + 80]!r} != B {b[max(i - 40, 0) : i + 80]!r}"
    return f"A {a!r:.300} != B {b!r:.300}"


def view(rec: Rec, arc: Archive, exact: set[str]) -> tuple[list[str], bytes]:
    """The record as lines to compare (WARC and HTTP headers, warc-fields) and its payload."""
    parts: list[tuple[str, str, str]] = []  # label, raw value, normalised value
    payload = rec.payload
    http = {name.lower(): value for name, value in rec.http}
    if dict(rec.headers).get("Content-Type") == "application/warc-fields":
        payload = b""  # compared as fields
        for line in rec.payload.decode("utf-8").splitlines():
            name, _, value = line.partition(": ")
            new = FIELD_IDS.get(name) or arc.text(value)
            new = VERSION.sub("<version>", new) if name == "software" else new
            parts.append((f"field {name}:", value, new))
    elif TEXT_TYPE.search(http.get("content-type", "")) and "content-encoding" not in http:
        payload = arc.port_only(payload.decode("latin-1")).encode("latin-1")
    shrunk = len(rec.payload) - len(payload) if payload else 0  # by port normalisation
    for name, value in rec.http:
        key = (rec.kind, name.lower())
        new = "<date>" if key == ("response", "date") else arc.port_only(value)
        new = str(int(value) - shrunk) if key[1] == "content-length" and shrunk else new
        parts.append((f"HTTP {name or 'status'}:", value, new))
    delta = sum(len(raw.encode()) - len(new.encode()) for _, raw, new in parts) + shrunk
    lines = []
    for name, value in rec.headers:
        if IDS_AND_DATES.fullmatch(name):
            value = "<id/date>"
        elif name.endswith("-Digest") and name not in exact:
            value = re.sub(r":(.*)", lambda m: f":<{len(m[1])} chars>", value)
        elif name == "Content-Length":
            value = str(int(value) - delta)
        lines.append(f"WARC {name}: {arc.text(value)}")
    return lines + [f"{label} {new}" for label, _, new in parts], payload


def match(name: str, a: dict[Key, Any], b: dict[Key, Any], diff: Diff) -> Section:
    out: list[str] = []
    for key in sorted(a.keys() | b.keys()):
        label = f"{name} {key[0]} {key[1]} #{key[2]}"
        if key in a and key in b:
            out += diff(label, a[key], b[key])
        else:
            out.append(f"{label}: only in {'A' if key in a else 'B'}")
    return name, len(a.keys() & b.keys()), out


def compare_warcs(a: Archive, b: Archive, aliases: dict[str, str], notes: list[str]) -> Section:
    ported: list[str] = []

    def diff(label: str, x: Rec, y: Rec) -> list[str]:
        exact = {"WARC-Payload-Digest"} if x.payload == y.payload else set()
        exact |= {"WARC-Block-Digest"} if exact and x.http == y.http else set()
        (lines_x, body_x), (lines_y, body_y) = view(x, a, exact), view(y, b, exact)
        opcodes = difflib.SequenceMatcher(None, lines_x, lines_y, autojunk=False).get_opcodes()
        changed = [(lines_x[i:j], lines_y[k:m]) for op, i, j, k, m in opcodes if op != "equal"]
        out = [f"{label}: {show(c, d)}" for c, d in changed]
        if body_x != body_y:
            out.append(f"{label} payload of {len(body_x)}/{len(body_y)} B {show(body_x, body_y)}")
        elif x.payload != y.payload and body_x:  # equal only after port normalisation
            ported.append(f"{x.kind} {a.text(x.uri)}")
            digest = dict(x.headers).get("WARC-Payload-Digest", "")
            aliases[digest] = dict(y.headers).get("WARC-Payload-Digest", "")
        return out

    _, matched, out = match("WARC", a.warc, b.warc, diff)
    out[:0] = [f"WARC digest check: {p}" for x in (a, b) for r in x.recs for p in r.problems]
    if ported:
        notes.append(f"{len(ported)} WARC payloads equal only port-normalised: {', '.join(ported)}")
    return "WARC records", matched, out


def compare_cdxj(a: Archive, b: Archive, aliases: dict[str, str]) -> Section:
    found: list[Counter[str]] = [Counter(), Counter()]
    for lines, arc in zip(found, (a, b), strict=True):
        paths = sorted(arc.root.glob("indexes/*/*.cdxj"))
        for line in (line for p in paths for line in p.read_text("utf-8").splitlines()):
            surt, stamp, data = line.split(" ", 2)
            fields = json.loads(data)
            if "digest" in fields and arc is a:
                fields["digest"] = aliases.get(fields["digest"], fields["digest"])
            fields |= {k: "<present>" for k in ("offset", "length") if str(fields.get(k)).isdigit()}
            stamp = "<timestamp>" if re.fullmatch(r"\d{14}", stamp) else stamp
            lines[f"{arc.text(surt)} {stamp} {json.dumps(arc.json(fields))}"] += 1
    out = [f"CDXJ line only in A: {x}" for x in sorted((found[0] - found[1]).elements())]
    out += [f"CDXJ line only in B: {x}" for x in sorted((found[1] - found[0]).elements())]
    return "CDXJ lines", (found[0] & found[1]).total(), out


def diff_json(label: str, a: Any, b: Any, present: Callable[[str], Any] | None = None) -> list[str]:
    if present and present(label):
        return []  # its key is in both: compared as present
    if isinstance(a, dict) and isinstance(b, dict):
        order = a.keys() == b.keys() and list(a) != list(b)
        out = [f"{label}: key order A {list(a)} != B {list(b)}"] if order else []
        for key in sorted(a.keys() | b.keys()):
            if key in a and key in b:
                out += diff_json(f"{label}.{key}", a[key], b[key], present)
            else:
                out.append(f"{label}.{key}: only in {'A' if key in a else 'B'}")
        return out
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        pairs = enumerate(zip(a, b, strict=True))
        return [d for i, (x, y) in pairs for d in diff_json(f"{label}[{i}]", x, y, present)]
    return [] if a == b and type(a) is type(b) else [f"{label}: {show(a, b)}"]


def records(arc: Archive, aliases: dict[str, str]) -> dict[Key, Any]:
    found: dict[Key, Any] = {}
    for path in sorted(arc.root.glob("records/*/part-*.jsonl.gz")):
        with gzip.open(path, "rt", encoding="utf-8") as stream:
            for line in stream:
                rec = json.loads(line)
                rec.update({k: "<skipped>" for k in RECORD_SKIP if k in rec})
                warc = rec["warc"] if isinstance(rec.get("warc"), dict) else {}
                warc.update({k: "<skipped>" for k in RECORD_WARC_SKIP if k in warc})
                digest = warc.get("payload_digest")
                warc.update({"payload_digest": aliases.get(digest, digest)} if digest else {})
                rec = arc.json(rec)
                url = str(rec.get("url", ""))
                found["url", url, sum(k[1] == url for k in found) + 1] = rec
    return found


def compare_meta(a: Archive, b: Archive, notes: list[str]) -> list[Section]:
    views = []
    for arc in (a, b):
        manifest = json.loads(json.dumps(arc.manifest))
        for obj, key in ((manifest, "store"), (manifest.get("settings", {}), "ARCHIVE_URI")):
            obj.update({key: "<archive>"} if key in obj else {})
        software = manifest.get("software", {})
        software.update({k: VERSION.sub("<version>", str(v)) for k, v in software.items()})
        views.append(arc.json(manifest, manifest=True))
        views[-1]["objects"] = sorted(views[-1].get("objects", []), key=lambda o: str(o["key"]))
    out_m = diff_json("manifest", views[0], views[1], MANIFEST_PRESENT.fullmatch)
    v = [x.manifest.get("software") for x in (a, b)]
    notes += [f"software versions differ: A {v[0]} B {v[1]}"] if v[0] != v[1] else []
    present = REPORT_PRESENT + (PORT_BYTES if len(a.port) != len(b.port) else "")
    report_a, report_b = a.json(a.report, True), b.json(b.report, True)
    out_r = diff_json("report", report_a, report_b, re.compile(present).fullmatch)
    return [("manifest", 1, out_m), ("report", 1, out_r)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("archive_a", type=Path)
    parser.add_argument("archive_b", type=Path)
    parser.add_argument("--allow-moved-modules", action="store_true", help="moved classes match")
    args = parser.parse_args(argv)
    for root in (args.archive_a, args.archive_b):
        found = [
            len([*root.glob(p)]) for p in ("manifests/*.json", "reports/*", "warc/*/*.warc.gz")
        ]
        if found[0] != 1 or 0 in found:
            parser.error(f"{root}: not an archive folder holding one crawl")
    a, b = (Archive(root, args.allow_moved_modules) for root in (args.archive_a, args.archive_b))
    for side, x in (("A", a), ("B", b)):
        print(f"{side}: {x.root}: crawl {x.crawl_id}, writer {x.writer}, site {x.host}:{x.port}")
    notes, aliases = list[str](), dict[str, str]()  # aliases: payload digests, A's to B's
    sections = [compare_warcs(a, b, aliases, notes), compare_cdxj(a, b, aliases)]
    sections.append(match("records", records(a, aliases), records(b, {}), diff_json))
    sections += compare_meta(a, b, notes)
    print("\n".join(notes))
    for name, matched, out in sections:
        print(f"{name + ':':14} {matched} matched, {len(out)} difference(s)")
    differences = [line for _, _, out in sections for line in out]
    print("\n".join(["", "differences:", *differences] if differences else ["", "identical"]))
    return 1 if differences else 0


if __name__ == "__main__":
    sys.exit(main())
