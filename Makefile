# Redistill workflows: build, run, test, sanitize, clean.  GNU make.
# A fresh machine needs only python3 (with venv), gcc and make; `make test`
# installs the rest (pytest, redis-py, and Debian's redis-server/redis-tools).

PYTHON ?= python3
VENV   ?= .venv
ARGS   ?=
PIP_Q  ?= -q# `make build PIP_Q=-v` shows the compiler output

ASAN_VENV  := .venv-asan
ASAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer

# Everything that changes the compiled module or the package metadata.
BUILD_INPUTS := $(wildcard csrc/*.c csrc/*.h) build_ffi.py setup.py pyproject.toml

# Root needs no sudo; otherwise use it when it exists.
SUDO := $(shell [ "$$(id -u)" = 0 ] || ! command -v sudo >/dev/null 2>&1 || echo sudo)

.PHONY: all build run test test-deps test-fast sanitize clean bench bench-deps bench-core

all: build

build: $(VENV)/.stamp-build

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install -q --upgrade pip

$(VENV)/.stamp-build: $(VENV)/bin/python $(BUILD_INPUTS)
	@rm -rf redistill.egg-info  # a stale SOURCES.txt can break the build
	$(VENV)/bin/python -m pip install $(PIP_Q) -e .
	@touch $@

run: build
	exec $(VENV)/bin/redistill $(ARGS)

test-deps: $(VENV)/.stamp-test-deps
	@if ! command -v redis-server >/dev/null 2>&1 || ! command -v redis-cli >/dev/null 2>&1 \
	    || ! command -v redis-benchmark >/dev/null 2>&1; then \
	  if command -v apt-get >/dev/null 2>&1; then \
	    echo "installing redis-server and redis-tools (Debian) for the differential and client tests"; \
	    $(SUDO) env DEBIAN_FRONTEND=noninteractive sh -c "apt-get update -qq && apt-get install -y -qq redis-server redis-tools"; \
	  else \
	    echo "warning: redis-server/redis-cli/redis-benchmark missing and no apt-get; those tests will skip"; \
	  fi; \
	fi

$(VENV)/.stamp-test-deps: $(VENV)/bin/python
	$(VENV)/bin/python -m pip install -q pytest 'redis>=8'
	@touch $@

# Whole suite with the C fast path, then the protocol and command suites again
# with everything sent through Python (REDISTILL_FASTPATH=0).  pytest's exit 5
# ("no tests collected") fails the first run but not the second, whose
# folders may be empty early on.
test: build test-deps
	$(VENV)/bin/python -m pytest -q tests
	@dirs=""; for d in tests/behaviour tests/differential; do [ -d $$d ] && dirs="$$dirs $$d"; done; \
	if [ -z "$$dirs" ]; then echo "no Python-path suites yet"; exit 0; fi; \
	echo "== again with REDISTILL_FASTPATH=0 (Python path):$$dirs"; \
	REDISTILL_FASTPATH=0 $(VENV)/bin/python -m pytest -q $$dirs; rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "no Python-path tests collected"; exit 0; fi; exit $$rc

# Just the unit tests: no server process, a few seconds.
test-fast: build test-deps
	$(VENV)/bin/python -m pytest -q tests/unit

# ASan + UBSan build of csrc/ installed (not editable) into its own venv, then
# tests/core run with that venv's pytest, so the in-tree .so used by .venv is
# never touched.  build/ is cleared first: setuptools would otherwise reuse
# object files compiled without the sanitizer flags.  The interpreter is not
# instrumented, so libasan is preloaded and leak checking is off (CPython's own
# allocations would drown the report).  Best effort: only tests/core runs here.
sanitize:
	[ -x $(ASAN_VENV)/bin/python ] || $(PYTHON) -m venv $(ASAN_VENV)
	$(ASAN_VENV)/bin/python -m pip install -q --upgrade pip
	$(ASAN_VENV)/bin/python -m pip install -q cffi hiredis pytest 'redis>=8'
	rm -rf build redistill.egg-info
	REDISTILL_CFLAGS="$(ASAN_FLAGS)" REDISTILL_LDFLAGS="-fsanitize=address,undefined" \
	  $(ASAN_VENV)/bin/python -m pip install -q --force-reinstall --no-deps .
	rm -rf build redistill.egg-info
	cd tests && LD_PRELOAD="$$(gcc -print-file-name=libasan.so) $$(gcc -print-file-name=libubsan.so)" \
	  ASAN_OPTIONS=detect_leaks=0 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  ../$(ASAN_VENV)/bin/pytest -q -p no:cacheprovider core

# Side-by-side benchmark, Redis vs Redistill (perf/bench.py; results in perf/results/,
# docs/PERFORMANCE.md rewritten by full runs).  QUICK=1: short runs that only check the
# harness.  BENCH_ARGS passes more options, e.g. BENCH_ARGS='--cells "SET -P 64" --note busy'.
# matplotlib (the chart) is a bench-only dependency, installed into the venv here.
QUICK ?=
BENCH_ARGS ?=
bench: build test-deps bench-deps
	$(VENV)/bin/python perf/bench.py $(if $(QUICK),--quick) $(BENCH_ARGS)

bench-deps: $(VENV)/.stamp-bench-deps

$(VENV)/.stamp-bench-deps: $(VENV)/bin/python
	$(VENV)/bin/python -m pip install -q matplotlib
	@touch $@

# The keyspace and connection code alone, compiled straight from csrc/ (no Python, no sockets).
BENCH_CORE_SECONDS ?= $(if $(QUICK),0.2,1.0)
BENCH_CORE_KEYS ?= $(if $(QUICK),100000,1000000)
build/keyspace_bench: perf/keyspace_bench.c $(wildcard csrc/*.c csrc/*.h)
	@mkdir -p build
	gcc -O2 -g -std=c11 -Wall -Wextra -D_GNU_SOURCE -Icsrc -o $@ perf/keyspace_bench.c $(wildcard csrc/*.c) -lpthread

bench-core: build/keyspace_bench
	./build/keyspace_bench $(BENCH_CORE_SECONDS) $(BENCH_CORE_KEYS)

clean:
	rm -rf $(VENV) $(ASAN_VENV) build *.egg-info redistill/*.egg-info
	rm -f redistill/_core*.so redistill/_core.c redistill/_core.o
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
