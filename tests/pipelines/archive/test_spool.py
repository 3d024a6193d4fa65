"""The spool on its own: its keys, its journal, and the uploader's back-off."""

from __future__ import annotations

import random
from pathlib import Path

from pipelines.archive.spool import CrawlSpool
from pipelines.archive.uploads import Uploader
from pipelines.storage.config import StoreConfig

CRAWL = "demo-20221012000000"


def test_back_off_doubles_with_jitter_up_to_the_cap(tmp_path: Path) -> None:
    config = StoreConfig.from_settings(
        _settings(STORE_RETRY_INITIAL_DELAY=1.0, STORE_RETRY_MAX_DELAY=60.0)
    )
    uploader = Uploader(
        open_local_store(tmp_path),
        config,
        None,
        None,  # type: ignore[arg-type]
        rng=random.Random(1),
    )

    delays = [uploader._delay(attempt) for attempt in range(1, 12)]

    steps = [1, 2, 4, 8, 16, 32, 60, 60, 60, 60, 60]
    for delay, step in zip(delays, steps, strict=True):
        assert step / 2 <= delay <= step
    assert len(set(delays)) == len(delays)  # jittered: no two retries wait the same


def open_local_store(tmp_path: Path) -> object:
    from pipelines.storage import LocalStore

    return LocalStore(tmp_path / "archive")


def _settings(**overrides: object) -> object:
    from scrapy.settings import Settings

    import settings.base as base

    settings = Settings()
    settings.setmodule(base)
    settings.setdict(overrides, priority="cmdline")
    return settings


def test_spool_keys_are_the_spool_relative_paths(tmp_path: Path) -> None:
    spool = CrawlSpool(tmp_path, CRAWL, process="host-7")
    assert spool.key_of(spool.kind_folder("indexes") / "a.warc.gz.cdxj") == (
        "indexes",
        f"indexes/{CRAWL}/a.warc.gz.cdxj",
    )
    assert spool.key_of(spool.report_path) == ("reports", f"reports/{CRAWL}/host-7.json")


def test_a_journal_line_torn_by_a_crash_does_not_spoil_the_next(tmp_path: Path) -> None:
    spool = CrawlSpool(tmp_path, CRAWL)
    part = spool.kind_folder("records") / "part-00001-host-1.jsonl.gz"
    spool.note_closed(part, "records", 3)
    with open(spool.folder / "journal.jsonl", "ab") as journal:
        journal.write(b'{"event": "stored", "key": "records/x')  # the process died here

    spool.note_closed(part.with_name("part-00002-host-1.jsonl.gz"), "records", 7)

    assert spool.records_of(part) == 3
    assert spool.records_of(part.with_name("part-00002-host-1.jsonl.gz")) == 7
    assert spool.stored() == []
