# The two commands of the README, and the rest of the developer loop.
#   make run    install dependencies, build, start the server (SQLite in ./data)
#   make test   install dependencies, build, run every test
SHELL := /bin/bash
BUILD_DIR ?= build
ASAN_DIR ?= build-asan
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?=
RUN_ARGS ?=

.PHONY: all deps configure build run test test-asan test-tsan test-faults fuzz bench format format-check clean

all: build

deps:
	@scripts/install-deps.sh

configure: deps
	cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=RelWithDebInfo $(CMAKE_FLAGS)

build: configure
	cmake --build $(BUILD_DIR) -j$(JOBS)

run: configure
	cmake --build $(BUILD_DIR) -j$(JOBS) --target tessera
	./$(BUILD_DIR)/tessera serve $(RUN_ARGS)

test: build
	ctest --test-dir $(BUILD_DIR) --output-on-failure -j$(JOBS)

# The whole suite under AddressSanitizer + UndefinedBehaviorSanitizer (clang-16: UBSan with
# coroutines needs it).
test-asan: deps
	CC=clang-16 CXX=clang++-16 cmake -S . -B $(ASAN_DIR) -DCMAKE_BUILD_TYPE=Debug \
	  -DTESSERA_SANITIZE=address,undefined -DTESSERA_BUILD_BENCH=OFF $(CMAKE_FLAGS)
	cmake --build $(ASAN_DIR) -j$(JOBS)
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  ctest --test-dir $(ASAN_DIR) --output-on-failure -j$(JOBS)

# The concurrent parts under ThreadSanitizer (clang-16): the server's key ring, client cache and
# throttle hammered by many threads, the SDK's JWKS cache and token cache, and the real server
# (built with TSan too) under concurrent load, abuse, failing storage and kill -9. A race report
# aborts the process that found it (halt_on_error), which fails its test.
TSAN_DIR ?= build-tsan
TSAN_TARGETS = tessera auth_tests http_tests concurrency_tests verify_tests integration_tests fault_tests
TSAN_TESTS = ^(KeyRingConcurrency|SecretHasherConcurrency|AcceptBurstTest|ClientCacheConcurrency|ThrottleConcurrency|JwksCache|JwksCacheRealClock|TokenCacheTest|OverloadTest|CrashLoopTest|StorageFaultsTest|AbuseTest|ConnectionCapTest|TwoLoops)\.
test-tsan: deps
	CC=clang-16 CXX=clang++-16 cmake -S . -B $(TSAN_DIR) -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DTESSERA_SANITIZE=thread -DTESSERA_BUILD_BENCH=OFF -DTESSERA_BUILD_EXAMPLES=OFF $(CMAKE_FLAGS)
	cmake --build $(TSAN_DIR) -j$(JOBS) --target $(TSAN_TARGETS)
	TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 TESSERA_CRASH_LOOP_SECONDS=20 \
	  ctest --test-dir $(TSAN_DIR) --output-on-failure -j$(JOBS) -R '$(TSAN_TESTS)'

# Only the fault-injection, load and timing tests (label faults) of the normal build.
test-faults: build
	ctest --test-dir $(BUILD_DIR) --output-on-failure -L faults

# Each libFuzzer target for FUZZ_SECONDS (ASan + UBSan), starting from its seed corpus; fails on any
# crash. Crash inputs land in tests/fuzz/artifacts/ (minimize with -minimize_crash=1 and add them to
# tests/fuzz/regressions/<target>/).
FUZZ_DIR ?= build-fuzz
FUZZ_SECONDS ?= 60
FUZZ_TARGETS = jws_split_fuzz jose_header_fuzz jwks_fuzz verify_fuzz claims_fuzz \
	authorization_fuzz form_fuzz http_request_fuzz management_json_fuzz grpc_request_fuzz
fuzz: deps
	CC=clang-16 CXX=clang++-16 cmake -S . -B $(FUZZ_DIR) -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DTESSERA_FUZZ=ON -DTESSERA_SANITIZE=address,undefined -DTESSERA_BUILD_TESTS=OFF \
	  -DTESSERA_BUILD_BENCH=OFF -DTESSERA_BUILD_EXAMPLES=OFF $(CMAKE_FLAGS)
	cmake --build $(FUZZ_DIR) -j$(JOBS) --target $(FUZZ_TARGETS)
	mkdir -p tests/fuzz/artifacts
	set -e; for t in $(FUZZ_TARGETS); do \
	  mkdir -p $(FUZZ_DIR)/corpus/$$t; \
	  echo "== $$t ($(FUZZ_SECONDS) s)"; \
	  $(FUZZ_DIR)/tests/fuzz/$$t -max_total_time=$(FUZZ_SECONDS) -max_len=20000 -timeout=10 \
	    -artifact_prefix=tests/fuzz/artifacts/$$t- -print_final_stats=1 \
	    $(FUZZ_DIR)/corpus/$$t tests/fuzz/corpus/$$t 2>&1 | tail -n 12; \
	  test $${PIPESTATUS[0]} -eq 0; \
	done

# The performance harness (issue 5): Release build in build-bench/, every scenario on loopback with
# wrk, results written to docs/benchmarks.md. Not a test: CI does not run it. See bench/run.sh for
# the knobs (DURATION, SCALE_CLIENTS, ...).
bench: deps
	bench/run.sh

format:
	git ls-files '*.cpp' '*.hpp' | xargs clang-format -i

format-check: deps
	git ls-files '*.cpp' '*.hpp' | xargs clang-format --dry-run -Werror

clean:
	rm -rf $(BUILD_DIR) $(ASAN_DIR) $(TSAN_DIR) $(FUZZ_DIR)
