"""`scrapy upload-pending ARCHIVE_URI`: store what earlier crawls left in the spool.

The command line only; the work is in ``pipelines.tools.upload_pending``.
"""

from __future__ import annotations

import argparse
import logging
import sys

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from commands.crawl import EXIT_STATUS
from crawler.config import ConfigError
from pipelines.archive.config import ArchiveConfig
from pipelines.storage import StoreError, open_store
from pipelines.storage.config import StoreConfig
from pipelines.tools.upload_pending import upload_pending


class UploadPending:
    """Holds the command: Scrapy lists every `ScrapyCommand` at the top level of a COMMANDS_MODULE
    module under the module's name (`upload_pending`), and the pyproject entry point gives it its
    name, `upload-pending`; kept here, it is listed once, by that name."""

    class Command(ScrapyCommand):
        requires_project = True
        default_settings = {"LOG_LEVEL": "WARNING"}  # noqa: RUF012  (as Scrapy declares it)

        def syntax(self) -> str:
            return "ARCHIVE_URI [--close-interrupted]"

        def short_desc(self) -> str:
            return "Store the files earlier crawls left in the spool, then their manifests"

        def add_options(self, parser: argparse.ArgumentParser) -> None:
            super().add_options(parser)
            parser.add_argument(
                "--close-interrupted",
                action="store_true",
                help="write the manifest of crawls whose process died, marked incomplete",
            )

        def run(self, args: list[str], opts: argparse.Namespace) -> None:
            if len(args) != 1:
                raise UsageError("give the archive: scrapy upload-pending ARCHIVE_URI")
            assert self.settings is not None
            logging.getLogger("pipelines").setLevel(logging.INFO)
            try:
                self.settings.set("ARCHIVE_URI", args[0], priority="cmdline")
                spool_dir = ArchiveConfig.from_settings(self.settings).spool_dir
                store = open_store(args[0], StoreConfig.from_settings(self.settings).options)
                left = upload_pending(
                    store, spool_dir, sys.stdout, close_interrupted=opts.close_interrupted
                )
            except (ConfigError, StoreError) as exc:
                print(f"error: {exc}", file=sys.stderr)
                self.exitcode = 2
                return
            self.exitcode = EXIT_STATUS["spooled"] if left else 0  # as a crawl that left files
