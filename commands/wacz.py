"""`scrapy wacz ARCHIVE_URI --crawl ID -o FILE.wacz`: one crawl as a WACZ 1.1.1 file.

The WACZ holds the crawl's WARC files, their CDXJ index, a page list and a datapackage with the
SHA-256 of every file (see ``pipelines.tools.wacz``); it opens in ReplayWeb.page and passes
py-wacz's
``wacz validate``.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError
from scrapy.utils.log import configure_logging

from crawler.config import ConfigError
from pipelines.storage import StoreError, open_store
from pipelines.storage.config import StoreConfig


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False  # no crawl: reading the store and writing one file

    def syntax(self) -> str:
        return "ARCHIVE_URI --crawl CRAWL_ID -o FILE.wacz"

    def short_desc(self) -> str:
        return "Package a crawl's WARC files, index and page list as a WACZ file"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("--crawl", required=True, metavar="CRAWL_ID", help="the crawl id")
        parser.add_argument(
            "-o", "--output", required=True, type=Path, metavar="FILE", help="the .wacz to write"
        )

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) != 1:
            raise UsageError("give one ARCHIVE_URI")
        if opts.output.suffix != ".wacz":
            raise UsageError("the output file must end in .wacz")
        assert self.settings is not None
        configure_logging(self.settings)
        # Imported here: Scrapy imports every command module for every command, `crawl` too.
        from pipelines.tools.wacz import WaczError, write_wacz

        if opts.output.exists():
            print(f"error: {opts.output} exists; not overwritten", file=sys.stderr)
            self.exitcode = 1
            return
        partial = opts.output.with_name(opts.output.name + ".part")
        try:
            store = open_store(args[0], StoreConfig.from_settings(self.settings).options)
            packaged = write_wacz(store, opts.crawl, partial)
            partial.replace(opts.output)
        except (WaczError, StoreError, ConfigError, ValueError, OSError) as exc:
            logging.getLogger(__name__).debug("wacz failed", exc_info=True)
            partial.unlink(missing_ok=True)
            print(f"error: {exc}", file=sys.stderr)
            self.exitcode = 1
            return
        print(
            f"{opts.output}: {packaged.warcs} WARC file(s), {packaged.index_lines} index lines, "
            f"{packaged.pages} pages"
            + (f", {packaged.originals} record(s) of earlier crawls" if packaged.originals else "")
        )
