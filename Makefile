# Two commands on a fresh machine with Python 3.11+ and make: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# pywb and py-wacz, which the tests check WARC, CDXJ and WACZ output with, pin versions that clash
# with ours (pywb: brotlipy replaces Scrapy's brotli, an older pyOpenSSL, an exact Werkzeug), so
# they live in a virtualenv of their own; the tests run their commands from there.
TOOLS := .venv-tools
TOOLS_STAMP := $(TOOLS)/.installed
TOOLS_PACKAGES := 'pywb>=2.9,<3' 'wacz>=0.5,<1'
# LocalStack, the strict S3 server the S3 tests also run on (tests/servers/localstack.py), pins
# an older cryptography and pyOpenSSL: a virtualenv of its own as well, run in host mode.
LOCALSTACK := .venv-localstack
LOCALSTACK_STAMP := $(LOCALSTACK)/.installed
LOCALSTACK_PACKAGES := 'localstack-core[base-runtime]==4.13.1' 'cbor2>=5,<6' 'pyopenssl==24.2.1' \
	'cryptography==43.0.3' 'service-identity>=24,<25'
ARCHIVE_URI ?= archive/
SEEDS ?=
PYTEST_ARGS ?=

.PHONY: demo serve-demo test tools browser redis nginx lint crawl clean bench

# .venv is made with `python3 -m venv .venv` (PYTHON picks another interpreter).
$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

$(TOOLS_STAMP): Makefile
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/python -m pip install --quiet $(TOOLS_PACKAGES)
	touch $(TOOLS_STAMP)

$(LOCALSTACK_STAMP): Makefile
	$(PYTHON) -m venv $(LOCALSTACK)
	$(LOCALSTACK)/bin/python -m pip install --quiet $(LOCALSTACK_PACKAGES)
	touch $(LOCALSTACK_STAMP)

tools: $(TOOLS_STAMP) $(LOCALSTACK_STAMP)

# Debian's chromium renders the health report in tests/e2e/test_health_report.py
# (tests/servers/chromium.py); installed with apt when it is not on the PATH.
browser:
	@command -v chromium >/dev/null || { apt-get update -qq && apt-get install -y -qq chromium; }

# Debian's redis-server: the shared frontier's tests (tests/e2e/test_scaleout.py,
# tests/servers/redis.py) start their own; installed with apt when it is missing.
redis:
	@command -v redis-server >/dev/null || test -x /usr/bin/redis-server || \
		{ apt-get update -qq && apt-get install -y -qq redis-server; }

# Debian's nginx serves the throughput benchmark's site (benchmarks/throughput/nginx.py), which
# tests/benchmarks/ start too; installed with apt when it is missing.
nginx:
	@command -v nginx >/dev/null || test -x /usr/sbin/nginx || \
		{ apt-get install -y -qq nginx 2>/dev/null || { apt-get update -qq && apt-get install -y -qq nginx; }; }

demo: $(STAMP)
	$(BIN)/python -m tests.servers.demo --archive-uri '$(ARCHIVE_URI)'

# The demo site alone, on 127.0.0.1:DEMO_PORT (0: a free port, printed), until Ctrl-C.
DEMO_PORT ?= 8000
serve-demo: $(STAMP)
	@echo 'crawl it: NEWSARCHIVE_DEMO_URL=http://127.0.0.1:$(DEMO_PORT) $(BIN)/newsarchive --profile demo crawl seeds/demo.toml'
	$(BIN)/python -m tests.servers.fixture_server --host 127.0.0.1 --port '$(DEMO_PORT)'

test: $(STAMP) $(TOOLS_STAMP) $(LOCALSTACK_STAMP) browser redis nginx
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache --no-logo
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache --no-logo

# The throughput benchmark serves real pages with nginx (Debian's package, installed when missing).
BENCH_ARGS ?=
bench: $(STAMP) redis nginx
	$(BIN)/python -m benchmarks.throughput $(BENCH_ARGS)

crawl: $(STAMP)
	@test -n '$(SEEDS)' || { echo 'usage: make crawl SEEDS=seeds/<set>.toml [ARCHIVE_URI=...]'; exit 2; }
	$(BIN)/scrapy crawl news -a seeds='$(SEEDS)' -s ARCHIVE_URI='$(ARCHIVE_URI)'

clean:
	rm -rf $(VENV) $(TOOLS) $(LOCALSTACK) spool .pytest_cache .mypy_cache .ruff_cache
