"""`scrapy reextract ARCHIVE_URI --crawl ID`: extract a crawl's articles again from its WARCs.

The records go to ``reextracted/{crawl}/{extractor tag}/`` in ARCHIVE_URI (or ``--to URI``), beside
the crawl's own records, which are never touched (see ``pipelines.tools.reextract``).
"""

from __future__ import annotations

import argparse
import logging
import sys

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError
from scrapy.utils.log import configure_logging

from crawler.config import ConfigError
from pipelines.records.config import RecordsConfig
from pipelines.storage import Store, StoreError, open_store
from pipelines.storage.config import StoreConfig


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False  # no crawl: plain reading, extracting and writing

    def syntax(self) -> str:
        return "ARCHIVE_URI --crawl CRAWL_ID [--to URI] [--workers N]"

    def short_desc(self) -> str:
        return "Extract a crawl's articles again from its WARCs, into a new record set"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("--crawl", required=True, metavar="CRAWL_ID", help="the crawl id")
        parser.add_argument(
            "--to", metavar="URI", help="store for the new records (default: ARCHIVE_URI)"
        )
        parser.add_argument(
            "--workers", type=int, default=1, metavar="N", help="extraction processes (default 1)"
        )

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) != 1:
            raise UsageError("give one ARCHIVE_URI")
        assert self.settings is not None
        configure_logging(self.settings)
        # Imported here: Scrapy imports every command module for every command, `crawl` too.
        from pipelines.tools.reextract import ReextractError, reextract

        try:
            source = _store(args[0], self)
            target = _store(opts.to, self) if opts.to else source
            batch_size = RecordsConfig.from_settings(self.settings).batch_size
            result = reextract(
                source, opts.crawl, target, workers=max(1, opts.workers), batch_size=batch_size
            )
        except (ReextractError, StoreError, ConfigError, ValueError) as exc:
            logging.getLogger(__name__).debug("reextract failed", exc_info=True)
            print(f"error: {exc}", file=sys.stderr)
            self.exitcode = 1
            return
        counts = result.counts
        print(
            f"{counts['articles']} articles: {counts['ok']} records, {counts['empty']} without "
            f"article text, {counts['failed']} failed; {counts['revisits']} revisit records "
            f"skipped\nwritten to {target.uri}{result.prefix}"
        )


def _store(uri: str, command: ScrapyCommand) -> Store:
    assert command.settings is not None
    return open_store(uri, StoreConfig.from_settings(command.settings).options)
