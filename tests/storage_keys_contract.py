"""The `Store` contract for list() and for keys: a test mixin that `StoreContract` inherits.

Split from tests/storage_contract.py (the writes and reads), whose notes hold here too: only the
`Store` protocol is used, pytest collects these tests only through the backends' test classes,
and keys end in ``.warc.dat``, never ``.warc.gz``.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest

from pipelines.storage.base import Store

__all__ = ["StoreKeysContract", "read_object"]

INVALID_KEYS = {
    "empty": "",
    "absolute": "/warc/a.warc.dat",
    "trailing slash": "warc/",
    "doubled slash": "warc//a.warc.dat",
    "dot segment": "warc/./a.warc.dat",
    "dot-dot segment": "warc/../../etc/passwd",
    "only dot-dot": "..",
    "backslash": "warc\\a.warc.dat",
    "NUL": "warc/a\0.warc.dat",
    "temp name": ".tmp-0123456789abcdef",
    "temp folder": "warc/.tmp-1/a.warc.dat",
    "lone surrogate": "warc/a\udc80.warc.dat",
    "1025 bytes": "k" * 1025,
    "1026 bytes of 2-byte characters": "é" * 513,
}

# Exactly 1024 bytes of UTF-8, in segments short enough for any local filesystem.
LONGEST_KEY = "/".join(["é" * 100] * 5) + "/" + "x" * 19


def read_object(store: Store, key: str) -> bytes:
    with store.get(key) as stream:
        return stream.read()


class StoreKeysContract:
    """How every `Store` lists its keys and which keys it takes; the `store` fixture comes from
    the backend's test class."""

    # --- list() ----------------------------------------------------------------------------

    def test_list_of_an_empty_store(self, store: Store) -> None:
        assert list(store.list()) == []
        assert list(store.list("warc/")) == []

    def test_list_is_sorted_with_plain_string_prefixes(self, store: Store) -> None:
        keys = [
            "warcs/y",
            "warc/crawl-10/a.warc.dat",
            "warc/crawl-1/b.warc.dat",
            "warc-notes",
            "indexes/crawl-1/a.cdxj",
            "warc/crawl-1/a.warc.dat",
            "warc/other/x",
        ]
        for key in keys:
            store.put_bytes(key.encode(), key)

        assert list(store.list()) == sorted(keys)
        assert list(store.list("")) == sorted(keys)
        # "-" < "/" < "s": a sort by whole key, not folder by folder.
        assert list(store.list("warc")) == [
            "warc-notes",
            "warc/crawl-1/a.warc.dat",
            "warc/crawl-1/b.warc.dat",
            "warc/crawl-10/a.warc.dat",
            "warc/other/x",
            "warcs/y",
        ]
        assert list(store.list("warc/cr")) == [
            "warc/crawl-1/a.warc.dat",
            "warc/crawl-1/b.warc.dat",
            "warc/crawl-10/a.warc.dat",
        ]
        assert list(store.list("warc/crawl-1")) == list(store.list("warc/cr"))
        assert list(store.list("warc/crawl-1/")) == [
            "warc/crawl-1/a.warc.dat",
            "warc/crawl-1/b.warc.dat",
        ]
        assert list(store.list("warc/crawl-1/a.warc.dat")) == ["warc/crawl-1/a.warc.dat"]
        assert list(store.list("warc/crawl-2/")) == []
        assert list(store.list("zzz")) == []

    @pytest.mark.parametrize("prefix", ["warc//", "warc/../", "../", "/", "warc/./c", "\\"])
    def test_list_of_a_prefix_no_key_can_have_is_empty(self, store: Store, prefix: str) -> None:
        store.put_bytes(b"x", "warc/crawl-1/a.warc.dat")

        assert list(store.list(prefix)) == []

    # --- keys ------------------------------------------------------------------------------

    @pytest.mark.parametrize("key", INVALID_KEYS.values(), ids=INVALID_KEYS.keys())
    def test_invalid_keys_are_value_errors(self, store: Store, tmp_path: Path, key: str) -> None:
        source = tmp_path / "source"
        source.write_bytes(b"x")

        with pytest.raises(ValueError):
            store.put_bytes(b"x", key)
        with pytest.raises(ValueError):
            store.put_file(source, key)
        with pytest.raises(ValueError):
            store.get(key)
        with pytest.raises(ValueError):
            store.exists(key)
        assert list(store.list()) == []

    def test_the_longest_key(self, store: Store) -> None:
        assert len(LONGEST_KEY.encode("utf-8")) == 1024

        store.put_bytes(b"x", LONGEST_KEY)

        assert store.exists(LONGEST_KEY)
        assert list(store.list()) == [LONGEST_KEY]

    def test_unicode_keys(self, store: Store) -> None:
        keys = [
            "records/crawl-ñ/part-00001.jsonl.gz",
            "reports/東京-2022.json",
            "warc/crawl-1/noticias 📰.warc.dat",
            "Zürich/x",
            "zebra/x",
        ]
        for key in keys:
            store.put_bytes(key.encode("utf-8"), key)

        assert list(store.list()) == sorted(keys)
        assert list(store.list("reports/東")) == ["reports/東京-2022.json"]
        for key in keys:
            assert store.exists(key)
            assert read_object(store, key) == key.encode("utf-8")

    def test_keys_are_not_unicode_normalised(self, store: Store) -> None:
        composed = unicodedata.normalize("NFC", "news/café")
        decomposed = unicodedata.normalize("NFD", "news/café")
        assert composed != decomposed

        store.put_bytes(b"composed", composed)
        store.put_bytes(b"decomposed", decomposed)

        assert list(store.list("news/")) == sorted([composed, decomposed])
        assert read_object(store, composed) == b"composed"
        assert read_object(store, decomposed) == b"decomposed"
