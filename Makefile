# The project's front door: `make run` and `make test` work on a fresh clone.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
RUN_STAMP := $(VENV)/.run-installed
TEST_STAMP := $(VENV)/.test-installed
# Exact versions (`make lock` refreshes them from pyproject.toml's ranges).
RUN_LOCK := requirements/run.txt
TEST_LOCK := requirements/test.txt

.PHONY: run test lint bench bench-scale redis-server chromium demo clean lock

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(RUN_STAMP): pyproject.toml $(RUN_LOCK) | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r $(RUN_LOCK)
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $@

$(TEST_STAMP): pyproject.toml $(TEST_LOCK) | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r $(TEST_LOCK)
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $@ $(RUN_STAMP)

## Refresh the lock files from pyproject.toml (needs the network; commit the result).
lock: | $(BIN)/python
	$(BIN)/python -m pip install --quiet uv
	$(BIN)/uv pip compile pyproject.toml --universal --python-version 3.11 --quiet -o $(RUN_LOCK)
	$(BIN)/uv pip compile pyproject.toml --universal --python-version 3.11 --quiet --extra test -o $(TEST_LOCK)

## Start the server on 127.0.0.1:11311 with the embedded backend (no Redis needed).
run: $(RUN_STAMP)
	$(BIN)/signaling serve

## Install the test extras (and redis-server and chromium if missing), then run the whole suite.
test: $(TEST_STAMP) redis-server chromium
	bash tools/oidc-provider.sh  # the OpenID provider the OIDC tests run (npm, into .tools/)
	$(BIN)/python -m pytest

## Validate protocol/asyncapi.yaml with the official AsyncAPI CLI (installed once into .tools/;
## needs Node 20 and npm). Regenerate: `signaling asyncapi --output protocol/asyncapi.yaml`.
.PHONY: protocol-check
protocol-check: $(TEST_STAMP)
	bash tools/protocol-check.sh

## Regenerate the demo page's TypeScript models from protocol/asyncapi.yaml and rebuild its
## bundle signaling/demo/static/app.js (commit both; needs the CLI of `make protocol-check`).
demo: $(TEST_STAMP)
	bash tools/web-client.sh

## ruff and mypy over sources and tests.
lint: $(TEST_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

## The fan-out benchmark (not a test).
bench: $(TEST_STAMP) redis-server
	$(BIN)/python -m bench.fanout

## The scale benchmark (not a test, a few minutes): 10,000 idle connections, a meeting day,
## a join storm. Needs an open-files limit of about 21,000 (raised to the hard limit here).
bench-scale: $(TEST_STAMP) redis-server
	ulimit -n "$$(ulimit -Hn)"; $(BIN)/python -m bench.scale

# Debian package $(1) installed when one of the commands $(2) is missing (root with apt-get),
# or a clear error.
define apt-install
	@{ $(foreach command,$(2),command -v $(command) &&) true; } >/dev/null 2>&1 || { \
	  echo "$(1) not found: installing it"; \
	  if command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
	    DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(1) >/dev/null; \
	  else \
	    echo "cannot install $(1): run as root with apt-get, or put it on PATH" >&2; exit 1; \
	  fi; }
endef

# Tests start their own redis-server processes on free ports (and a local Redis Cluster, made
# with redis-cli); this only makes sure the binaries exist.
redis-server:
	$(call apt-install,redis-server,redis-server redis-cli)

# The browser tests (tests/browser) drive Debian's chromium; playwright downloads no browser.
chromium:
	$(call apt-install,chromium,chromium)

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis
