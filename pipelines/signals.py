"""Signals the archive side sends between its components, beside Scrapy's own.

``article_extracted``: an article's extraction has an outcome. Sent by the extraction pipeline
with ``item`` (the ArticleItem), ``outcome`` ("ok", "empty" or "failed"), ``extractor`` (name,
version, config hash), ``record`` (the clean record, or None) and ``charset_source`` (how the
worker found the page's charset, ``pipelines.extract.charset.Decoded.source``; None when the
worker failed first); the WARC capture receives it and archives the article's metadata record.
"""

article_extracted = object()
