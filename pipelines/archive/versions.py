"""The software that made an archive, as written into warcinfo records, manifests and reports."""

from __future__ import annotations

import platform
from importlib import metadata

SOFTWARE = ("newsarchive", "scrapy", "twisted", "warcio", "trafilatura", "lxml", "boto3", "zlib-ng")


def software_versions() -> dict[str, str]:
    versions = {"python": platform.python_version()}
    for name in SOFTWARE:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "unknown"
    return versions
