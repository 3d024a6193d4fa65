"""Overrides for scheduled production crawls."""

from settings.base import *  # noqa: F403

LOG_LEVEL = "INFO"
AUTOTHROTTLE_START_DELAY = 2.0
DOWNLOAD_DELAY = 1.0
WARC_MAX_AGE = 1800
RETRY_TIMES = 3
