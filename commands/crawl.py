"""`scrapy crawl`, checking the seed set and the project settings before anything starts, and
exiting with the archive's outcome.

Scrapy's own command would report a bad seed file or setting as a traceback from deep inside the
crawler; this one prints the one-line error (file, line, key, problem; or setting and value) and
exits with status 2 before any request is made. So is a crawl whose JOBDIR another live crawl
holds. Then it runs the crawl as Scrapy's command does, keeping the crawler to read the outcome the
archive left in its stats (``archive/outcome``) and exit with the status the README's table gives:

    0  complete: the frontier is empty, every write succeeded, the files are stored
    1  the crawl could not start (Scrapy's own failures)
    2  a bad seed set or setting, a refused store, a JOBDIR in use: nothing was fetched
    3  stopped, resumable: a signal, a CLOSESPIDER_* limit or a failed write; run it again
    4  finished, but files are still in the spool (the store was unreachable at the end)
"""

from __future__ import annotations

import argparse
import sys

from scrapy.commands.crawl import Command as ScrapyCrawl
from scrapy.exceptions import UsageError

from commands.check import claim_jobdir, validate
from commands.preflight import check_store
from crawler.config import ConfigError
from crawler.seeds import SeedError, load_seedset
from pipelines.archive.context import ArchiveContext
from pipelines.archive.session import OUTCOME

EXIT_STATUS = {"complete": 0, "stopped": 3, "spooled": 4}


class Command(ScrapyCrawl):
    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        assert self.settings is not None
        try:
            settings = self.settings.copy()
            if args[:1] == ["news"]:
                seeds = opts.spargs.get("seeds")
                if not seeds:
                    raise SeedError("(none)", "give the seed set: -a seeds=seeds/<set>.toml")
                settings.setdict(dict(load_seedset(seeds).settings), priority="spider")
            validate(settings)
            claim_jobdir(settings)  # held for the life of this process
            check_store(settings)  # the store takes writes (issue 17): before any request
        except (SeedError, ConfigError) as exc:
            print(f"error: {exc}", file=sys.stderr)
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
