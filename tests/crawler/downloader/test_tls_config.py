"""TLS_VERIFY, TLS_VERIFY_EXCEPT_HOSTS and TLS_CA_BUNDLE, read into the handler's config."""

from __future__ import annotations

from pathlib import Path

import pytest
from scrapy.settings import Settings

from crawler.config import ConfigError
from crawler.downloader.config import GuardConfig, TlsConfig
from settings import base


def settings(**values: object) -> Settings:
    return Settings({"DOWNLOAD_HANDLERS": base.DOWNLOAD_HANDLERS, **values})


def test_verification_is_on_by_default_with_the_system_store() -> None:
    defaults = {name: getattr(base, name) for name in dir(base) if name.startswith("TLS_")}
    expected = TlsConfig(verify=True, except_hosts=(), ca_bundle=None)
    assert GuardConfig.from_settings(settings(**defaults)).tls == expected
    assert GuardConfig.from_settings(settings()).tls == expected  # unset: on


def test_a_ca_bundle_must_be_a_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="TLS_CA_BUNDLE"):
        TlsConfig.from_settings(settings(TLS_CA_BUNDLE=str(tmp_path / "missing.pem")))


def test_another_context_factory_would_bypass_verification() -> None:
    with pytest.raises(ConfigError, match="DOWNLOADER_CLIENTCONTEXTFACTORY"):
        TlsConfig.from_settings(settings(DOWNLOADER_CLIENTCONTEXTFACTORY="my.Factory"))


@pytest.mark.parametrize(
    "verify, excepted, host, enforced",
    [
        (True, [], "news.test", True),
        (True, ["news.test"], "news.test", False),
        (True, ["news.test"], "www.News.test", False),
        (True, ["news.test"], "othernews.test", True),
        (False, [], "news.test", False),
    ],
)
def test_verification_is_enforced_unless_switched_off_for_the_crawl_or_the_host(
    verify: bool, excepted: list[str], host: str, enforced: bool
) -> None:
    config = TlsConfig(verify=verify, except_hosts=tuple(excepted), ca_bundle=None)
    assert config.verifies(host) is enforced
