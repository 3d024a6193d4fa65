"""For `scrapyd-deploy`, which builds the project's egg by running ``setup.py bdist_egg``: all the
metadata is in pyproject.toml (the packages, the seed sets as package data, and the ``scrapy``
``settings`` entry point that names the settings scrapyd's jobs run with). Without this file
scrapyd-deploy writes one of its own into the working tree."""

from setuptools import setup

setup()
