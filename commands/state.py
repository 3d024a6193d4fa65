"""`scrapy state rebuild ARCHIVE_URI --seeds seeds/x.toml`: a seed set's crawl state, made again
from the archive alone, into ``STATE_DIR``.

The command line only; the work is in ``pipelines.tools.staterebuild``.
"""

from __future__ import annotations

import argparse
import logging
import sys

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError
from scrapy.utils.log import configure_logging

from crawler.config import ConfigError
from crawler.seedcheck import SeedError
from crawler.seeds import load_seedset
from crawler.state.config import StateConfig
from pipelines.storage import StoreError, open_store
from pipelines.storage.config import StoreConfig

EXIT_BAD_INPUT = 2  # a bad seed set, setting or archive, or a state in use: nothing was written


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False  # no crawl: reading the archive, writing one file
    default_settings = {"LOG_LEVEL": "WARNING"}  # noqa: RUF012  (as Scrapy declares it)

    def syntax(self) -> str:
        return "rebuild ARCHIVE_URI --seeds seeds/<set>.toml"

    def short_desc(self) -> str:
        return "Rebuild a seed set's crawl state (STATE_DIR) from the archive alone"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("--seeds", required=True, metavar="FILE", help="the seed set")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) != 2 or args[0] != "rebuild":
            raise UsageError("scrapy state rebuild ARCHIVE_URI --seeds seeds/<set>.toml")
        assert self.settings is not None
        configure_logging(self.settings)
        # Imported here: Scrapy imports every command module for every command, `crawl` too.
        from pipelines.tools.staterebuild import RebuildError, rebuild

        try:
            seedset = load_seedset(opts.seeds)
            config = StateConfig.from_settings(self.settings)  # STATE_BACKEND: Redis or a file
            redis_url = config.redis_url if config.backend == "redis" else None
            options = StoreConfig.from_settings(self.settings).options
            store = open_store(args[1], options, create=False)
            rebuilt = rebuild(store, seedset, config.directory, redis_url, self.settings)
        except (SeedError, ConfigError, StoreError, RebuildError) as exc:  # StateError: Config
            logging.getLogger(__name__).debug("state rebuild failed", exc_info=True)
            print(f"error: {exc}", file=sys.stderr)
            self.exitcode = EXIT_BAD_INPUT
            return
        kinds = ", ".join(f"{n} {kind}" for kind, n in sorted(rebuilt.kinds.items()))
        print(
            f"{rebuilt.path}: the state of seed set {seedset.name!r} rebuilt from "
            f"{len(rebuilt.crawls)} crawl(s) ({', '.join(rebuilt.crawls)}): {rebuilt.urls} URLs"
            + (f" ({kinds})" if kinds else "")
        )
