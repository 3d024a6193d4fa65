"""The Scrapy add-on that turns the shared frontier on when ``REDIS_URL`` is set.

Listed in ``ADDONS`` (settings/base.py); without ``REDIS_URL`` it changes nothing, and the crawl
keeps Scrapy's own scheduler (and JOBDIR, for crash-resume on one machine). Add-ons run after the
spider has read its seed set, so the keys are the seed set's.
"""

from __future__ import annotations

from scrapy.settings import BaseSettings

from crawler.frontier.keys import FrontierKeys

PREFIX = "crawler.frontier"


class SharedFrontier:
    def update_settings(self, settings: BaseSettings) -> None:
        if not settings.get("REDIS_URL"):
            return
        keys = FrontierKeys(settings.get("SEEDSET_NAME") or "news")
        # At "project" priority: over ours (SCHEDULER and DUPEFILTER_CLASS for JOBDIR), not
        # over what the command line or the seed set chose (Settings.set keeps a higher one).
        for name, value in {
            "SCHEDULER": f"{PREFIX}.scheduler.LeasingScheduler",
            "SCHEDULER_QUEUE_CLASS": f"{PREFIX}.queue.LeasedPriorityQueue",
            "SCHEDULER_QUEUE_KEY": keys.requests,
            "DUPEFILTER_CLASS": f"{PREFIX}.dupefilter.FingerprintDupeFilter",
            "SCHEDULER_DUPEFILTER_KEY": keys.dupefilter,
        }.items():
            settings.set(name, value, "project")
        # Closest to the engine: it sees a callback's output after every other middleware.
        settings["SPIDER_MIDDLEWARES"][f"{PREFIX}.release.ReleaseLeases"] = 1
