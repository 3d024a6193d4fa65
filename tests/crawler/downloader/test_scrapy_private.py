"""The private Scrapy names newsarchive builds on: all present in the pinned Scrapy, and the
download handler refusing to start, rather than fetch unguarded, when one is gone."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from pathlib import Path

import pytest
from scrapy import Request
from scrapy.downloadermiddlewares.httpcompression import HttpCompressionMiddleware
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Response
from scrapy.utils.test import get_crawler

from crawler.downloader import scrapy_private as private
from crawler.downloader.handler import ArchivalDownloadHandler

ROOT = Path(__file__).resolve().parents[3]


def test_every_private_scrapy_name_is_still_there() -> None:
    absent = private.missing()
    assert not absent, (
        "this Scrapy lacks private names newsarchive depends on: "
        + "; ".join(f"{path} (used by {_user(path)})" for path in absent)
        + ". Adapt crawler/downloader/scrapy_private.py and its users before upgrading."
    )


def _user(path: str) -> str:
    return next(entry.user for entry in private.NAMES.values() if entry.path == path)


def test_every_name_has_an_attribute_here() -> None:
    for name, entry in private.NAMES.items():
        assert hasattr(private, name), name
        assert entry.why and entry.user


# Building the handler imports Twisted's reactor, which is one per process: done in a child.
PROBE = """
import json
from scrapy.exceptions import NotConfigured
from scrapy.utils.test import get_crawler
from crawler.downloader import scrapy_private as private
from scrapy.utils.reactor import install_reactor
from crawler.downloader.handler import ArchivalDownloadHandler
from settings import base

install_reactor("twisted.internet.asyncioreactor.AsyncioSelectorReactor")
settings = {"DOWNLOAD_HANDLERS": base.DOWNLOAD_HANDLERS}
missing = private.missing_on(ArchivalDownloadHandler(get_crawler(settings_dict=settings)))
private.HANDLER_ATTRIBUTES = (*private.HANDLER_ATTRIBUTES, "_gone")
try:
    ArchivalDownloadHandler(get_crawler(settings_dict=settings))
    refusal = None
except NotConfigured as exc:
    refusal = str(exc)
print(json.dumps({"missing": missing, "refusal": refusal}))
"""


def test_the_handler_has_the_instance_attributes_it_reads_and_refuses_without_one() -> None:
    done = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-3000:]
    found = json.loads(done.stdout.splitlines()[-1])
    assert found["missing"] == [], f"HTTP11DownloadHandler lacks {found['missing']}"
    assert "HTTP11DownloadHandler._gone" in (found["refusal"] or "")


def test_missing_names_are_listed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(private, "BindAddressAgent", None)
    monkeypatch.setattr(private, "compression_decode", None)
    assert private.missing() == [
        private.NAMES["BindAddressAgent"].path,
        private.NAMES["compression_decode"].path,
    ]
    assert private.guard_missing() == [private.NAMES["BindAddressAgent"].path]


@pytest.mark.parametrize("name", [n for n, e in private.NAMES.items() if e.guard])
def test_the_handler_refuses_to_start_without_a_guard_name(
    monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    monkeypatch.setattr(private, name, None)
    with pytest.raises(NotConfigured, match=private.NAMES[name].path.replace(".", r"\.")):
        ArchivalDownloadHandler(get_crawler())


def test_a_missing_decoding_step_fails_naming_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(private, "compression_split", None)
    with pytest.raises(RuntimeError, match="_split_encodings"):
        private.split_encodings([b"gzip"])


def test_decoding_steps_are_scrapys() -> None:
    body = gzip.compress(b"<p>text</p>")
    assert private.split_encodings([b"identity, gzip"]) == ([b"gzip"], [b"identity"])
    assert private.decode_encoding(body, b"gzip", 0) == b"<p>text</p>"


def test_scrapy_drops_a_decompression_bomb_only_for_its_size_limit() -> None:
    """BoundedDecompression counts every IgnoreRequest of process_response as a bomb."""
    middleware = HttpCompressionMiddleware(
        crawler=get_crawler(settings_dict={"DOWNLOAD_MAXSIZE": 100})
    )
    response = Response(
        "http://example.com/",
        body=gzip.compress(b"x" * 10_000),
        headers={"Content-Encoding": "gzip"},
    )
    with pytest.raises(IgnoreRequest) as caught:
        middleware.process_response(Request("http://example.com/"), response)
    assert isinstance(caught.value.__cause__, private.DecompressionMaxSizeExceeded)
