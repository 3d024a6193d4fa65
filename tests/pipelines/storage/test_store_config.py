"""StoreConfig from Scrapy settings: AWS_* and STORE_* keys, boto3's chain by default, and bad
values that stop the crawl before it starts."""

from __future__ import annotations

import pytest
from scrapy.settings import Settings

import settings.base as base
from commands.check import validate
from crawler.config import ConfigError
from pipelines.storage import StoreOptions
from pipelines.storage.config import StoreConfig

MIB = 1024 * 1024


def settings_with(**overrides: object) -> Settings:
    settings = Settings()
    settings.setmodule(base)
    settings.setdict(overrides, priority="cmdline")
    return settings


def test_store_settings_from_scrapy_keys_and_ours() -> None:
    config = StoreConfig.from_settings(
        settings_with(
            AWS_ENDPOINT_URL="http://127.0.0.1:9000",
            AWS_REGION_NAME="eu-west-1",
            AWS_ACCESS_KEY_ID="AKIAEXAMPLE",
            AWS_SECRET_ACCESS_KEY="secret-example",
            AWS_VERIFY="False",
            STORE_S3_ADDRESSING_STYLE="path",
            STORE_S3_SSE="aws:kms",
            STORE_S3_SSE_KMS_KEY_ID="alias/news",
            STORE_S3_CHECKSUM_CALCULATION="when_required",
            STORE_OBJECT_LOCK_MODE="COMPLIANCE",
            STORE_OBJECT_LOCK_DAYS="3650",
            STORE_UPLOAD_THREADS="3",
            STORE_DRAIN_TIMEOUT="0",
        )
    )

    options = config.options
    assert (options.endpoint_url, options.region, options.verify) == (
        "http://127.0.0.1:9000",
        "eu-west-1",
        False,
    )
    assert (options.access_key_id, options.secret_access_key) == ("AKIAEXAMPLE", "secret-example")
    assert (options.addressing_style, options.sse, options.sse_kms_key_id) == (
        "path",
        "aws:kms",
        "alias/news",
    )
    assert options.checksum_calculation == "when_required"
    assert (options.object_lock_mode, options.object_lock_days) == ("COMPLIANCE", 3650)
    assert (config.upload_threads, config.drain_timeout) == (3, 0.0)
    assert "secret-example" not in repr(config) and "AKIAEXAMPLE" not in repr(config)


def test_the_default_store_settings_use_boto3s_chain() -> None:
    options = StoreConfig.from_settings(settings_with()).options
    assert options == StoreOptions()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"AWS_ACCESS_KEY_ID": "AKIAEXAMPLE"}, "set both or neither"),
        ({"AWS_SECRET_ACCESS_KEY": "only-the-secret"}, "set both or neither"),
        ({"STORE_S3_ADDRESSING_STYLE": "dns"}, "STORE_S3_ADDRESSING_STYLE: 'dns' must be one of"),
        ({"STORE_S3_SSE": "aes256"}, "STORE_S3_SSE: 'aes256' must be one of"),
        ({"STORE_S3_SSE_KMS_KEY_ID": "alias/x"}, "needs STORE_S3_SSE = 'aws:kms'"),
        ({"STORE_S3_CHECKSUM_CALCULATION": "never"}, "must be one of"),
        ({"STORE_OBJECT_LOCK_MODE": "GOVERNANCE"}, "set both"),
        ({"STORE_OBJECT_LOCK_DAYS": "30"}, "set both"),
        ({"STORE_OBJECT_LOCK_MODE": "WORM", "STORE_OBJECT_LOCK_DAYS": "1"}, "must be one of"),
        ({"STORE_S3_MULTIPART_CHUNKSIZE": str(4 * MIB)}, "STORE_S3_MULTIPART_CHUNKSIZE"),
        ({"STORE_UPLOAD_THREADS": "0"}, "STORE_UPLOAD_THREADS"),
        ({"STORE_RETRY_MAX_DELAY": "-1"}, "STORE_RETRY_MAX_DELAY"),
    ],
)
def test_bad_store_settings_stop_the_crawl_before_it_starts(
    overrides: dict[str, str], message: str
) -> None:
    with pytest.raises(ConfigError) as raised:
        validate(settings_with(**overrides))

    assert message in str(raised.value)
    for secret in ("only-the-secret",):
        assert secret not in str(raised.value)
