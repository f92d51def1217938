# The two commands a newcomer needs: `make run` and `make test`. Everything else is a helper.
BUILD      ?= build
ASAN_BUILD ?= build-asan
JOBS       ?= $(shell nproc)
CONFIG     ?=

.PHONY: all deps build run test fuzz bench format clean

all: build

deps:
	@bash scripts/install-deps.sh

build: deps
	@cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)

# Installs deps, builds, starts the embedded demo (or `make run CONFIG=path/to/flotilla.yaml`).
run: build
	./$(BUILD)/flotilla up $(if $(CONFIG),-c $(CONFIG),)

# Installs deps, builds, runs every test: unit + integration + fuzz (Release) and unit (ASan+UBSan).
test: deps
	@bash scripts/test.sh

# A long fuzzing session (default 10 minutes): make fuzz FUZZ_SECONDS=3600
FUZZ_SECONDS ?= 600
fuzz: deps
	bash fuzz/run.sh $(FUZZ_SECONDS)

bench: build
	./$(BUILD)/bench/flotilla_bench_http

format:
	find src tests bench fuzz -name '*.cpp' -o -name '*.hpp' | xargs clang-format -i

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) build-fuzz
