# OKpay developer commands. `make run` and `make test` work on a fresh clone.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PG_TEST_URL ?= postgresql://postgres@127.0.0.1:5432/okpay
OKPAY_TEST_POSTGRES ?= auto

.PHONY: browser run test test-sqlite test-postgres lint format bench messages install install-dev clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(VENV)/.installed $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

# Translations are compiled from the .po sources by every build.
messages: $(VENV)/.installed
	@for dir in src/okpay/locale src/okpay/*/locale; do \
	  if [ -d "$$dir" ]; then $(BIN)/pybabel compile --domain django --directory "$$dir" --statistics || exit 1; fi; \
	done

run: install messages
	$(BIN)/okpay run

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: install-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

browser:
	@scripts/ensure_chromium.sh

test: install-dev messages lint browser
	OKPAY_VAR_DIR=$(CURDIR)/var/test $(BIN)/okpay makemigrations --check --dry-run
	$(MAKE) --no-print-directory test-sqlite
	$(MAKE) --no-print-directory test-postgres

test-sqlite:
	@echo "== pytest on SQLite"
	OKPAY_VAR_DIR=$(CURDIR)/var/test DATABASE_URL= $(BIN)/pytest

# OKPAY_TEST_POSTGRES: auto (run when reachable), required (fail when not), off.
test-postgres:
	@case "$(OKPAY_TEST_POSTGRES)" in \
	  off) echo "== PostgreSQL run switched off (OKPAY_TEST_POSTGRES=off)";; \
	  auto|required) \
	    if $(BIN)/python scripts/pg_reachable.py "$(PG_TEST_URL)"; then \
	      echo "== pytest on PostgreSQL"; \
	      OKPAY_VAR_DIR=$(CURDIR)/var/test DATABASE_URL="$(PG_TEST_URL)" OKPAY_TEST_POSTGRES=required \
	        $(BIN)/pytest || exit 1; \
	    elif [ "$(OKPAY_TEST_POSTGRES)" = required ]; then \
	      echo "PostgreSQL is required (OKPAY_TEST_POSTGRES=required) but not reachable at $(PG_TEST_URL)"; exit 1; \
	    else echo "== PostgreSQL not reachable at $(PG_TEST_URL): PostgreSQL run skipped"; fi;; \
	  *) echo "OKPAY_TEST_POSTGRES must be auto, required or off"; exit 2;; \
	esac

bench: install-dev
	$(BIN)/python -m benchmarks.ledger --pg-url "$(PG_TEST_URL)"

clean:
	rm -rf var/test .mypy_cache .ruff_cache
