# Redistill workflows: build, run, test, sanitize, clean.  GNU make.
# A fresh machine needs only python3 (with venv), gcc and make; `make test`
# installs the rest (pytest, redis-py, and Debian's redis-server/redis-tools).

PYTHON ?= python3
VENV   ?= .venv
ARGS   ?=
PIP_Q  ?= -q# `make build PIP_Q=-v` shows the compiler output

ASAN_VENV  := .venv-asan
# -fno-wrapv: Python's own CFLAGS (which setuptools passes to the build) carry -fwrapv, under which signed
# overflow is defined and UBSan does not check it; the sanitizer build turns it back into an error.
ASAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-wrapv

# C's command lists, generated from the command table (redistill/commands/gen_header.py, which
# build_ffi.py runs too).  Checked in, so a bare gcc of csrc/*.c works; every build here that compiles
# csrc/ depends on it, so a changed table reaches C first.
CMD_HEADER := csrc/commands_generated.h

# Everything that changes the compiled module or the package metadata.
BUILD_INPUTS := $(sort $(wildcard csrc/*.c csrc/*.h csrc/lua/*.c csrc/lua/*.h) $(CMD_HEADER)) build_ffi.py setup.py \
                pyproject.toml tools/luaflags.py

# The Lua engine's flags for every gcc line that compiles csrc/ (tools/luaflags.py: Debian's Lua 5.1,
# lua-cjson, lua-bitop; lua-deps installs them); our own Lua libraries are csrc/lua/*.c.
LUA_CFLAGS  := $(shell $(PYTHON) tools/luaflags.py --cflags)
LUA_LIBS    := $(shell $(PYTHON) tools/luaflags.py --libs)
LUA_SOURCES := $(wildcard csrc/lua/*.c)
LUA_PACKAGES := $(shell $(PYTHON) tools/luaflags.py --packages)

# Root needs no sudo; otherwise use it when it exists.
SUDO := $(shell [ "$$(id -u)" = 0 ] || ! command -v sudo >/dev/null 2>&1 || echo sudo)

.PHONY: all build run test test-suites test-deps lua-deps test-fast sanitize sanitize-build sanitize-quick fuzz-core soak clean fuzz node-clients bench-evict
.PHONY: bench bench-deps bench-core bench-pubsub bench-streams bench-scripts
.PHONY: test-redis-suite test-fast-sanitizers test-fast-core test-fast-behaviour-1 test-fast-behaviour-2
.PHONY: test-fast-reliability test-fast-rest test-python-behaviour-1 test-python-behaviour-2
.PHONY: test-python-differential test-sanitize
.PHONY: dist test-dist docker docker-test
.PHONY: ft-python ft-build test-ft

all: build

build: lua-deps $(VENV)/.stamp-build

# Debian's Lua 5.1 with lua-cjson and lua-bitop, which the C core links (as test-deps installs redis-server).
lua-deps:
	@if [ ! -f /usr/include/lua5.1/lua.h ] || ! ls /usr/lib/*/liblua5.1-cjson.so /usr/lib/*/liblua5.1-bitop.so >/dev/null 2>&1; then \
	  if command -v apt-get >/dev/null 2>&1; then \
	    echo "installing $(LUA_PACKAGES) (Debian) for the Lua engine the C core links"; \
	    $(SUDO) env DEBIAN_FRONTEND=noninteractive sh -c "apt-get update -qq && apt-get install -y -qq $(LUA_PACKAGES)"; \
	  else \
	    echo "error: $(LUA_PACKAGES) (or your system's Lua 5.1, lua-cjson and lua-bitop) are needed to build"; exit 1; \
	  fi; \
	fi

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install -q --upgrade pip

$(VENV)/.stamp-build: $(VENV)/bin/python $(BUILD_INPUTS)
	@rm -rf redistill.egg-info  # a stale SOURCES.txt can break the build
	$(VENV)/bin/python -m pip install $(PIP_Q) -e .
	@touch $@

$(CMD_HEADER): redistill/commands/table.py redistill/commands/gen_header.py
	$(PYTHON) redistill/commands/gen_header.py
	@touch $@   # rewritten only when its text changes

run: build
	exec $(VENV)/bin/redistill $(ARGS)

test-deps: lua-deps $(VENV)/.stamp-test-deps
	@if ! command -v redis-server >/dev/null 2>&1 || ! command -v redis-cli >/dev/null 2>&1 \
	    || ! command -v redis-benchmark >/dev/null 2>&1; then \
	  if command -v apt-get >/dev/null 2>&1; then \
	    echo "installing redis-server and redis-tools (Debian) for the differential and client tests"; \
	    $(SUDO) env DEBIAN_FRONTEND=noninteractive sh -c "apt-get update -qq && apt-get install -y -qq redis-server redis-tools"; \
	  else \
	    echo "warning: redis-server/redis-cli/redis-benchmark missing and no apt-get; those tests will skip"; \
	  fi; \
	fi
	@if ! command -v nutcracker >/dev/null 2>&1 && [ ! -x /usr/sbin/nutcracker ]; then \
	  if command -v apt-get >/dev/null 2>&1; then \
	    echo "installing nutcracker (Debian's twemproxy) for tests/scaleout"; \
	    $(SUDO) env DEBIAN_FRONTEND=noninteractive sh -c "apt-get update -qq && apt-get install -y -qq nutcracker"; \
	  else \
	    echo "warning: nutcracker missing and no apt-get; the twemproxy scale-out test will skip"; \
	  fi; \
	fi
	@if ! command -v lua5.1 >/dev/null 2>&1; then \
	  if command -v apt-get >/dev/null 2>&1; then \
	    echo "installing lua5.1 (Debian) for the standalone cmsgpack/struct tests"; \
	    $(SUDO) env DEBIAN_FRONTEND=noninteractive sh -c "apt-get update -qq && apt-get install -y -qq lua5.1"; \
	  else \
	    echo "warning: lua5.1 missing and no apt-get; tests/differential/test_lua_libs.py will skip"; \
	  fi; \
	fi

$(VENV)/.stamp-test-deps: $(VENV)/bin/python Makefile
	$(VENV)/bin/python -m pip install -q pytest 'redis>=8' prometheus_client 'rq==2.12.0'
	@# the script-using libraries of tests/clients/test_script_clients.py
	$(VENV)/bin/python -m pip install -q 'limits==5.8.0' 'django==5.2.20' 'django-redis==7.0.0'
	@touch $@

# ioredis and node-redis for tests/clients/test_node_clients.py, and express, express-rate-limit and
# rate-limit-redis for tests/clients/test_script_clients.py, pinned by package-lock.json.
# Without npm the node tests skip (they say why).
NODE_DIR := tests/clients/node
node-clients: $(NODE_DIR)/node_modules/.package-lock.json

$(NODE_DIR)/node_modules/.package-lock.json: $(NODE_DIR)/package.json $(NODE_DIR)/package-lock.json
	@if ! command -v npm >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1; then \
	  echo "installing nodejs and npm (Debian) for the ioredis/node-redis client tests"; \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive sh -c "apt-get update -qq && apt-get install -y -qq nodejs npm"; \
	fi
	@if command -v npm >/dev/null 2>&1; then \
	  cd $(NODE_DIR) && npm ci --no-audit --no-fund --loglevel=error; \
	else \
	  echo "warning: npm not found and no apt-get; the ioredis/node-redis client tests will skip"; \
	fi

# The suites run as phases side by side (tests/phases.py: each with its own log in .test-logs/ and its own
# port range; they mostly wait on servers, sleeps and timeouts, so two cores carry them together): the
# whole suite with the C fast path in parts (test-fast-*, and test-redis-suite: Redis's own suite), the
# protocol and command suites again with everything sent through Python (test-python-*,
# REDISTILL_FASTPATH=0), and the bounded sanitizer pass (test-sanitize; SANITIZE=0 skips it).  Each phase
# also runs alone, e.g. `make test-fast-core`.  The Docker image test (docker-test) runs alongside in the
# background (tests/docker/alongside.sh; DOCKER_TEST=0 skips it).
test: build test-deps node-clients
	@tests/docker/alongside.sh $(MAKE) --no-print-directory test-suites

PYTEST := $(VENV)/bin/python -m pytest -q
# tests/behaviour in two halves by file name, tests/core with its sanitizer builds apart: about equal parts
BEHAVIOUR_1 := $(wildcard tests/behaviour/test_[a-g]*.py)
BEHAVIOUR_2 := $(filter-out $(BEHAVIOUR_1),$(wildcard tests/behaviour/test_*.py))
CORE_SAN := tests/core/test_core_sanitizers.py
FAST_PHASE_DIRS := tests/core tests/behaviour tests/redis_suite tests/reliability tests/scaleout
REDISTILL_SUITE_JOBS ?= 3# Redis's suite: units at a time
TEST_PHASES = test-redis-suite test-fast-sanitizers test-fast-reliability test-fast-rest test-fast-core \
              test-fast-behaviour-1 test-fast-behaviour-2 test-python-behaviour-1 test-python-behaviour-2 \
              test-python-differential $(if $(filter 0,$(SANITIZE)),,test-sanitize)

test-suites:
	@$(if $(filter 0,$(SANITIZE)),echo "== sanitizer pass skipped (SANITIZE=0)";) \
	MAKE="$(MAKE)" $(VENV)/bin/python tests/phases.py $(TEST_PHASES)

test-redis-suite:
	REDISTILL_SUITE_JOBS=$(REDISTILL_SUITE_JOBS) $(PYTEST) tests/redis_suite
test-fast-sanitizers:
	$(PYTEST) $(CORE_SAN)
test-fast-core:
	$(PYTEST) tests/core --ignore=$(CORE_SAN)
test-fast-behaviour-1:
	$(PYTEST) $(BEHAVIOUR_1)
test-fast-behaviour-2:
	$(PYTEST) $(BEHAVIOUR_2)
test-fast-reliability:
	$(PYTEST) tests/reliability tests/scaleout
# every other folder of tests/ (a new one lands here)
test-fast-rest:
	$(PYTEST) tests $(addprefix --ignore=,$(FAST_PHASE_DIRS))
test-python-behaviour-1:
	REDISTILL_FASTPATH=0 $(PYTEST) $(BEHAVIOUR_1)
test-python-behaviour-2:
	REDISTILL_FASTPATH=0 $(PYTEST) $(BEHAVIOUR_2)
test-python-differential:
	REDISTILL_FASTPATH=0 $(PYTEST) tests/differential

# Just the unit tests: no server process, a few seconds.
test-fast: build test-deps
	$(VENV)/bin/python -m pytest -q tests/unit

# ---- sanitizers -------------------------------------------------------------------------
# ASan + UBSan build of csrc/ installed (not editable) into its own venv, so the in-tree .so used
# by .venv is never touched.  build/ is cleared first: setuptools would otherwise reuse object
# files compiled without the sanitizer flags.  The interpreter is not instrumented, so libasan is
# preloaded and leak checking is off (CPython's own allocations would drown the report).
#   1. tests/core in-process under ASan (keyspace, framing, the core fuzzer, the C thread stress
#      test built with TSan and with ASan/UBSan);
#   2. the protocol, command, concurrency, differential and reliability suites run by .venv's
#      pytest against server processes started with the ASan interpreter (REDISTILL_PYTHON=the
#      wrapper below; it unsets PYTHONPATH so the server imports the ASan build, not the tree).
# Any ASan/UBSan report aborts the server, so its test fails and stop_and_check sees a bad exit.
# Leaks are checked without Python: tests/core/leak_check.c, built from csrc/ with ASan+UBSan and with
# LSan alone, makes and kills every type every way (eviction included) and runs with detect_leaks=1
# (test_core_sanitizers.py, part of tests/core: make test, make sanitize, and sanitize-quick).
# `make sanitize-quick` is the bounded pass `make test` runs beside the suites, as test-sanitize (about
# 1 minute plus the first build of .venv-asan): the core fuzzer, framing, keyspace and thread tests in-process,
# then the protocol suite and the network fuzzer against an ASan server.  The C thread-stress test
# under TSan and ASan/UBSan is part of tests/core, which `make test` runs anyway.
ASAN_PY    := $(ASAN_VENV)/bin/redistill-asan-python
ASAN_ENV   := LD_PRELOAD="$$(gcc -print-file-name=libasan.so) $$(gcc -print-file-name=libubsan.so)" \
              ASAN_OPTIONS=detect_leaks=0:quarantine_size_mb=16 \
              UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
SAN_SERVER_TESTS := tests/behaviour/test_protocol.py tests/behaviour/test_strings.py \
              tests/behaviour/test_hashes.py tests/behaviour/test_sets.py \
              tests/behaviour/test_lists.py tests/behaviour/test_bitops.py \
              tests/behaviour/test_keys.py tests/behaviour/test_concurrency.py \
              tests/behaviour/test_connection.py tests/differential tests/reliability \
              tests/scaleout/test_cluster.py
FUZZ_SECONDS ?= 300
SANITIZE ?= 1# `make test SANITIZE=0` skips the bounded sanitizer pass

sanitize-build: lua-deps $(ASAN_VENV)/.stamp-build

$(ASAN_VENV)/.stamp-build: $(BUILD_INPUTS) Makefile
	[ -x $(ASAN_VENV)/bin/python ] || $(PYTHON) -m venv $(ASAN_VENV)
	$(ASAN_VENV)/bin/python -m pip install -q --upgrade pip
	$(ASAN_VENV)/bin/python -m pip install -q cffi hiredis pytest 'redis>=8'
	rm -rf build redistill.egg-info
	REDISTILL_CFLAGS="$(ASAN_FLAGS)" REDISTILL_LDFLAGS="-fsanitize=address,undefined" \
	  $(ASAN_VENV)/bin/python -m pip install -q --force-reinstall --no-deps .
	rm -rf build redistill.egg-info
	asan=$$(gcc -print-file-name=libasan.so); ubsan=$$(gcc -print-file-name=libubsan.so); { \
	  echo '#!/bin/sh'; echo '# The ASan build as the interpreter of server processes (make sanitize).'; \
	  echo 'unset PYTHONPATH'; \
	  echo "export LD_PRELOAD=\"$$asan $$ubsan\" ASAN_OPTIONS=detect_leaks=0:quarantine_size_mb=16" \
	       "UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1"; \
	  echo "exec \"$(CURDIR)/$(ASAN_VENV)/bin/python\" \"\$$@\""; } > $(ASAN_PY)
	chmod +x $(ASAN_PY)
	cd /tmp && $(CURDIR)/$(ASAN_PY) -c 'import redistill._core as m, sys; \
	  sys.exit(0 if "$(ASAN_VENV)" in m.__file__ else "ASan server would import " + m.__file__)'
	@touch $@

sanitize: sanitize-build test-deps
	cd tests && $(ASAN_ENV) ../$(ASAN_VENV)/bin/pytest -q -p no:cacheprovider core
	REDISTILL_PYTHON=$(CURDIR)/$(ASAN_PY) $(VENV)/bin/python -m pytest -q $(SAN_SERVER_TESTS)

# test-sanitize is make test's sanitize-quick without the leak test, which builds its own binaries (the
# interpreter plays no part) and so is the same test that test-fast-core runs.
sanitize-quick: SAN_QUICK_LEAKS := core/test_core_sanitizers.py::test_no_leaks_under_leak_sanitizer
sanitize-quick test-sanitize: sanitize-build test-deps
	cd tests && REDISTILL_FUZZ_SECONDS=5 $(ASAN_ENV) ../$(ASAN_VENV)/bin/pytest -q -p no:cacheprovider \
	  core/test_core_fuzz.py core/test_core_framing.py core/test_core_keyspace.py core/test_core_threads.py \
	  core/test_core_types.py \
	  core/test_core_lists.py \
	  core/test_core_streams.py \
	  core/test_core_dump.py \
	  $(SAN_QUICK_LEAKS) \
	  -k "not million"
	REDISTILL_PYTHON=$(CURDIR)/$(ASAN_PY) REDISTILL_FUZZ_SECONDS=5 $(VENV)/bin/python -m pytest -q \
	  tests/behaviour/test_protocol.py tests/reliability/test_fuzz_network.py \
	  tests/reliability/test_glob_patterns.py tests/differential/test_int_extremes.py

# ---- fuzzing and soak -------------------------------------------------------------------------
# The C framing/fast-path fuzzer for FUZZ_SECONDS (default 300), in-process on the ASan build;
# failing inputs land in tests/core/fuzz_corpus/ (replayed by tests/core/test_core_fuzz.py).
# Then the network fuzzer (compared with real Redis) for the same budget on the normal build.
fuzz-core: sanitize-build test-deps
	cd tests && $(ASAN_ENV) ../$(ASAN_VENV)/bin/python core/fuzzcore.py --seconds $(FUZZ_SECONDS)
	REDISTILL_FUZZ_SECONDS=$(FUZZ_SECONDS) $(VENV)/bin/python -m pytest -q tests/reliability/test_fuzz_network.py

# Mixed workload with expiry from many clients against a started server; DURATION seconds
# (default 60), SOAK_ARGS for more (e.g. SOAK_ARGS="--maxmemory 64mb --clients 64").
DURATION ?= 60
SOAK_ARGS ?=
soak: build test-deps
	$(VENV)/bin/python perf/soak.py --duration $(DURATION) $(SOAK_ARGS)

# Streams beside redis-server: XADD -P 16, XRANGE and XREADGROUP COUNT 100, bytes per entry of 1M
# entries (perf/stream_bench.py; results in docs/PERFORMANCE.md, "Streams").  QUICK=1: a tenth.
bench-streams: build test-deps
	$(VENV)/bin/python perf/stream_bench.py $(if $(QUICK),--quick) $(ARGS)

# Eviction hit ratios: Redistill's policies vs redis-server at equal maxmemory (perf/evict_bench.py,
# results in docs/EVICTION.md).  ARGS passes options, e.g. ARGS="--requests 100000".
bench-evict: build test-deps
	$(VENV)/bin/python perf/evict_bench.py $(ARGS)

# Side-by-side benchmark, Redis vs Redistill (perf/bench.py; results in perf/results/,
# docs/PERFORMANCE.md rewritten by full runs).  QUICK=1: short runs that only check the
# harness.  BENCH_ARGS passes more options, e.g. BENCH_ARGS='--cells "SET -P 64" --note busy'.
# matplotlib (the chart) is a bench-only dependency, installed into the venv here.
QUICK ?=
BENCH_ARGS ?=
bench: build test-deps bench-deps
	$(VENV)/bin/python perf/bench.py $(if $(QUICK),--quick) $(BENCH_ARGS)

# PUBLISH fan-out beside redis-server (perf/pubsub_bench.py): messages delivered per second with 1, 10
# and 100 subscribers, and PUBLISH -P 16.  ARGS passes options, e.g. ARGS="--rounds 5 --threads 2".
bench-pubsub: build test-deps
	$(VENV)/bin/python perf/pubsub_bench.py $(ARGS)

# The EVALSHA cells alone (perf/bench.py --group scripts: a rate-limit script and a 10-call script beside
# Redis, CPU per script call); results in perf/results/, docs/PERFORMANCE.md left alone.  They are
# skipped, with the reason, while Redistill cannot load scripts.
bench-scripts: build test-deps bench-deps
	$(VENV)/bin/python perf/bench.py --group scripts --no-docs $(if $(QUICK),--quick) $(BENCH_ARGS)

bench-deps: $(VENV)/.stamp-bench-deps

$(VENV)/.stamp-bench-deps: $(VENV)/bin/python
	$(VENV)/bin/python -m pip install -q matplotlib
	@touch $@

# The keyspace and connection code alone, compiled straight from csrc/ (no Python, no sockets).
BENCH_CORE_SECONDS ?= $(if $(QUICK),0.2,1.0)
BENCH_CORE_KEYS ?= $(if $(QUICK),100000,1000000)
build/keyspace_bench: perf/keyspace_bench.c $(wildcard csrc/*.c csrc/*.h) $(CMD_HEADER)
	@mkdir -p build
	gcc -O2 -g -std=c11 -Wall -Wextra -D_GNU_SOURCE -Icsrc $(LUA_CFLAGS) -o $@ perf/keyspace_bench.c $(wildcard csrc/*.c) \
	  $(LUA_SOURCES) -lpthread $(LUA_LIBS)

bench-core: build/keyspace_bench
	./build/keyspace_bench $(BENCH_CORE_SECONDS) $(BENCH_CORE_KEYS)

clean:
	rm -rf $(VENV) $(ASAN_VENV) build dist *.egg-info redistill/*.egg-info
	rm -f redistill/_core*.so redistill/_core.c redistill/_core.o
	find . -name __pycache__ -type d -prune -exec rm -rf {} +

# Longer differential fuzzing against Debian's redis-server (tests/differential/fuzz.py):
#   make fuzz SEED=7 N=50000 [SEQS=3]   prints a shrunk reproducer on the first mismatch.
SEED ?= 1
N    ?= 20000
SEQS ?= 1
fuzz: build test-deps
	$(VENV)/bin/python tests/differential/fuzz.py --seed $(SEED) -n $(N) --seqs $(SEQS)

# ---- shipping: single-file executable and Docker image -------------------------------------------
# dist/redistill: PyInstaller --onefile (installed into .venv here) freezes the interpreter, the
# package, the compiled core and cffi's backend into one file that unpacks itself to a private temp
# dir at start, so it runs with no virtualenv and no Python on the target (same glibc or newer).
# About a minute; `make test` leaves it out (tests/dist skips without dist/redistill).
DIST_INPUTS := $(BUILD_INPUTS) $(wildcard redistill/*.py redistill/commands/*.py) tools/dist/entry.py

dist: dist/redistill

dist/redistill: $(VENV)/.stamp-build $(DIST_INPUTS)
	$(VENV)/bin/python -m pip install -q pyinstaller
	$(VENV)/bin/python -m PyInstaller --onefile --noconfirm --clean --log-level WARN --name redistill \
	  --distpath dist --workpath build/pyinstaller --specpath build/pyinstaller \
	  --hidden-import redistill._core --hidden-import _cffi_backend --collect-submodules redistill \
	  --copy-metadata redistill tools/dist/entry.py
	@dist/redistill --version

test-dist: dist test-deps
	$(VENV)/bin/python -m pytest -q tests/dist

# The Docker image (Dockerfile: debian:bookworm-slim, multi-stage, non-root).  docker-test starts
# dockerd and creates the base image with debootstrap when they are missing (tests/docker/run.sh);
# it takes minutes (mostly downloads), so `make test` runs it in the background beside the suites.
DOCKER_IMAGE ?= redistill:latest
docker:
	cp /usr/local/share/ca-certificates/*.crt tools/docker/ca/ 2>/dev/null || true
	docker build --network host -t $(DOCKER_IMAGE) .

docker-test:
	IMAGE=$(DOCKER_IMAGE) tests/docker/run.sh

# ---- free-threaded CPython (docs/FREE_THREADING.md) -------------------------------------------
# `make test-ft` builds a --disable-gil CPython from Debian's source archive once (cached in
# ~/.cache/redistill/py-ft, several minutes the first time: not part of `make test`), makes
# .venv-ft from it, builds the core for it, and runs server suites with servers started by that
# interpreter (.venv's pytest drives them, as `make sanitize` does).  The core: the cffi
# extension where cffi supports free-threading (3.14t, cffi>=2), otherwise the same C sources as
# a plain shared library loaded through ctypes (redistill/_core_ctypes.py).  hiredis is installed
# (from its sdist if need be; a failure is ignored): it would turn the GIL back on if imported, so
# INFO python_gil_enabled:0 proves the server never imports it there.
# Without cffi the package cannot be pip-installed (it depends on cffi): a .pth file puts this
# tree on .venv-ft's path instead, for tests that start servers without PYTHONPATH.
FT_VENV := .venv-ft
FT_PY   := $(FT_VENV)/bin/python
FT_LIB  := redistill/libredistill-core.so
FT_TESTS ?= tests/behaviour tests/differential tests/reliability
FT_CFLAGS := -O2 -std=c11 -Wall -Wextra -D_GNU_SOURCE -fPIC# as build_ffi.py compiles the extension

ft-python:
	tools/ft/build-python.sh

$(FT_VENV)/.stamp-build: $(BUILD_INPUTS) redistill/_core_ctypes.py redistill/_core_loader.py tools/ft/build-python.sh
	[ -x $(FT_PY) ] || "$$(tools/ft/build-python.sh | tail -1)" -m venv $(FT_VENV)
	$(FT_PY) -m pip install -q --upgrade pip
	-$(FT_PY) -m pip install -q hiredis
	if $(FT_PY) -c 'import sys; sys.exit(sys.version_info < (3, 14))'; then \
	  $(FT_PY) -m pip install -q 'cffi>=2' setuptools wheel && \
	  $(FT_PY) -m pip install -q --no-build-isolation --no-deps -e . ; \
	else \
	  gcc $(FT_CFLAGS) -shared -Icsrc $(LUA_CFLAGS) -o $(FT_LIB) csrc/*.c $(LUA_SOURCES) -lpthread $(LUA_LIBS) && \
	  echo "$(CURDIR)" > "$$($(FT_PY) -c 'import sysconfig; print(sysconfig.get_path("purelib"))')/redistill-tree.pth" ; fi
	cd /tmp && PYTHONPATH=$(CURDIR) $(CURDIR)/$(FT_PY) -c 'import sys; import redistill._core, redistill.protocol; \
	  sys.exit("the GIL came back on importing the core" if sys._is_gil_enabled() else 0)'
	@touch $@

ft-build: lua-deps $(FT_VENV)/.stamp-build

test-ft: build test-deps ft-build
	REDISTILL_PYTHON=$(CURDIR)/$(FT_PY) REDISTILL_EXPECT_FREE_THREADED=1 \
	  $(VENV)/bin/python -m pytest -q tests/behaviour/test_free_threading.py $(FT_TESTS)
	REDISTILL_PYTHON=$(CURDIR)/$(FT_PY) REDISTILL_EXPECT_FREE_THREADED=1 REDISTILL_FASTPATH=0 \
	  $(VENV)/bin/python -m pytest -q tests/behaviour/test_free_threading.py tests/differential

# ---- Redis's own test suite (tests/redis_suite; `make test` runs it through pytest) -----------------
# `make redis-suite` runs every unit against Redistill; ARGS picks units and options, e.g.
# ARGS="unit/type/list -v" or ARGS="--server redis unit/type/incr".
.PHONY: redis-suite
redis-suite: build test-deps
	$(VENV)/bin/python tests/redis_suite/runner.py $(ARGS)
