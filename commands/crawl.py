"""`scrapy crawl`, checking the seed set and the project settings before anything starts, and
exiting with the archive's outcome.

Scrapy's own command would report a bad seed file or setting as a traceback from deep inside the
crawler; this one prints one line per error (file, line, key, problem, every one of the seed set;
or setting and value), into the log file too when there is one (scrapyd's job log), and exits with
status 2 before any request is made. So is a crawl whose JOBDIR another live crawl
holds. Then it runs the crawl as Scrapy's command does, keeping the crawler to read the outcome the
archive left in its stats (``archive/outcome``) and exit with the status the README's table gives:

    0  complete: the frontier is empty, every write succeeded, the files are stored
    1  the crawl could not start (Scrapy's own failures)
    2  a bad seed set or setting, a refused store, a JOBDIR in use: nothing was fetched
    3  stopped, resumable: a signal, a CLOSESPIDER_* limit or a failed write; run it again
    4  finished, but files are still in the spool (the store was unreachable at the end)
    5  finished, but fetched nothing it was asked to: every request blocked by the SSRF guard,
       failed, or excluded by robots.txt
    6  stopped: disk full (the spool, the log file); free space and run it again: with JOBDIR
       it resumes (the one line that says so goes to stderr too when the log is a file)
    (7 is `verify`'s: the archive has a problem; commands/verify.py)
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Mapping
from typing import Any

from scrapy.commands.crawl import Command as ScrapyCrawl
from scrapy.exceptions import UsageError

from commands.check import claim_jobdir, validate
from commands.preflight import check_store
from crawler.config import ConfigError
from crawler.seeds import SeedError, load_seedset
from crawler.state.extension import claim_state
from pipelines.archive.context import ArchiveContext
from pipelines.archive.session import OUTCOME

logger = logging.getLogger(__name__)

EXIT_STATUS = {"complete": 0, "stopped": 3, "spooled": 4, "disk_full": 6}
EXIT_NOTHING_FETCHED = 5


class Command(ScrapyCrawl):
    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        assert self.settings is not None
        try:
            settings = self.settings.copy()
            if args[:1] == ["news"]:
                seeds = opts.spargs.get("seeds")
                if not seeds:
                    raise SeedError("(none)", "give the seed set: -a seeds=seeds/<set>.toml")
                seedset = load_seedset(seeds)
                settings.setdict(dict(seedset.settings), priority="spider")
            validate(settings)
            claim_jobdir(settings)  # held for the life of this process
            check_store(settings)  # the store takes writes (issue 17): before any request
            if args[:1] == ["news"]:  # the seed set's crawl state: in use or broken is exit 2
                claim_state(settings, seedset.name)
        except (SeedError, ConfigError) as exc:
            for line in str(exc).splitlines():  # a seed set's errors, one per line
                print(f"error: {line}", file=sys.stderr)
                if self.settings.get("LOG_FILE"):  # scrapyd's job log: the reason goes there too
                    logger.error("error: %s", line)
            self.exitcode = 2
            return
        self._crawl(args, opts)

    def _crawl(self, args: list[str], opts: argparse.Namespace) -> None:
        """Scrapy's ``crawl`` command, keeping the crawler to read the archive's outcome."""
        if len(args) != 1:
            raise UsageError("running 'scrapy crawl' needs one spider")
        assert self.crawler_process is not None
        crawler = self.crawler_process.create_crawler(args[0])
        self.crawler_process.crawl(crawler, **opts.spargs)
        self.crawler_process.start()
        if self.crawler_process.bootstrap_failed:
            self.exitcode = 1
            return
        outcome = crawler.stats.get_value(OUTCOME) if crawler.stats is not None else None
        if outcome is None and crawler.get_extension(ArchiveContext) is not None:
            outcome = "stopped"  # the archive never closed (a forced stop): resumable
        self.exitcode = EXIT_STATUS.get(str(outcome), 0)
        context = crawler.get_extension(ArchiveContext)
        if context is not None and context.archive.disk_full and crawler.settings.get("LOG_FILE"):
            print(context.archive.disk_full, file=sys.stderr)  # the log may be on the full disk
        if self.exitcode == 0 and crawler.stats is not None:
            self.exitcode = nothing_fetched_status(crawler.stats.get_stats())


def nothing_fetched_status(stats: Mapping[str, Any]) -> int:
    """`EXIT_NOTHING_FETCHED`, with one line saying why, when a complete crawl got no page.

    Such a crawl is complete (its frontier is empty) and its archive holds no capture: a seed set
    whose hosts the SSRF guard blocks, that are down, or whose robots.txt excludes us. A scheduler
    must tell that from a crawl that archived the site, so it gets a status of its own. robots.txt
    answers are not pages asked for; a page replayed by crash-resume was fetched by an earlier run.
    A process that tried nothing (its requests all taken by the other processes of a shared
    crawl) fetched nothing it was asked to fetch: 0.
    """
    pages = stats.get("downloader/response_count", 0) - stats.get("robotstxt/response_count", 0)
    if pages > 0 or stats.get("resume/replayed", 0):
        return 0
    failed = sum(v for k, v in stats.items() if k.startswith("news/failed/"))
    blocked = stats.get("news/failed/BlockedAddress", 0)
    if not failed and not stats.get("robotstxt/forbidden", 0):
        return 0  # asked for nothing: a process of a shared crawl (REDIS_URL) that others served
    logger.error(
        "the crawl fetched nothing it was asked to: %d request(s) blocked by the SSRF guard, "
        "%d failed, %d excluded by robots.txt (exit status %d)",
        blocked,
        failed - blocked,
        stats.get("robotstxt/forbidden", 0),
        EXIT_NOTHING_FETCHED,
    )
    return EXIT_NOTHING_FETCHED
