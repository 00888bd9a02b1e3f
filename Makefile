# StudyHub: `make run` to try it, `make test` to check it. See README.md.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
MANAGE := $(BIN)/python manage.py
FIXTURES := fixtures/mark_schemes.json fixtures/library.json fixtures/comment_bank.json

# The first Python 3.12 or newer on PATH (override with `make PYTHON=/path/to/python3 run`).
PYTHON ?= $(shell for p in python3.13 python3.12 python3.14 python3 python; do \
	$$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1 && { echo $$p; break; }; \
	done)

.PHONY: help install run test lint check fixtures bench clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(BIN)/python:
	@if [ -z "$(PYTHON)" ]; then \
		echo "StudyHub needs Python 3.12 or newer, and none was found on PATH."; \
		echo "Install it (https://www.python.org/downloads/) or run: make PYTHON=/path/to/python3.12 ..."; \
		exit 1; \
	fi
	@echo "Creating $(VENV) with $$($(PYTHON) --version)"
	@$(PYTHON) -m venv $(VENV) || { rm -rf $(VENV); \
		echo "Could not create a virtual environment. On Debian or Ubuntu: apt-get install python3-venv"; \
		exit 1; }

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --editable '.[dev]'
	@touch $(STAMP)

install: $(STAMP) ## Create .venv and install StudyHub with its test tools

run: export DJANGO_DEBUG ?= 1
run: $(STAMP) ## Set up a development database with the demo library and serve http://127.0.0.1:8000/
	@# Development settings for this and every later command in this folder (see README).
	@[ -f .env ] || { cp .env.development .env && echo "Wrote .env (development settings)"; }
	$(MANAGE) migrate --no-input
	$(MANAGE) loaddata $(FIXTURES)
	$(MANAGE) create_demo_users
	@# The background worker (emails, printed to this console) runs beside the server and
	@# stops with it.
	@$(MANAGE) db_worker --no-reload & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(MANAGE) runserver 127.0.0.1:8000

lint: $(STAMP) ## ruff: lint and formatting
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

check: $(STAMP) ## Django's system checks and the check for missing migrations
	DJANGO_DEBUG=1 $(MANAGE) check --fail-level WARNING
	DJANGO_DEBUG=1 $(MANAGE) makemigrations --check --dry-run

test: lint check ## Install what the tests need and run the whole suite
	$(BIN)/pytest $(PYTEST_ARGS)

fixtures: $(STAMP) ## Rebuild fixtures/library.json from the documents in fixtures/documents/
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	export DJANGO_DEBUG=1 DATABASE_URL="sqlite:///$$tmp/fixtures.sqlite3" && \
	$(MANAGE) migrate --no-input -v 0 && \
	$(MANAGE) import_essays --publish fixtures/documents && \
	$(MANAGE) dumpdata essays.subject essays.level essays.tag essays.essay essays.note \
		--natural-foreign --natural-primary --indent 2 --output fixtures/library.json

bench: $(STAMP) ## Benchmarks, about 15 minutes: print figures (see bench/README.md)
	$(BIN)/python bench/feedback.py
	$(BIN)/python bench/load_submit.py
	$(BIN)/python bench/pages.py

clean: ## Remove the virtual environment, the development database and collected static files
	rm -rf $(VENV) db.sqlite3 db.sqlite3-wal db.sqlite3-shm staticfiles
