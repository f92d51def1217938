#!/usr/bin/env bash
# `make test`: build and run every test, printing how long each stage took.
#   1. Release build of everything, then ctest (unit, integration, fuzz) with 2 jobs
#   2. ASan+UBSan build of the unit tests only, then ctest
set -euo pipefail
cd "$(dirname "$0")/.."

jobs=$(nproc)
stage_start=0
stage() { stage_name=$1; stage_start=$(date +%s); echo "==> $stage_name"; }
stage_done() { echo "==> $stage_name: $(( $(date +%s) - stage_start )) s"; }

stage "build (Release)"
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j "$jobs"
stage_done

stage "build (ASan+UBSan, unit tests)"
cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Sanitize -DFLOTILLA_UNIT_ONLY=ON >/dev/null
cmake --build build-asan -j "$jobs" --target flotilla_unit_tests
stage_done

stage "tests (Release: unit, integration, fuzz)"
ctest --test-dir build -j 2 --output-on-failure --timeout 900
stage_done

stage "tests (ASan+UBSan: unit)"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
  ctest --test-dir build-asan -j 2 --output-on-failure
stage_done
