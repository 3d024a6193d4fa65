"""Signals the archive side sends between its components, beside Scrapy's own.

``article_extracted``: an article's extraction has an outcome. Sent by the extraction pipeline
with ``item`` (the ArticleItem), ``outcome`` ("ok", "empty" or "failed"), ``extractor`` (name,
version, config hash) and ``record`` (the clean record, or None); the WARC capture receives it and
archives the article's metadata record.
"""

article_extracted = object()
