# Everything bootstraps itself from python3: a private tool venv gets uv, uv builds .venv.
SHELL := /bin/bash
PY ?= python3
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
RUN := $(UV) run --frozen --no-sync
export UV_PROJECT_ENVIRONMENT := $(abspath $(VENV))
export UV_NO_PROGRESS := 1
export NO_MKDOCS_2_WARNING := 1

.PHONY: help setup sync lint format typecheck docs test unit record demo sandbox bench clean

help:
	@echo "make demo    - run the demo against the embedded sandbox"
	@echo "make test    - lint, type-check and run every test (cassettes replayed)"
	@echo "make record  - re-record cassettes (sandbox, or the real provider when its key is set)"
	@echo "make sandbox - run the sandbox on a loopback port and print its environment"
	@echo "make docs    - build the documentation site into site/ (mkdocs --strict)"
	@echo "make bench   - the benchmark against a loopback server (ratios to raw httpx and the incumbents)"

$(UV):
	$(PY) -m venv $(TOOLS)
	$(TOOLS)/bin/python -m pip install --quiet "uv>=0.5"

$(VENV)/.synced: $(UV) pyproject.toml packages/*/pyproject.toml
	$(UV) sync --all-packages --quiet
	@touch $@

setup sync: $(VENV)/.synced

lint: $(VENV)/.synced
	$(RUN) ruff check .
	$(RUN) ruff format --check .

format: $(VENV)/.synced
	$(RUN) ruff format .
	$(RUN) ruff check --fix .

typecheck: $(VENV)/.synced
	$(RUN) mypy packages/*/src

docs: $(VENV)/.synced
	$(RUN) python scripts/gen_docs.py --check
	$(RUN) python scripts/gen_operations.py --check
	$(RUN) mkdocs build --strict --quiet

unit: $(VENV)/.synced
	$(RUN) python scripts/check_cassettes.py
	$(RUN) pytest -q --record-mode=none --allow-hosts=127.0.0.1,::1 --benchmark-disable

test: lint typecheck docs unit

record: $(VENV)/.synced
	$(RUN) pytest -q --record-mode=rewrite -m "vcr" $(ARGS)

bench: $(VENV)/.synced
	$(RUN) python -m bench.run

demo: $(VENV)/.synced
	$(RUN) neocloud demo

sandbox: $(VENV)/.synced
	$(RUN) neocloud sandbox --print-env

clean:
	rm -rf $(VENV) $(TOOLS) dist site
