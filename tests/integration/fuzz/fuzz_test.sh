#!/usr/bin/env bash
# ctest entry for the differential HTTP/1.1 framing fuzzer (flotilla vs llhttp): fuzz/run.sh on
# FUZZ_RUNS inputs (about a minute here), at most FUZZ_SECONDS. Builds with clang in
# <repo>/build-fuzz, outside the main build.
set -euo pipefail

source_dir="${SOURCE_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)}"
# A fixed seed, a fixed number of inputs and the seed corpus alone make the CI run the same run on
# every machine (a finding fails every run, not one in N; a time limit would make a slower machine
# stop earlier and a faster one reach inputs nobody ran before). `make fuzz` explores: a random
# seed, for a time, on the corpus it keeps growing.
export FUZZ_SEED="${FUZZ_SEED:-1}" FUZZ_RUNS="${FUZZ_RUNS:-500000}" FUZZ_FRESH_CORPUS=1
exec bash "$source_dir/fuzz/run.sh" "${FUZZ_SECONDS:-600}"
