"""`scrapy verify ARCHIVE_URI [--crawl ID]`: prove that an archive holds what its manifests say.

The command line only; the work is in ``pipelines.tools.verify``.
"""

from __future__ import annotations

import argparse
import sys

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from crawler.config import ConfigError
from pipelines.storage import StoreError, open_store
from pipelines.storage.config import StoreConfig
from pipelines.tools.verify import verify

# The README's exit table: 0 verified, 2 no archive at that URI (or a bad setting), and this when
# the archive has a problem (MISSING, CORRUPT, UNLISTED, MISMATCH; no manifest at all), so that a
# scheduler tells a damaged archive from a crash (1).
EXIT_PROBLEMS = 7


class Command(ScrapyCommand):
    requires_project = True
    default_settings = {"LOG_ENABLED": False}  # noqa: RUF012  (as Scrapy declares it)

    def syntax(self) -> str:
        return "ARCHIVE_URI [--crawl CRAWL_ID]"

    def short_desc(self) -> str:
        return "Check every object the archive's manifests list: sha256, size, WARC digests"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("--crawl", metavar="CRAWL_ID", help="verify this crawl only")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) != 1:
            raise UsageError("give the archive: scrapy verify ARCHIVE_URI [--crawl ID]")
        assert self.settings is not None
        try:
            store = open_store(
                args[0], StoreConfig.from_settings(self.settings).options, create=False
            )
            report = verify(store, opts.crawl, sys.stdout)
        except (ConfigError, StoreError) as exc:
            print(f"error: {exc}", file=sys.stderr)
            self.exitcode = 2
            return
        self.exitcode = EXIT_PROBLEMS if report.failed else 0
