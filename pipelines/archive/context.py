"""What the archive side's item pipelines and middlewares take from the crawl when they are built.

The extension that owns the crawl's archive (``pipelines.extension.ArchiveExtension``) is a
subclass of :class:`ArchiveContext`. Components look for this base class, not for that
extension, so they depend on the archive and never on the module that assembles everything:
the import graph stays one-way.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from crawler.config import ConfigError

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

    from pipelines.archive.session import Archive


class ArchiveContext:
    archive: Archive
    resume: object | None  # with JOBDIR: the crawl's pipelines.resume.state.ResumeState


def archive_context(crawler: Crawler, component: str) -> ArchiveContext:
    """The crawl's archive, for a component being built (extensions are built first); a
    component that cannot work without it says so at once."""
    context = crawler.get_extension(ArchiveContext)
    if context is None:
        raise ConfigError(f"{component} needs pipelines.extension.ArchiveExtension in EXTENSIONS")
    return context
