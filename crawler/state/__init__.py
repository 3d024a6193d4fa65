"""The crawl state of a seed set, for scheduled and incremental crawls: see ``base``."""
