# Thin wrapper: the two README commands. CMake does the real work.
BUILD ?= build
ASAN_BUILD ?= build-asan
CLANG_BUILD ?= build-clang
FUZZ_BUILD ?= build-fuzz
PGO_BUILD ?= build-pgo
# Seconds each fuzz target runs in `make fuzz`; two run at a time.
FUZZ_TIME ?= 60
FUZZ_JOBS ?= 2
JOBS ?= $(shell nproc)

.PHONY: run test build deps deps-run asan clang clean bench fuzz pgo bench-pgo

# What `make run` needs, and what `make test` needs on top (scripts/deps.sh).
deps-run:
	@bash scripts/deps.sh run

deps:
	@bash scripts/deps.sh test

build: deps-run
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release
	cmake --build $(BUILD) -j $(JOBS)

run: build
	./$(BUILD)/reclaimsim run -o out/default

test: deps
	$(MAKE) build
	ctest --test-dir $(BUILD) --output-on-failure --no-tests=error -j $(JOBS)
	$(MAKE) asan
	$(MAKE) clang

asan: deps
	cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DRECLAIMSIM_SANITIZE=ON
	cmake --build $(ASAN_BUILD) -j $(JOBS)
	ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  ctest --test-dir $(ASAN_BUILD) --output-on-failure --no-tests=error -j $(JOBS)

# The code must build with clang too (warnings are errors there as well);
# the unit tests run on that build, the scenario-level ones ran above.
clang: deps
	cmake -S . -B $(CLANG_BUILD) -DCMAKE_BUILD_TYPE=Release -DCMAKE_C_COMPILER=clang
	cmake --build $(CLANG_BUILD) -j $(JOBS)
	ctest --test-dir $(CLANG_BUILD) --output-on-failure --no-tests=error -j $(JOBS) \
	  -E '^(scenarios|validation|plots|valgrind)-'

# The libFuzzer targets of tests/fuzz (clang, ASan+UBSan), FUZZ_TIME seconds
# each, FUZZ_JOBS at a time; any crash, leak, UB, timeout or OOM fails
# (docs/testing.md). FUZZ_TARGETS="scenario units" runs only those.
fuzz: deps
	cmake -S . -B $(FUZZ_BUILD) -DCMAKE_BUILD_TYPE=Debug -DCMAKE_C_COMPILER=clang -DRECLAIMSIM_FUZZ=ON
	cmake --build $(FUZZ_BUILD) -j $(JOBS) --target fuzz-targets
	bash tests/fuzz/run.sh $(FUZZ_BUILD) $(FUZZ_TIME) $(FUZZ_JOBS) $(FUZZ_TARGETS)

bench: build
	bash bench/run.sh $(BUILD)

# A profile-guided build in $(PGO_BUILD) (gcc; docs/benchmarks.md), checked
# against the plain one: the same outputs, byte for byte.
pgo: build
	bash scripts/pgo.sh $(PGO_BUILD) $(BUILD)

bench-pgo: pgo
	bash bench/run.sh $(PGO_BUILD)

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(CLANG_BUILD) $(FUZZ_BUILD) $(PGO_BUILD)
