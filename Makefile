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
ARCHIVE_URI ?= archive/
SEEDS ?=
PYTEST_ARGS ?=

.PHONY: demo test tools lint crawl clean

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

tools: $(TOOLS_STAMP)

demo: $(STAMP)
	$(BIN)/python -m tests.servers.demo --archive-uri '$(ARCHIVE_URI)'

test: $(STAMP) $(TOOLS_STAMP)
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

crawl: $(STAMP)
	@test -n '$(SEEDS)' || { echo 'usage: make crawl SEEDS=seeds/<set>.toml [ARCHIVE_URI=...]'; exit 2; }
	$(BIN)/scrapy crawl news -a seeds='$(SEEDS)' -s ARCHIVE_URI='$(ARCHIVE_URI)'

clean:
	rm -rf $(VENV) $(TOOLS) spool .pytest_cache .mypy_cache .ruff_cache
