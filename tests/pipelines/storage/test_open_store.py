"""open_store(): a local path or file: URI opens a LocalStore, an s3: URI an S3Store without
contacting it, and a bad or unknown URI is a clear error."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipelines.storage import LocalStore, StoreError, open_store


def test_open_store_with_a_relative_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)

    store = open_store("archive/")

    assert isinstance(store, LocalStore)
    assert store.root == (tmp_path / "archive").resolve()
    assert store.root.is_dir()


def test_open_store_expands_the_home_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))

    store = open_store("~/archive")

    assert isinstance(store, LocalStore)
    assert store.root == (tmp_path / "archive").resolve()


@pytest.mark.parametrize(
    "uri",
    ["file://{path}", "file://localhost{path}", "FILE://{path}", "file://{path}/"],
)
def test_open_store_with_a_file_uri(tmp_path: Path, uri: str) -> None:
    path = (tmp_path / "archive").resolve()

    store = open_store(uri.format(path=path))

    assert isinstance(store, LocalStore)
    assert store.root == path


def test_open_store_decodes_a_file_uri(tmp_path: Path) -> None:
    store = open_store((tmp_path / "news archive").resolve().as_uri())

    assert isinstance(store, LocalStore)
    assert store.root.name == "news archive"


def test_a_store_uri_opens_the_same_store(tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "archive ñ")
    store.put_bytes(b"x", "a")

    again = open_store(store.uri)

    assert isinstance(again, LocalStore)
    assert again.root == store.root
    assert list(again.list()) == ["a"]


@pytest.mark.parametrize(
    ("uri", "problem"),
    [
        ("", "empty store URI"),
        ("   ", "empty store URI"),
        ("file://archive.example.com/srv/archive", "remote host 'archive.example.com'"),
        ("file:///srv/archive?x=1", "without query or fragment"),
        ("file:///srv/archive#top", "without query or fragment"),
        ("file://", "must be an absolute path"),
    ],
)
def test_open_store_rejects_bad_uris(uri: str, problem: str) -> None:
    with pytest.raises(StoreError) as raised:
        open_store(uri)

    assert problem in str(raised.value)
    assert uri.strip() in str(raised.value)


@pytest.mark.parametrize(
    ("uri", "expected"),
    [
        ("s3://news-bucket", "s3://news-bucket/"),
        ("s3://news-bucket/", "s3://news-bucket/"),
        ("s3://news-bucket/archive", "s3://news-bucket/archive/"),
        ("S3://news-bucket/news/archive/", "s3://news-bucket/news/archive/"),
    ],
)
def test_open_store_s3_opens_an_s3_store_without_contacting_it(uri: str, expected: str) -> None:
    # No request is made until the store is used, so this needs no server and no credentials.
    store = open_store(uri)

    assert type(store).__name__ == "S3Store"
    assert store.uri == expected


@pytest.mark.parametrize(
    "uri",
    [
        "s3://",
        "s3:///archive/",
        "s3://news-bucket/a//b",
        "s3://news-bucket/../x",
        "s3://user:pass@news-bucket/",
        "s3://news-bucket/archive?versionId=1",
    ],
)
def test_open_store_rejects_bad_s3_uris(uri: str) -> None:
    with pytest.raises(StoreError) as raised:
        open_store(uri)

    assert "s3://" in str(raised.value)
    assert "pass" not in str(raised.value)


@pytest.mark.parametrize("uri", ["gs://news-bucket/archive/", "HTTPS://example.com/archive/"])
def test_open_store_unknown_scheme(uri: str) -> None:
    with pytest.raises(StoreError) as raised:
        open_store(uri)

    message = str(raised.value)
    scheme = uri.partition("://")[0].lower()
    assert f"unknown storage scheme {scheme!r}" in message
    assert uri in message
    assert "file://" in message
    assert "s3://" in message
