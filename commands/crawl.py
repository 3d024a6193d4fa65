"""`scrapy crawl`, checking the seed set and the project settings before anything starts.

Scrapy's own command would report a bad seed file or setting as a traceback from deep inside the
crawler; this one prints the one-line error (file, line, key, problem; or setting and value) and
exits with status 2 before any request is made.
"""

from __future__ import annotations

import argparse
import sys

from scrapy.commands.crawl import Command as ScrapyCrawl

from commands.check import validate
from crawler.config import ConfigError
from crawler.seeds import SeedError, load_seedset


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
        except (SeedError, ConfigError) as exc:
            print(f"error: {exc}", file=sys.stderr)
            self.exitcode = 2
            return
        super().run(args, opts)
