"""One crawl, two processes: two real `scrapy crawl` processes share a CRAWL_ID, each with a seed
set of its own (disjoint articles of the fixture site) and a spool of its own, run at the same
time, into a local folder and into S3. Exactly one manifest lists both processes' objects, each
process leaves its report part, `verify` passes, and every page the site served is archived once
per request, every article once, with one record each."""

from __future__ import annotations

import io
import json
import subprocess
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from pipelines.storage import Store
from pipelines.tools.verify import verify
from tests.servers.demo import ROOT, crawl_command
from tests.servers.http import HttpServer
from tests.spools import Archive
from tests.warcs import read_records, read_warc

CRAWL_ID = "shared-20221012000000"
TIMEOUT = 120.0  # seconds; only reached when something is broken
ARTICLES = {
    "world": [
        "/2022/10/11/otan-ejercicios-armas-nucleares/",
        "/2022/10/12/nato-increase-arms-production-ukraine/",
    ],
    "defence": [
        "/2022/10/12/stoltenberg-allies-more-air-defense/",
        "/2022/10/13/germany-iris-t-air-defense-delivered/",
        "/2022/10/14/nato-critical-infrastructure-baltic/",
    ],
}


def seed_file(folder: Path, name: str, paths: list[str]) -> Path:
    path = folder / f"{name}.toml"
    urls = ", ".join(f'"${{NEWSARCHIVE_DEMO_URL}}{p}"' for p in paths)
    path.write_text(
        f'name = "{name}"\nstart_urls = [{urls}]\nallowed_domains = ["127.0.0.1"]\n'
        'related_depth = 0\ncontact = "https://github.com/newsarchive/newsarchive"\n\n'
        "[settings]\nAUTOTHROTTLE_START_DELAY = 0.0\nDOWNLOAD_DELAY = 0.0\n",
        "utf-8",
    )
    return path


def crawl_both(archive: Archive, tmp_path: Path, site_url: str) -> None:
    processes = {}
    for name, paths in ARTICLES.items():
        settings = {
            **archive.settings,
            "STORE_SPOOL_DIR": str(tmp_path / f"spool-{name}"),
            "EXTRACT_WORKERS": "1",
        }
        command, env = crawl_command(
            site_url,
            archive.uri,
            CRAWL_ID,
            settings,
            tmp_path / f"{name}.log",
            str(seed_file(tmp_path, name, paths)),
        )
        processes[name] = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
        )
    for name, process in processes.items():
        _, stderr = process.communicate(timeout=TIMEOUT)
        log = (tmp_path / f"{name}.log").read_text("utf-8")
        assert process.returncode == 0, stderr + log


def fetch(store: Store, key: str, folder: Path) -> Path:
    path = folder / key
    path.parent.mkdir(parents=True, exist_ok=True)
    with store.get(key) as stream:
        path.write_bytes(stream.read())
    return path


def test_two_processes_sharing_a_crawl_id_make_one_crawl(archive: Archive, tmp_path: Path) -> None:
    with HttpServer(log=tmp_path / "requests.jsonl") as site:
        crawl_both(archive, tmp_path, site.base_url)
        served = Counter(r.path for r in site.requests() if r.method == "GET")

    store = archive.store()
    keys = set(store.list())
    manifest_key = f"manifests/{CRAWL_ID}.json"
    assert {k for k in keys if k.startswith("manifests/")} == {
        manifest_key,
        f"{manifest_key}.sha256",
    }
    with store.get(manifest_key) as stream:
        manifest: dict[str, Any] = json.load(stream)
    listed = {entry["key"]: entry for entry in manifest["objects"]}
    assert keys - set(listed) == {manifest_key, f"{manifest_key}.sha256"}
    assert manifest["complete"] is True
    writers = manifest["writers"]
    assert sorted(w["seedset"] for w in writers.values()) == ["defence", "world"]
    reports = sorted(k for k in listed if k.startswith(f"reports/{CRAWL_ID}/"))
    assert reports == sorted(f"reports/{CRAWL_ID}/{writer}.json" for writer in writers)
    markers = {k for k in listed if k.startswith(f"writers/{CRAWL_ID}/")}
    assert len(markers) == 4  # started and finished, per process
    for writer in writers:  # each process's files carry its name, and all are listed
        assert any(k.startswith("warc/") and writer in k for k in listed)
        assert any(k.startswith("records/") and writer in k for k in listed)

    out = io.StringIO()
    assert not verify(store, None, out).failed, out.getvalue()

    local = tmp_path / "read-back"
    warcs = [fetch(store, k, local) for k, e in listed.items() if e["kind"] == "warc"]
    parts = [fetch(store, k, local) for k, e in listed.items() if e["kind"] == "records"]
    responses = [r for path in warcs for r in read_warc(path) if r.rec_type == "response"]
    assert Counter(urlsplit(r.uri).path for r in responses) == served  # every request, once
    articles = [p for paths in ARTICLES.values() for p in paths]
    assert all(served[path] == 1 for path in articles)  # disjoint: no page fetched twice
    records = list(read_records(parts))
    assert sorted(urlsplit(r["url"]).path for r in records) == sorted(articles)
    assert len({r["record_id"] for r in records}) == len(records)
    assert manifest["counts"]["records_records"] == len(records)
    stats = [json.loads(fetch(store, k, local).read_text("utf-8"))["stats"] for k in reports]
    assert sum(s["records/written"] for s in stats) == len(records)
    assert sum(s["warc/files"] for s in stats) == len(warcs)
    assert not any((tmp_path / f"spool-{name}" / CRAWL_ID).exists() for name in ARTICLES)
