"""The Scrapy add-on that turns the shared frontier on when ``REDIS_URL`` is set.

Listed in ``ADDONS`` (settings/base.py); without ``REDIS_URL`` it changes nothing, and the crawl
keeps Scrapy's own scheduler (and JOBDIR, for crash-resume on one machine). Add-ons run after the
spider has read its seed set, so the keys are the seed set's.
"""

from __future__ import annotations

from typing import Any

from scrapy.settings import SETTINGS_PRIORITIES, BaseSettings

from crawler.frontier.keys import FrontierKeys

PREFIX = "crawler.frontier"


class SharedFrontier:
    def update_settings(self, settings: BaseSettings) -> None:
        if not settings.get("REDIS_URL"):
            return
        keys = FrontierKeys(settings.get("SEEDSET_NAME") or "news")
        put(settings, "SCHEDULER", f"{PREFIX}.scheduler.LeasingScheduler")
        put(settings, "SCHEDULER_QUEUE_CLASS", f"{PREFIX}.queue.LeasedPriorityQueue")
        put(settings, "SCHEDULER_QUEUE_KEY", keys.requests)
        put(settings, "DUPEFILTER_CLASS", f"{PREFIX}.dupefilter.FingerprintDupeFilter")
        put(settings, "SCHEDULER_DUPEFILTER_KEY", keys.dupefilter)
        # Closest to the engine: it sees a callback's output after every other middleware.
        settings["SPIDER_MIDDLEWARES"][f"{PREFIX}.release.ReleaseLeases"] = 1


def put(settings: BaseSettings, name: str, value: Any) -> None:
    """Set `name` over the project's settings (ours set SCHEDULER and DUPEFILTER_CLASS for
    JOBDIR), but not over what the command line or the seed set chose."""
    if (settings.getpriority(name) or 0) <= SETTINGS_PRIORITIES["project"]:
        settings.set(name, value, "project")
