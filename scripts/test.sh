#!/usr/bin/env bash
# `make test`: build and run every test, printing how long each stage took.
#   1. Release build of everything (unity build: several .cpp per compiler run)
#   2. ctest of the Release build (unit, integration, fuzz) with 2 jobs, while the ASan+UBSan build
#      of the unit tests compiles at a lower CPU priority in the time those tests spend waiting
#   3. ctest of the ASan+UBSan unit tests
set -euo pipefail
cd "$(dirname "$0")/.."

jobs=$(nproc)
stage_start=0
stage() { stage_name=$1; stage_start=$(date +%s); echo "==> $stage_name"; }
# CPU seconds (user + system) of every finished child process of this shell so far: cutime and
# cstime of /proc/<pid>/stat, read without a subshell (a subshell would only see its own children).
clock_ticks=$(getconf CLK_TCK)
read_cpu() {
  local -a stat
  read -r -a stat </proc/$BASHPID/stat
  cpu_now=$(( (stat[15] + stat[16]) / clock_ticks ))
}
stage_cpu=0
stage() { stage_name=$1; stage_start=$(date +%s); read_cpu; stage_cpu=$cpu_now; echo "==> $stage_name"; }
stage_done() {
  read_cpu
  echo "==> $stage_name: $(( $(date +%s) - stage_start )) s (CPU $(( cpu_now - stage_cpu )) s)"
}

stage "build (Release)"
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DFLOTILLA_UNITY_BUILD=ON >/dev/null
cmake --build build -j "$jobs"
stage_done

# The integration tests mostly wait (sleeps, timeouts, probes): the sanitizer build runs beside
# them under `nice`, so it takes the idle CPU and a test that needs a core still gets it first.
# Its output goes to a log, printed when the Release tests are done.
mkdir -p build-asan
asan_log=build-asan/make-test-build.log
echo "==> build (ASan+UBSan, unit tests): started in the background (log: $asan_log)"
asan_build_start=$(date +%s)
(
  cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Sanitize -DFLOTILLA_UNIT_ONLY=ON \
    -DFLOTILLA_UNITY_BUILD=ON >/dev/null
  nice -n 10 cmake --build build-asan -j "$jobs" --target flotilla_unit_tests
  read_cpu
  echo "==> build (ASan+UBSan, unit tests): $(( $(date +%s) - asan_build_start )) s (CPU $cpu_now s)"
) >"$asan_log" 2>&1 &
asan_build_pid=$!

stage "tests (Release: unit, integration, fuzz)"
release_status=0
ctest --test-dir build -j 2 --output-on-failure --timeout 900 || release_status=$?
stage_done

stage "waiting for the ASan+UBSan build"
asan_build_status=0
wait "$asan_build_pid" || asan_build_status=$?
cat "$asan_log"
stage_done
if ((release_status != 0)); then
  echo "==> tests (Release) failed" >&2
  exit "$release_status"
fi
if ((asan_build_status != 0)); then
  echo "==> build (ASan+UBSan) failed" >&2
  exit "$asan_build_status"
fi

stage "tests (ASan+UBSan: unit)"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
  ctest --test-dir build-asan -j 2 --output-on-failure
stage_done
