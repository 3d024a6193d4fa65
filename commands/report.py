"""`scrapy report ARCHIVE_URI [--crawl ID] [-o report.html|report.json] [--json]`: the health
of each source of the archive's crawls, as one self-contained HTML page or as JSON.

The command line only; the work is in ``pipelines.tools.health`` (figures) and
``pipelines.tools.health_html`` (the page). ``-o`` picks the format by the file's suffix
(``.json``: JSON, anything else: HTML); ``--json`` without ``-o`` prints the JSON. Exit status:
0 written, 2 no archive or no such crawl there (or a bad setting).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from crawler.config import ConfigError
from pipelines.storage import StoreError, open_store
from pipelines.storage.config import StoreConfig
from pipelines.tools.health import NoCrawlError, health_report
from pipelines.tools.health_html import render


class Command(ScrapyCommand):
    requires_project = True
    default_settings = {"LOG_ENABLED": False}  # noqa: RUF012  (as Scrapy declares it)

    def syntax(self) -> str:
        return "ARCHIVE_URI [--crawl CRAWL_ID] [-o report.html|report.json] [--json]"

    def short_desc(self) -> str:
        return "Per-source health of the archive's crawls: an HTML page with plots, or JSON"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("--crawl", metavar="CRAWL_ID", help="this crawl only")
        parser.add_argument("-o", "--output", metavar="FILE", help="write here (.json: JSON)")
        parser.add_argument("--json", action="store_true", help="JSON, not HTML")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) != 1:
            raise UsageError("give the archive: scrapy report ARCHIVE_URI [--crawl ID] [-o FILE]")
        assert self.settings is not None
        try:
            store = open_store(
                args[0], StoreConfig.from_settings(self.settings).options, create=False
            )
            report = health_report(store, opts.crawl)
        except (ConfigError, StoreError, NoCrawlError) as exc:
            print(f"error: {exc}", file=sys.stderr)
            self.exitcode = 2
            return
        as_json = opts.json or (opts.output or "").endswith(".json")
        text = json.dumps(report, indent=2, sort_keys=True) + "\n" if as_json else render(report)
        if opts.output:
            Path(opts.output).write_text(text, encoding="utf-8")
            crawls = len(report["crawls"])
            print(f"wrote {opts.output}: {crawls} crawl(s) of {report['archive']}")
        else:
            sys.stdout.write(text)
