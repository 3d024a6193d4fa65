"""Overrides for the bundled offline demo site: one local host, no waiting."""

from settings.base import *  # noqa: F403

AUTOTHROTTLE_START_DELAY = 0.0
DOWNLOAD_DELAY = 0.0
CONCURRENT_REQUESTS_PER_DOMAIN = 8
ALLOW_PRIVATE_NETWORKS = ["127.0.0.1/32"]  # the demo site; the SSRF guard blocks loopback otherwise
LOG_LEVEL = "INFO"
