# Everything bootstraps itself from python3: a private tool venv gets uv (pinned), uv builds the venvs.
# The resolution is pinned exactly in pyproject.toml ([tool.uv] constraint-dependencies); `make pins` refreshes it.
SHELL := /bin/bash
PY ?= python3
TOOLS := .tools
UV_VERSION := 0.13.9
UV := $(TOOLS)/bin/uv
# The venv a target runs in, and its interpreter (empty: the one uv picks). `make test` sets both per Python.
VENV ?= .venv
PYTHON ?=
RUN := $(UV) run --frozen --no-sync
export UV := $(abspath $(UV))
export UV_PROJECT_ENVIRONMENT := $(abspath $(VENV))
export UV_NO_PROGRESS := 1
# Interpreters come from the machine, never from a download.
export UV_PYTHON_DOWNLOADS := never
export NO_MKDOCS_2_WARNING := 1
# Test worker processes per Python (pytest-xdist; 0 runs in one process). A test session mostly waits on
# sockets and deadlines, so two workers per Python keep two cores busy while both Pythons run side by side.
TEST_WORKERS ?= 2

.PHONY: help setup sync pins pins-check postgres lint format typecheck docs docs-shots dist cassettes test unit record demo sandbox bench clean

help:
	@echo "make demo    - run the demo against the embedded sandbox"
	@echo "make test    - pins, lint, docs, then types and every test on the lowest and newest Python (no network)"
	@echo "make pins    - re-resolve every dependency and rewrite the exact pins in pyproject.toml"
	@echo "make record  - re-record cassettes (sandbox, or the real provider when its key is set)"
	@echo "make sandbox - run the sandbox in the foreground and print its environment"
	@echo "make docs    - build the documentation site into site/ (mkdocs --strict)"
	@echo "make docs-shots - build the site and screenshot every page in headless Chromium (site/shots/)"
	@echo "make dist    - build every distribution's wheel and sdist into dist/ (pip install --find-links dist ...)"
	@echo "make bench   - the benchmark against a loopback server (ratios to raw httpx2; ARGS=--quick: a short run)"

$(UV):
	$(PY) -m venv $(TOOLS)
	$(TOOLS)/bin/python -m pip install --quiet "uv==$(UV_VERSION)"

# uv.lock is derived (never committed): the pins make it the same on every machine.
uv.lock: $(UV) pyproject.toml packages/*/pyproject.toml
	$(UV) lock --quiet
	@touch $@

$(VENV)/.synced: uv.lock
	$(UV) sync --all-packages --frozen --quiet $(if $(PYTHON),--python $(PYTHON))
	@touch $@

setup sync: $(VENV)/.synced

pins: $(UV)
	$(TOOLS)/bin/python scripts/pins.py write

pins-check: $(UV)
	@$(TOOLS)/bin/python scripts/pins.py check

# The ledger's tests start a private PostgreSQL server from its binaries: installed here when missing (root).
postgres:
	@bash scripts/ensure_postgres.sh

lint: $(VENV)/.synced
	$(RUN) ruff check .
	$(RUN) ruff format --check .

format: $(VENV)/.synced
	$(RUN) ruff format .
	$(RUN) ruff check --fix .

# mypy checks against the venv's own interpreter and dependency set (no python_version in the config).
typecheck: $(VENV)/.synced
	$(RUN) mypy packages/*/src

docs: $(VENV)/.synced
	$(RUN) python scripts/gen_docs.py --check
	$(RUN) python scripts/gen_operations.py --check
	$(RUN) mkdocs build --strict --quiet

# Until the distributions are published, the docs install from here: pip install --find-links dist "neocloud[all]".
dist: $(UV)
	rm -rf dist
	$(UV) build --all-packages --out-dir dist --quiet
	@ls dist

# Not part of `make test`: a real browser's view of every page (site/shots/), and what overflows on each.
docs-shots: docs
	@bash scripts/ensure_chromium.sh
	$(RUN) python scripts/docs_shots.py

cassettes: $(VENV)/.synced
	$(RUN) python scripts/check_cassettes.py

unit: $(VENV)/.synced
	$(RUN) pytest -q --record-mode=none --allow-hosts=127.0.0.1,::1 --benchmark-disable -n $(TEST_WORKERS) --dist loadfile $(UNIT_ARGS)

# The pins, then the matrix: lint, docs and the cassette scan once; types and tests on each Python.
test: pins-check postgres
	@$(TOOLS)/bin/python scripts/matrix.py

record: $(VENV)/.synced
	$(RUN) pytest -q --record-mode=rewrite -m "vcr" $(ARGS)

bench: $(VENV)/.synced
	$(RUN) python -m bench.run $(ARGS)

demo: $(VENV)/.synced
	$(RUN) neocloud demo

sandbox: $(VENV)/.synced
	$(RUN) neocloud sandbox run

clean:
	rm -rf .venv .venvs $(TOOLS) dist site uv.lock
