"""Every newsarchive setting, with its default and what it is for.

Scrapy's own settings come first, then the project's, grouped by prefix. Each feature's config
module (``*/config.py`` next to its code) reads its keys into a frozen config object; components
get those. (``crawler/redaction.py`` reads them all, but only to report them with secrets taken
out.) This module imports nothing of ours.
"""

BOT_NAME = "newsarchive"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"
COMMANDS_MODULE = "commands"  # our crawl (checks seeds and settings first) and tools

# --- Scrapy: politeness and identity ------------------------------------------------
ROBOTSTXT_OBEY = True  # robots.txt is fetched, archived and obeyed
USER_AGENT_PRODUCT = "newsarchive/0.1"  # product token; the seed set's contact URL is appended
AUTOTHROTTLE_ENABLED = True  # adapt the delay to each host's latency
AUTOTHROTTLE_START_DELAY = 1.0  # seconds before the first measurement
AUTOTHROTTLE_TARGET_CONCURRENCY = 2.0  # parallel requests per host AutoThrottle aims for
CONCURRENT_REQUESTS = 16  # across all hosts
CONCURRENT_REQUESTS_PER_DOMAIN = 4  # per host
# Outputs of one response handled at once. A page gives at most one item (an article) and some
# requests that need no waiting; Scrapy starts this many asyncio tasks for every response, so
# its default (100) cost 0.3 ms of CPU per page.
CONCURRENT_ITEMS = 8
# bytes: glibc's malloc serves blocks this large and larger with mappings of their own, given back
# when freed (crawler/extensions/memory.py); 0 leaves glibc's default, which grows to 32 MiB
MALLOC_MMAP_THRESHOLD = 1024 * 1024
DOWNLOAD_DELAY = 0.5  # minimum seconds between requests to one host
DOWNLOAD_TIMEOUT = 60  # seconds
DOWNLOAD_MAXSIZE = 64 * 1024 * 1024  # bodies are cut here; the cut body is archived, marked
DOWNLOAD_FAIL_ON_DATALOSS = False  # a body broken off mid-way is archived, marked, not dropped
DOWNLOAD_HANDLERS = {  # Scrapy's HTTP/1.1 handler, keeping reason phrases and cutting at MAXSIZE
    "http": "crawler.downloader.handler.ArchivalDownloadHandler",
    "https": "crawler.downloader.handler.ArchivalDownloadHandler",
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
    "crawler.extensions.memory.MallocThreshold": 5,  # MALLOC_MMAP_THRESHOLD, before any crawling
    "crawler.extensions.logredact.LogRedaction": 10,  # scrub secrets from every log line
    "crawler.extensions.politeness.Politeness": 50,  # robots.txt Crawl-delay, Retry-After
    # the archive: crawl id, store, spool, uploads, manifest and report; every HTTP exchange
    # into rotating WARC files; with JOBDIR, repair and the index for replay
    "pipelines.extension.ArchiveExtension": 100,
    "crawler.state.extension.CrawlStateExtension": 60,  # the seed set's crawl state (STATE_*)
    "pipelines.observe.hosts.HostCounters": 110,  # per-host counts: the report, Prometheus
    "pipelines.observe.progress.Progress": 120,  # the progress line (PROGRESS_INTERVAL)
    "pipelines.observe.metrics.Metrics": 130,  # Prometheus endpoint (PROMETHEUS_PORT)
    "scrapy.extensions.logstats.LogStats": None,  # replaced by the progress line
}
DOWNLOADER_MIDDLEWARES = {  # Scrapy's decompression, its DOWNLOAD_MAXSIZE stop counted and named
    "scrapy.downloadermiddlewares.httpcompression.HttpCompressionMiddleware": None,
    "crawler.downloader.decompress.BoundedDecompression": 590,
    "pipelines.resume.replay.ReplayMiddleware": 950,  # with JOBDIR: replay, not refetch
    # URLs in the crawl state: If-None-Match / If-Modified-Since, the state updated once archived
    "crawler.state.middleware.ConditionalRequests": 900,
    "pipelines.observe.hosts.RobotsExclusions": 50,  # robots.txt exclusions counted per host
}
SPIDER_MIDDLEWARES = {  # known articles fetched when due ([recrawl]); revisits not extracted
    "crawler.state.middleware.RecrawlFilter": 950,
}
ITEM_PIPELINES = {
    "pipelines.resume.pipeline.ResumePipeline": 250,  # with JOBDIR: drop articles already recorded
    "pipelines.extract.pipeline.ExtractPipeline": 300,  # trafilatura + cleanup, off the reactor
    "pipelines.records.pipeline.RecordsPipeline": 800,  # clean records into JSONL.gz batches
}

# --- Crash-resume (with -s JOBDIR=...) -----------------------------------------------
# Scrapy's own JOBDIR state is not crash-safe (its seen-requests file and queue heads are written
# at close): ours replaces it. See README, Operations.
RESUME_ENABLED = True  # with JOBDIR: keep the crawl id there, repair, replay, records exactly once
SCHEDULER = (
    "pipelines.resume.replay.ResumeScheduler"  # Scrapy's, keeping no disk queues when resuming
)
DUPEFILTER_CLASS = (
    "pipelines.resume.replay.ResumeDupeFilter"  # Scrapy's, keeping no requests.seen then
)

# --- Scale-out: several crawl processes share one frontier in Redis ------------------
# With REDIS_URL (scrapy-redis' setting) the add-on swaps in crawler.frontier's scheduler, queue
# and duplicate filter: one queue and one dupefilter per seed set, requests leased to the process
# that took them and returned to the queue if it dies (README, Scaling out).
ADDONS = {"crawler.frontier.addon.SharedFrontier": 0}
REDIS_URL: str | None = None  # e.g. "redis://127.0.0.1:6379/0"; None: one process, no Redis
FRONTIER_LEASE_TTL = 30  # seconds a process may go without a heartbeat before its leases return

# --- Scheduled and incremental crawls (README: Scheduled and incremental crawls) --------
STATE_ENABLED = True  # keep a crawl state per seed set: conditional requests, revisits, versions
STATE_DIR = "state/"  # folder of the state files, one {seed set}.sqlite each
STATE_WAIT = False  # True: a run waits for another run of its seed set to end, not refused
STATE_BACKEND = ""  # "sqlite" or "redis"; "": "redis" when REDIS_URL is set (a shared crawl)
STATE_REDIS_WAIT = 20.0  # seconds a state read or write waits for Redis (< FRONTIER_LEASE_TTL)

# --- Archive and storage ------------------------------------------------------------
ARCHIVE_URI = "archive/"  # a local folder (default) or another store's URI
SEEDSET_NAME = ""  # set by the spider from the seed set's name; names the crawl id
CRAWL_ID = ""  # empty: "{seed set}-{UTC timestamp}"; set it to share one id across processes
STORE_SPOOL_DIR = "spool/"  # local folder for files being written, before they go to the store

# --- S3 and durable storage ---------------------------------------------------------
# ARCHIVE_URI = "s3://bucket/prefix" selects S3. Scrapy's own AWS_ENDPOINT_URL, AWS_REGION_NAME,
# AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN and AWS_VERIFY apply; unset, boto3's
# chain (environment, ~/.aws, instance role) is used. Never put credentials in a settings file.
STORE_UPLOAD_THREADS = 2  # uploads at once, in a thread pool of their own (not the reactor's)
STORE_RETRY_INITIAL_DELAY = 1.0  # seconds before retrying a failed upload; doubles, with jitter
STORE_RETRY_MAX_DELAY = 300.0  # seconds: the longest wait between retries of one upload
STORE_DRAIN_TIMEOUT = 600.0  # seconds the crawl waits at its end for pending uploads; the rest
# stays in the spool for the next start or `scrapy upload-pending`
STORE_RECOVER_AT_START = True  # upload files left in the spool by earlier runs when a crawl starts
STORE_PREFLIGHT = True  # before the first request, check the store can be written (exit 2 if not)
STORE_S3_ADDRESSING_STYLE = "auto"  # "auto", "path" (MinIO, Ceph, LocalStack) or "virtual"
STORE_S3_SSE = ""  # server-side encryption: "" (the bucket's default), "AES256" or "aws:kms"
STORE_S3_SSE_KMS_KEY_ID = ""  # KMS key for "aws:kms"; "": the account's default S3 key
STORE_S3_CHECKSUM_CALCULATION = "when_supported"  # "when_required" for stores that reject
# flexible checksums (botocore's CRC32, our SHA-256): Content-MD5 is sent, uploads are read back
STORE_S3_MULTIPART_THRESHOLD = 8 * 1024 * 1024  # bytes: larger files go up in parts
STORE_S3_MULTIPART_CHUNKSIZE = 8 * 1024 * 1024  # bytes per part (at least 5 MiB)
STORE_S3_MAX_CONCURRENCY = 4  # parts of one file sent at once
STORE_OBJECT_LOCK_MODE = ""  # "GOVERNANCE" or "COMPLIANCE": write every object with retention
STORE_OBJECT_LOCK_DAYS = 0  # days of retention with STORE_OBJECT_LOCK_MODE (bucket: Object Lock on)

# --- WARC ---------------------------------------------------------------------------
WARC_PREFIX = "newsarchive"  # first part of WARC file names
WARC_MAX_SIZE = 1_000_000_000  # bytes: rotate to a new file past this size
WARC_MAX_AGE = 3600  # seconds: rotate a file older than this (0: never)
WARC_REDACT_HEADERS: list[str] = []  # request headers redacted in WARCs, besides Authorization,
# Proxy-Authorization and Cookie, which always are

# --- Extraction ---------------------------------------------------------------------
EXTRACT_WORKERS = 0  # worker processes for extraction; 0: one per core
EXTRACT_INLINE = False  # True: extract in the crawler process (debugging, benchmarks)
EXTRACT_TIMEOUT = 30.0  # seconds one page may take; then its worker is replaced, the page counted
EXTRACT_MAX_IN_FLIGHT = 0  # pages in the extraction pool at once (bounds memory); 0: 2 per worker

# --- Clean records ------------------------------------------------------------------
RECORDS_BATCH_SIZE = 1000  # records per JSONL.gz part
RECORDS_MAX_AGE = 300  # seconds: flush a part older than this (0: only by count and at close)

# --- Watching a crawl (README: Operations) -------------------------------------------
PROGRESS_INTERVAL = 60.0  # seconds between progress lines in the log; 0: none
PROMETHEUS_PORT = 0  # serve the crawl's metrics (per host) on this port; 0: off
PROMETHEUS_ADDRESS = "127.0.0.1"  # the address the metrics endpoint listens on

# --- Safety -------------------------------------------------------------------------
# The SSRF guard (crawler.downloader.guard, in the download handler) never connects to loopback,
# private, link-local, CGNAT, multicast, reserved or unspecified addresses, nor to cloud metadata
# services,
# after DNS resolution and on every redirect hop.
ALLOW_PRIVATE_NETWORKS: list[str] = []  # CIDRs the guard opens, e.g. ["10.20.0.0/16"]; a
# metadata address (169.254.169.254 ...) opens only when listed alone, as a /32 or /128
ROBOTSTXT_CRAWL_DELAY_MAX = 30.0  # seconds: a robots.txt Crawl-delay above this is capped
RETRY_AFTER_MAX = 300.0  # seconds: the longest a 429/503 Retry-After pauses a host
NEWS_MAX_LINKS_PER_PAGE = 1000  # links (and feed items) taken from one page; the rest dropped
NEWS_MAX_SITEMAP_URLS = 50_000  # URLs taken from one sitemap (the sitemap protocol's own cap)
NEWS_MAX_SITEMAP_DEPTH = 3  # nested sitemap indexes followed below a seed sitemap
NEWS_MAX_PAGE_BYTES = 10 * 1024 * 1024  # larger pages (decoded) are archived, not parsed
NEWS_MAX_HTML_ELEMENTS = 100_000  # an article with a larger tree is archived, not extracted
# https: the certificate chain and host name are verified (crawler.downloader.tls); a server
# that fails is refused, counted (tls/failed/{reason}) and logged, and nothing of it archived.
TLS_VERIFY = True  # False: fetch and archive anyway, every capture marked unverified in the WARC
TLS_VERIFY_EXCEPT_HOSTS: list[str] = []  # hosts (and their subdomains) fetched unverified, marked
TLS_CA_BUNDLE = ""  # PEM file of the CAs to trust; "": OpenSSL's default paths (SSL_CERT_FILE)
