# conduct_scan: `make demo` and `make test` are all a fresh machine needs (see README).
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Cargo builds outside the clone so fresh clones (CI) reuse earlier builds.
export CARGO_TARGET_DIR ?= $(HOME)/.cache/conduct-scan/target
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: help system venv build demo test test-rust test-python rules-test lint fmt bench bench-ci fuzz fuzz-smoke clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

system: ## Install Hyperscan (Debian's libhyperscan-dev) when missing
	@if [ ! -e /usr/include/hs/hs.h ]; then \
		echo "installing libhyperscan-dev"; \
		$(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq libhyperscan-dev pkg-config; \
	fi

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.deps: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q "maturin>=1.7,<2" pyarrow polars click rich matplotlib \
		pytest pytest-benchmark hypothesis ruff mypy hyperscan pyahocorasick duckdb
	touch $@

venv: $(VENV)/.deps ## Create .venv with the Python dependencies

build: system venv ## Build the native module (release) into .venv
	@export VIRTUAL_ENV=$(abspath $(VENV)); \
	if $(BIN)/python -c "import conduct_scan._core" 2>/dev/null; then \
		$(BIN)/maturin develop --release --skip-install; \
	else \
		$(BIN)/maturin develop --release; \
	fi

demo: build ## Audit a generated sample archive and leave a report
	$(BIN)/conduct-scan demo --out demo-out

test: build test-rust rules-test test-python ## Build, then run cargo test, the ruleset's examples and pytest

test-rust: system
	cargo test -q -p conduct-scan-core 2>&1 | grep -E "test result|FAILED|panicked|error" ; exit $${PIPESTATUS[0]}

rules-test: build
	$(BIN)/conduct-scan rules test

test-python: build
	$(BIN)/pytest -q tests

lint: build ## clippy -D warnings, rustfmt, ruff, mypy --strict, stubtest
	cargo clippy -q --workspace --all-targets -- -D warnings
	cargo fmt --all --check
	$(BIN)/ruff check python tests benchmarks
	$(BIN)/ruff format --check python tests benchmarks
	$(BIN)/mypy
	$(BIN)/python -m mypy.stubtest conduct_scan._core --mypy-config-file pyproject.toml

fmt: ## Apply rustfmt and ruff format
	cargo fmt --all
	$(BIN)/ruff format python tests benchmarks
	$(BIN)/ruff check --fix python tests benchmarks

bench: build ## Run the benchmark suite (10 MB to 1 GB, peers) and write benchmarks/RESULTS.md
	$(BIN)/python -m benchmarks run

bench-ci: build ## Quick benchmark gate (10 MB): fails unless conduct_scan is >= 2x Polars
	$(BIN)/python -m benchmarks ci

FUZZ_SECONDS ?= 600

fuzz-smoke: system ## Build the fuzz targets (nightly libFuzzer) and run each for 10 s from the seeds
	FUZZ_WORK=$$(mktemp -d) && trap 'rm -rf "$$FUZZ_WORK"' EXIT && FUZZ_WORK=$$FUZZ_WORK fuzz/run.sh 10

fuzz: system ## Run each fuzz target for FUZZ_SECONDS (default 600), one at a time, keeping the corpus
	nice -n 19 fuzz/run.sh $(FUZZ_SECONDS)

clean: ## Remove the venv and build outputs (not the shared cargo cache)
	rm -rf $(VENV) demo-out python/conduct_scan/*.so
