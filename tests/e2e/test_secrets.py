"""Secrets stay out of the archive and the logs.

A real crawl runs with secrets planted in its request headers, its settings and its environment;
then every file it left (WARCs and other gzip files decompressed, records, indexes, manifests,
reports, the log, its stdout and stderr) is searched for each of them. boto3's DEBUG output, with
signed requests to a real (moto) S3 server, goes through the same log filter."""

from __future__ import annotations

import gzip
import io
import json
import logging
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto.server import ThreadedMotoServer
from scrapy.settings import Settings

from crawler.extensions.logredact import SecretFilter, environment_secrets, install, scrub
from crawler.redaction import redacted_settings, secret_values
from settings import base
from tests.servers.demo import crawl
from tests.servers.http import HttpServer
from tests.warcs import read_warc

CRAWL_ID = "secrets-20221012000000"
MARKER = "<redacted by newsarchive>"
# Planted values, each unlike anything else in an archive, so that a hit is a leak.
KEY_ID = "AKIAPLANTEDKEY000001"
SECRET_KEY = "pLaNtEd/SecretAccessKey+0000000000000001"
SESSION_TOKEN = "FwoGZXIvYXdzPLANTEDsessionTOKEN0001"
BEARER = "plantedBearerToken0001"
COOKIE = "plantedSessionCookie0001"
API_KEY = "plantedApiKey0001"
API_TOKEN = "plantedApiToken0001"
DB_PASSWORD = "plantedDbPassword0001"
DSN_SECRET = "plantedDsnSecret0001"
ENV_SECRET = "plantedEnvironmentSecret0001"
PLANTED = (
    KEY_ID,
    SECRET_KEY,
    SESSION_TOKEN,
    BEARER,
    COOKIE,
    API_KEY,
    API_TOKEN,
    DB_PASSWORD,
    DSN_SECRET,
    ENV_SECRET,
)


# --- What counts as a secret -------------------------------------------------------------------


def project_settings(**values: Any) -> Settings:
    settings = Settings()
    settings.setmodule(base)
    settings.update(values)
    return settings


def test_header_names_and_listed_headers_are_secret_names() -> None:
    settings = project_settings(
        DEFAULT_REQUEST_HEADERS={
            "Authorization": "Bearer x1",
            "X-Api-Key": "x2",
            "X-Tenant": "x3",
            "Accept": "text/html",
        },
        WARC_REDACT_HEADERS=["X-Tenant"],
    )
    headers = redacted_settings(settings)["DEFAULT_REQUEST_HEADERS"]
    assert headers == {
        "Authorization": "<redacted>",
        "X-Api-Key": "<redacted>",
        "X-Tenant": "<redacted>",
        "Accept": "text/html",
    }
    assert {"Bearer x1", "x2", "x3"} <= secret_values(settings)
    assert "text/html" not in secret_values(settings)


def test_aws_key_ids_and_url_passwords_are_found_in_any_value() -> None:
    settings = project_settings(
        FEED_URI=f"s3://{KEY_ID}:{DB_PASSWORD}@bucket/feed.json",
        NOTE=f"key {KEY_ID} in a sentence",
    )
    redacted = redacted_settings(settings)
    assert KEY_ID not in json.dumps(redacted) and DB_PASSWORD not in json.dumps(redacted)
    assert redacted["NOTE"] == "key <redacted> in a sentence"
    assert {f"{KEY_ID}:{DB_PASSWORD}", KEY_ID} <= secret_values(settings)


def test_safety_settings_are_not_mistaken_for_secrets() -> None:
    redacted = redacted_settings(project_settings(ALLOW_PRIVATE_NETWORKS=["10.0.0.0/8"]))
    assert redacted["ALLOW_PRIVATE_NETWORKS"] == ["10.0.0.0/8"]


def test_scrub_removes_credentials_by_value_and_by_shape() -> None:
    text = (
        f"key={KEY_ID} url=https://user:{DB_PASSWORD}@host/x Authorization: Bearer {BEARER}\n"
        f"{{'Cookie': b'{COOKIE}', 'X-Amz-Security-Token': b'{SESSION_TOKEN}'}}\n"
        f"x-amz-security-token:{SESSION_TOKEN}\nSignature:\n{'ab12' * 16}\n"
        f"plain {API_TOKEN} and a short one: abc"
    )
    clean = scrub(text, {API_TOKEN, "abc"})
    for secret in (KEY_ID, DB_PASSWORD, BEARER, COOKIE, SESSION_TOKEN, "ab12" * 16, API_TOKEN):
        assert secret not in clean
    assert "a short one: abc" in clean  # too short to be scrubbed as a value


def test_the_filter_scrubs_messages_arguments_and_tracebacks() -> None:
    stream = io.StringIO()
    logger = logging.getLogger("tests.secrets.filter")
    logger.propagate = False
    handler = logging.StreamHandler(stream)
    logger.addHandler(handler)
    install(SecretFilter({API_TOKEN}), logger)
    try:
        logger.warning("token %s", API_TOKEN)
        try:
            raise RuntimeError(f"failed with {API_TOKEN}")
        except RuntimeError:
            logger.exception("boom")
    finally:
        logger.removeHandler(handler)
    assert API_TOKEN not in stream.getvalue()
    assert "token <redacted>" in stream.getvalue() and "RuntimeError" in stream.getvalue()


def test_secret_environment_variables_are_known() -> None:
    found = environment_secrets({"AWS_SECRET_ACCESS_KEY": SECRET_KEY, "HOME": "/root"})
    assert found == {SECRET_KEY}


@pytest.mark.parametrize("known", [True, False], ids=["known-values", "shapes-only"])
def test_boto3_debug_output_is_scrubbed(known: bool) -> None:
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    botocore = logging.getLogger("botocore")
    level, botocore.level = botocore.level, logging.DEBUG
    botocore.addHandler(handler)
    install(SecretFilter({SECRET_KEY, SESSION_TOKEN} if known else ()), botocore)
    try:
        host, port = server.get_host_and_port()
        client = boto3.session.Session(
            aws_access_key_id=KEY_ID,
            aws_secret_access_key=SECRET_KEY,
            aws_session_token=SESSION_TOKEN,
            region_name="us-east-1",
        ).client("s3", endpoint_url=f"http://{host}:{port}")
        client.create_bucket(Bucket="secrets")
        client.put_object(Bucket="secrets", Key="k", Body=b"x")
    finally:
        botocore.removeHandler(handler)
        botocore.setLevel(level)
        server.stop()
    text = stream.getvalue()
    assert "'Authorization': b'<redacted>" in text  # botocore did log its signed headers
    for secret in (KEY_ID, SECRET_KEY, SESSION_TOKEN):
        assert secret not in text


# --- A crawl with planted secrets --------------------------------------------------------------


@dataclass
class Crawled:
    files: list[Path]  # every file the crawl left
    outputs: dict[str, bytes]  # stdout and stderr
    received: list[dict[str, str]]  # the request headers the server got
    request_records: list[Any]


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Crawled]:
    tmp = tmp_path_factory.mktemp("secrets")
    seeds = tmp / "secrets.toml"
    seeds.write_text(
        'name = "secrets"\nstart_urls = ["${NEWSARCHIVE_DEMO_URL}/category/world/"]\n'
        'allowed_domains = ["127.0.0.1"]\nrelated_depth = 0\n'
        'contact = "https://example.org/newsarchive-tests"\n'
        '[settings]\nWARC_REDACT_HEADERS = ["X-Api-Key"]\n'
        f'[settings.DEFAULT_REQUEST_HEADERS]\nAuthorization = "Bearer {BEARER}"\n'
        f'Cookie = "session={COOKIE}"\n"X-Api-Key" = "{API_KEY}"\nAccept = "text/html"\n'
    )
    mp = pytest.MonkeyPatch()
    mp.setenv("AWS_SECRET_ACCESS_KEY", ENV_SECRET)  # boto3's chain would read it
    with HttpServer() as site:
        try:
            result = crawl(
                site.base_url,
                str(tmp / "archive"),
                CRAWL_ID,
                seeds=str(seeds),
                capture=True,
                log_file=tmp / "crawl.log",
                extra={
                    "STORE_SPOOL_DIR": str(tmp / "spool"),
                    "LOG_LEVEL": "DEBUG",
                    "AWS_ACCESS_KEY_ID": KEY_ID,
                    "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
                    "AWS_SESSION_TOKEN": SESSION_TOKEN,
                    "NEWS_API_TOKEN": API_TOKEN,
                    "MY_DB_PASSWORD": DB_PASSWORD,
                    "SENTRY_DSN": f"https://public:{DSN_SECRET}@sentry.invalid/1",
                },
            )
        finally:
            mp.undo()
        received = [dict(r.headers) for r in site.requests()]
    assert result.returncode == 0, result.stderr
    warcs = sorted((tmp / "archive" / "warc" / CRAWL_ID).glob("*.warc.gz"))
    yield Crawled(
        files=sorted(p for p in tmp.rglob("*") if p.is_file() and p != seeds),
        outputs={"stdout": result.stdout.encode(), "stderr": result.stderr.encode()},
        received=received,
        request_records=[r for w in warcs for r in read_warc(w) if r.rec_type == "request"],
    )


def readable(path: Path) -> Iterator[tuple[str, bytes]]:
    """The file's bytes, decompressed when it is gzip (every member) or a zip (every entry)."""
    data = path.read_bytes()
    if data[:2] == b"\x1f\x8b":
        yield str(path), gzip.decompress(data)
    elif data[:4] == b"PK\x03\x04":
        with zipfile.ZipFile(path) as archive:
            for name in archive.namelist():
                inner = archive.read(name)
                gzipped = inner[:2] == b"\x1f\x8b"
                yield f"{path}!{name}", gzip.decompress(inner) if gzipped else inner
    else:
        yield str(path), data


def test_the_secrets_were_really_sent(crawled: Crawled) -> None:
    headers = crawled.received[-1]
    assert headers["Authorization"] == f"Bearer {BEARER}"
    assert headers["Cookie"] == f"session={COOKIE}"
    assert headers["X-Api-Key"] == API_KEY


def test_request_records_carry_the_marker_instead(crawled: Crawled) -> None:
    assert crawled.request_records
    for record in crawled.request_records:
        headers = dict(record.http_headers)
        for name in ("Authorization", "Cookie", "X-Api-Key"):
            assert headers[name] == MARKER, (name, record.http_headers)
        assert headers["Accept"] == "text/html"


def test_no_output_file_holds_a_secret(crawled: Crawled) -> None:
    kinds = {path.name.split(".", 1)[-1] for path in crawled.files}
    assert {"warc.gz", "jsonl.gz", "json", "log"} <= kinds  # the scan saw every kind
    leaks = [
        (where, secret)
        for path in crawled.files
        for where, data in readable(path)
        for secret in PLANTED
        if secret.encode() in data
    ]
    leaks += [
        (name, s) for name, data in crawled.outputs.items() for s in PLANTED if s.encode() in data
    ]
    assert leaks == []


def test_log_and_manifest_show_that_settings_were_redacted(crawled: Crawled) -> None:
    log = next(p for p in crawled.files if p.name == "crawl.log").read_text()
    assert "Overridden settings" in log
    assert "'AWS_SECRET_ACCESS_KEY': '<redacted>'" in log
    manifest = json.loads(next(p for p in crawled.files if "manifests" in p.parts).read_text())
    settings = manifest["settings"]
    for name in (
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "NEWS_API_TOKEN",
        "MY_DB_PASSWORD",
    ):
        assert settings[name] == "<redacted>", name
    assert settings["SENTRY_DSN"] == "https://<redacted>@sentry.invalid/1"
    assert settings["DEFAULT_REQUEST_HEADERS"]["Accept"] == "text/html"
