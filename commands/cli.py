"""`newsarchive`: the project's scrapy commands, with its settings, from any folder.

    newsarchive [--profile base|production|demo] crawl seeds/x.toml [-s NAME=VALUE ...]
    newsarchive [--profile ...] verify ARCHIVE_URI [--crawl ID]
    newsarchive [--profile ...] upload-pending | wacz | reextract | settings | ... (any command)

`scrapy` finds a project through the `scrapy.cfg` of the working folder or a parent, so a cron job
or a service run elsewhere gets Scrapy without our settings: no seed checks, no archive. This
entry point (a console script after `pip install`) names the settings module itself, through
`SCRAPY_SETTINGS_MODULE`, the one way Scrapy takes a profile (`-s SCRAPY_SETTINGS_MODULE=...` is
read too late to have any effect), then runs Scrapy's own command line: same commands, same
options, same exit statuses. `crawl SEEDS.toml` is short for `crawl news -a seeds=SEEDS.toml`.
Relative paths (`seeds/x.toml` aside, which is also found among the installed seed sets, and the
default `archive/` and `spool/`) are taken from the working folder.
"""

from __future__ import annotations

import os
import sys

from scrapy.cmdline import execute

PROFILES = ("base", "production", "demo")
USAGE = """\
usage: newsarchive [--profile {profiles}] COMMAND [ARGS ...]

  crawl SEEDS.toml [-s NAME=VALUE ...]   crawl a seed set (scrapy crawl news -a seeds=...)
  verify ARCHIVE_URI [--crawl ID]        check an archive against its manifests
  upload-pending ARCHIVE_URI             store what crawls left in the spool
  wacz, reextract, settings, ...         any other scrapy command, with the project's settings

--profile picks the settings module settings.PROFILE (default: $SCRAPY_SETTINGS_MODULE, or
settings.base). `newsarchive COMMAND -h` shows a command's options.
""".format(profiles="|".join(PROFILES))


def main(argv: list[str] | None = None) -> None:
    """Run one scrapy command with the project's settings; exits with the command's status."""
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        profile, args = _profile(args)
    except ValueError as exc:
        print(f"error: {exc}\n\n{USAGE}", file=sys.stderr)
        sys.exit(2)
    if not args or args[0] in ("-h", "--help", "help"):
        print(USAGE, end="")
        sys.exit(0 if args else 2)
    if profile is not None:
        os.environ["SCRAPY_SETTINGS_MODULE"] = f"settings.{profile}"
    else:
        os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "settings.base")
    execute(["newsarchive", *scrapy_args(args)])


def _profile(args: list[str]) -> tuple[str | None, list[str]]:
    """The `--profile` given before the command (None without one), and the rest."""
    if not args or not args[0].startswith("--profile"):
        return None, args
    name, _, value = args[0].partition("=")
    if name != "--profile":
        raise ValueError(f"unknown option {args[0]!r}")
    if not value:
        if len(args) < 2:
            raise ValueError("--profile needs a name")
        value, args = args[1], args[1:]
    if value not in PROFILES:
        raise ValueError(f"unknown profile {value!r}: choose one of {', '.join(PROFILES)}")
    return value, args[1:]


def scrapy_args(args: list[str]) -> list[str]:
    """The scrapy command line for ours: `crawl X.toml ...` becomes `crawl news -a seeds=X.toml`."""
    if args[0] == "crawl" and len(args) > 1 and args[1].endswith(".toml"):
        return ["crawl", "news", "-a", f"seeds={args[1]}", *args[2:]]
    return args


if __name__ == "__main__":
    main()
