# engage — one command to run (make run), one to test (make test). `make help` lists the rest.
JOBS ?= $(shell nproc)
FUZZ_SECONDS ?= 10
ARGS ?=
CMAKE ?= cmake
NODE_TEST = node --test --test-concurrency=1 --test-timeout=120000
# ccache: hash paths relative to the tree so a fresh clone (CI) reuses the cache.
export CCACHE_BASEDIR := $(CURDIR)
export CCACHE_NOHASHDIR := 1
SERVER_TARGETS = engage-server engage-chess engage-load

.PHONY: help deps deps-run build build-servers web-test asan fuzz-build web run test unit integration fuzz format \
        format-check bench clean

help:
	@echo "make run          install what is missing, build, start engage-server on 0.0.0.0:3002"
	@echo "make test         install what is missing, build (release, ASan+UBSan, fuzz) and run every test"
	@echo "make build        release build into build/ (engage-server, engage-chess, engage-load)"
	@echo "make asan         ASan+UBSan build into build-asan/"
	@echo "make unit         unit tests (GoogleTest, under ASan+UBSan)"
	@echo "make integration  integration tests (Node test runner, official socket.io-client)"
	@echo "make web-test     only the browser tests (Playwright + Debian chromium; also part of make test)"
	@echo "make fuzz         build the libFuzzer targets with clang and run each for FUZZ_SECONDS"
	@echo "make format       clang-format every C++ file in place (format-check: verify only)"
	@echo "make bench        micro-benchmarks (see BENCHMARKS.md for the scenario scripts)"
	@echo "ARGS='--port 4000' make run passes options to the server; see build/engage-server --help"

deps:
	@scripts/install-deps.sh

deps-run:
	@scripts/install-deps.sh --run-only

build:
	@$(CMAKE) -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
	@$(CMAKE) --build build -j$(JOBS)

# Only the executables (the tests run from the sanitized build).
build-servers:
	@$(CMAKE) -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
	@$(CMAKE) --build build -j$(JOBS) --target $(SERVER_TARGETS)

asan:
	@$(CMAKE) -S . -B build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DENGAGE_SANITIZE=ON -DENGAGE_BENCH=OFF >/dev/null
	@$(CMAKE) --build build-asan -j$(JOBS)

fuzz-build:
	@CC=clang CXX=clang++ $(CMAKE) -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DENGAGE_FUZZ=ON -DENGAGE_WERROR=OFF >/dev/null
	@$(CMAKE) --build build-fuzz -j$(JOBS)

web:
	@if [ -f web/build.mjs ]; then node web/build.mjs; fi

run: deps-run build web
	@./build/engage-server $(ARGS)

unit: asan
	@ctest --test-dir build-asan --output-on-failure -j$(JOBS)

integration: build web
	@ENGAGE_SERVER=$(CURDIR)/build/engage-server $(NODE_TEST) tests/integration/ tests/chess-diff/

# Only the browser tests (Playwright + Debian chromium); `make test` runs them too.
web-test: build-servers web
	@ENGAGE_SERVER=$(CURDIR)/build/engage-server $(NODE_TEST) tests/web/

fuzz: fuzz-build
	@scripts/run-fuzzers.sh build-fuzz $(FUZZ_SECONDS)

format:
	@git ls-files '*.cpp' '*.h' | xargs clang-format -i

format-check:
	@git ls-files '*.cpp' '*.h' | xargs clang-format --dry-run -Werror
	@echo "format-check: ok"

bench: build
	@for b in build/bench_*; do [ -x "$$b" ] && "$$b" --benchmark_min_time=0.2; done

# The full test run: every build, the formatting check, the fuzzers, the unit tests under
# sanitizers, and the integration tests against the real server (release and sanitized).
test: deps
	@$(MAKE) --no-print-directory build-servers asan fuzz-build web
	@$(MAKE) --no-print-directory format-check
	@scripts/run-fuzzers.sh build-fuzz $(FUZZ_SECONDS)
	@ctest --test-dir build-asan --output-on-failure -j$(JOBS)
	@ENGAGE_SERVER=$(CURDIR)/build/engage-server ENGAGE_SERVER_ASAN=$(CURDIR)/build-asan/engage-server \
	  $(NODE_TEST) tests/integration/ tests/chess-diff/ tests/web/

clean:
	rm -rf build build-asan build-fuzz web/dist
