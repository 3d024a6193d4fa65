"""Every newsarchive setting, with its default and what it is for.

Scrapy's own settings come first, then the project's, grouped by prefix. Only
``settings/config.py`` reads the project keys; components get frozen config objects.
"""

BOT_NAME = "newsarchive"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"
COMMANDS_MODULE = "crawler.commands"  # our crawl (checks seeds and settings first) and tools

# --- Scrapy: politeness and identity ------------------------------------------------
ROBOTSTXT_OBEY = True  # robots.txt is fetched, archived and obeyed
USER_AGENT_PRODUCT = "newsarchive/0.1"  # product token; the seed set's contact URL is appended
AUTOTHROTTLE_ENABLED = True  # adapt the delay to each host's latency
AUTOTHROTTLE_START_DELAY = 1.0  # seconds before the first measurement
AUTOTHROTTLE_TARGET_CONCURRENCY = 2.0  # parallel requests per host AutoThrottle aims for
CONCURRENT_REQUESTS = 16  # across all hosts
CONCURRENT_REQUESTS_PER_DOMAIN = 4  # per host
DOWNLOAD_DELAY = 0.5  # minimum seconds between requests to one host
DOWNLOAD_TIMEOUT = 60  # seconds
DOWNLOAD_MAXSIZE = 64 * 1024 * 1024  # bodies are cut here; the cut body is archived, marked
DOWNLOAD_FAIL_ON_DATALOSS = False  # a body broken off mid-way is archived, marked, not dropped
DOWNLOAD_HANDLERS = {  # Scrapy's HTTP/1.1 handler, keeping reason phrases and cutting at MAXSIZE
    "http": "crawler.download.ArchivalDownloadHandler",
    "https": "crawler.download.ArchivalDownloadHandler",
}
DOWNLOAD_WARNSIZE = 8 * 1024 * 1024  # log bodies above this size
COOKIES_ENABLED = False  # no session state: archives show what any reader gets
TELNETCONSOLE_ENABLED = False  # no listening console next to cloud credentials
REMOTE_CONTROL_ENABLED = False  # nor Scrapy's remote-control HTTP server, which runs code
LOG_LEVEL = "INFO"
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"  # extraction awaits
# its process pool through asyncio

# --- Components ---------------------------------------------------------------------
EXTENSIONS = {
    "pipelines.archive.ArchiveExtension": 100,  # store, crawl id, manifest and report
    "pipelines.warc.WarcExtension": 110,  # every HTTP exchange into rotating WARC files
}
ITEM_PIPELINES = {
    "pipelines.extract_pipeline.ExtractPipeline": 300,  # trafilatura + cleanup, off the reactor
    "pipelines.records.RecordsPipeline": 800,  # clean records into JSONL.gz batches
}

# --- Archive and storage ------------------------------------------------------------
ARCHIVE_URI = "archive/"  # a local folder (default) or another store's URI
SEEDSET_NAME = ""  # set by the spider from the seed set's name; names the crawl id
CRAWL_ID = ""  # empty: "{seed set}-{UTC timestamp}"; set it to share one id across processes
STORE_SPOOL_DIR = "spool/"  # local folder for files being written, before they go to the store

# --- WARC ---------------------------------------------------------------------------
WARC_PREFIX = "newsarchive"  # first part of WARC file names
WARC_MAX_SIZE = 1_000_000_000  # bytes: rotate to a new file past this size
WARC_MAX_AGE = 3600  # seconds: rotate a file older than this (0: never)
WARC_REDACT_HEADERS: list[str] = []  # request headers redacted in WARCs, besides Authorization,
# Proxy-Authorization and Cookie, which always are

# --- Extraction ---------------------------------------------------------------------
EXTRACT_WORKERS = 0  # worker processes for extraction; 0: one per core
EXTRACT_INLINE = False  # True: extract in the crawler process (debugging, benchmarks)

# --- Clean records ------------------------------------------------------------------
RECORDS_BATCH_SIZE = 1000  # records per JSONL.gz part
RECORDS_MAX_AGE = 300  # seconds: flush a part older than this (0: only by count and at close)
