# Thin wrapper around CMake. `make demo` and `make test` work on a fresh Debian 12 machine.
BUILD_DIR ?= build
BUILD_TYPE ?= RelWithDebInfo
JOBS ?= 2

.PHONY: deps configure build test demo bench fuzz clean

deps:
	@bash scripts/install-deps.sh

configure: deps
	@cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) >/dev/null

build: configure
	@cmake --build $(BUILD_DIR) -j$(JOBS)

test: build
	@bash scripts/fuzz.sh --smoke
	@ctest --test-dir $(BUILD_DIR) --output-on-failure --timeout 600

fuzz: deps
	@bash scripts/fuzz.sh $(FUZZ_SECONDS)

demo: build
	@bash scripts/demo.sh $(BUILD_DIR)/bin

FUZZ_SECONDS ?= 60

clean:
	rm -rf $(BUILD_DIR) build-fuzz

bench: build
	@$(BUILD_DIR)/bin/parser_benchmark --benchmark_min_time=2
