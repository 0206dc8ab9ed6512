# Thin wrapper around CMake. `make demo` and `make test` work on a fresh Debian 12 machine.
BUILD_DIR ?= build
BUILD_TYPE ?= RelWithDebInfo
JOBS ?= 2

SANITIZE_DIR ?= build-sanitize
# ASan's quarantine would hold freed memory (256 MB by default) and hide whether RSS stays flat.
SANITIZER_ENV = ASAN_OPTIONS=detect_leaks=1:quarantine_size_mb=8:abort_on_error=0 \
                UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
                LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp:print_suppressions=0

CLANG_DIR ?= build-clang

.PHONY: deps configure build sanitize-build thread-safety tsan test demo bench fuzz clean deb image

deps:
	@bash scripts/install-deps.sh

configure: deps
	@cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) >/dev/null

build: configure
	@cmake --build $(BUILD_DIR) -j$(JOBS)

# The whole suite on the ASan + UBSan build (two tests at a time), after a short fuzz run.
sanitize-build: deps
	@cmake -S . -B $(SANITIZE_DIR) -DCMAKE_BUILD_TYPE=Sanitize >/dev/null
	@cmake --build $(SANITIZE_DIR) -j$(JOBS)

# The product built with clang, whose -Wthread-safety analysis checks the locking annotations
# (common/mutex.h): an unguarded access is a build error. Tests are g++'s; not built here.
thread-safety: deps
	@CC=clang CXX=clang++ cmake -S . -B $(CLANG_DIR) -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DTIKV_EXPORTER_BUILD_TESTS=OFF >/dev/null
	@cmake --build $(CLANG_DIR) -j$(JOBS)

# The unit tests and the threaded parts' integration tests under ThreadSanitizer (build-tsan/).
tsan: deps
	@JOBS=$(JOBS) bash scripts/tsan.sh

test: sanitize-build thread-safety
	@bash scripts/fuzz.sh --smoke
	@$(SANITIZER_ENV) ctest --test-dir $(SANITIZE_DIR) --output-on-failure --timeout 600 -j2
	@JOBS=$(JOBS) bash scripts/tsan.sh

fuzz: deps
	@bash scripts/fuzz.sh $(FUZZ_SECONDS)

demo: build
	@bash scripts/demo.sh $(BUILD_DIR)/bin

# The Debian package for hosts (README: Deploy on a host), left in $(BUILD_DIR)/.
deb: configure
	@cmake --build $(BUILD_DIR) -j$(JOBS) --target tikv-exporter
	@bash tools/deploy/build_deb.sh $(BUILD_DIR)/bin/tikv-exporter $(BUILD_DIR)

# The sidecar's image tikv-exporter:<version> from docker/Dockerfile (README: Run it in a container);
# starts Docker's daemon and makes the Debian base images first where the machine has none. Not
# after `deps`: a machine with Docker needs none of the build packages for this.
image:
	@bash tools/image/build_image.sh

FUZZ_SECONDS ?= 60
FIXTURES_DIR ?= tests/fixtures/real

clean:
	rm -rf $(BUILD_DIR) $(SANITIZE_DIR) $(CLANG_DIR) build-tsan build-fuzz

# Regenerates BENCHMARKS.md from a full run (about 5 minutes).
bench: build
	@bash scripts/install-deps.sh --bench
	@python3 tools/bench/run_benchmarks.py $(BUILD_DIR)/bin $(FIXTURES_DIR) BENCHMARKS.md
