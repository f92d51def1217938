#!/usr/bin/env bash
# ctest entry for the differential HTTP/1.1 framing fuzzer (flotilla vs llhttp): fuzz/run.sh,
# FUZZ_SECONDS long (default 60). Builds with clang in <repo>/build-fuzz, outside the main build.
set -euo pipefail

source_dir="${SOURCE_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)}"
# A fixed seed on the seed corpus makes the CI run reproducible (a finding fails every run, not one
# in N); `make fuzz` explores with a random seed (FUZZ_SEED=0) and keeps its corpus.
export FUZZ_SEED="${FUZZ_SEED:-1}"
exec bash "$source_dir/fuzz/run.sh" "${FUZZ_SECONDS:-60}"
