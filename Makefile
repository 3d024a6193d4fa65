# Two commands on a fresh machine with Python 3.11+ and make: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
ARCHIVE_URI ?= archive/
SEEDS ?=
PYTEST_ARGS ?=

.PHONY: demo test lint crawl clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/python -m tests.servers.demo --archive-uri '$(ARCHIVE_URI)'

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

crawl: $(STAMP)
	@test -n '$(SEEDS)' || { echo 'usage: make crawl SEEDS=seeds/<set>.toml [ARCHIVE_URI=...]'; exit 2; }
	$(BIN)/scrapy crawl news -a seeds='$(SEEDS)' -s ARCHIVE_URI='$(ARCHIVE_URI)'

clean:
	rm -rf $(VENV) spool .pytest_cache .mypy_cache .ruff_cache
