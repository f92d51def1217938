#!/usr/bin/env bash
# Builds the differential HTTP/1.1 framing fuzzer (flotilla vs llhttp) with clang + libFuzzer,
# runs it for SECONDS (default 60) on a copy of fuzz/corpus, then proves the harness catches a
# planted Content-Length + Transfer-Encoding bug. Exits non-zero on any failure.
#
#   fuzz/run.sh [SECONDS]
#
# Environment: FUZZ_BUILD_DIR (default <repo>/build-fuzz), FUZZ_MAX_LEN (4096), FUZZ_SEED (0:
# random), FUZZ_RUNS (stop after that many inputs instead of after SECONDS, which then only caps
# the run: with a fixed seed and a fresh corpus the run is the same on every machine, however
# fast), FUZZ_FRESH_CORPUS=1 (start from fuzz/corpus alone instead of the corpus earlier local
# runs grew), FLOTILLA_FUZZ_SKIP_FINDINGS=1 to fuzz past the known codec bugs (known_findings.cpp).
set -euo pipefail

seconds="${1:-60}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${FUZZ_BUILD_DIR:-$root/build-fuzz}"
max_len="${FUZZ_MAX_LEN:-4096}"

fail() {
  echo "fuzz: FAILED: $*" >&2
  exit 1
}

runs_limit="${FUZZ_RUNS:--1}"
[[ "$seconds" =~ ^[0-9]+$ ]] || fail "SECONDS must be a whole number, got '$seconds'"
[[ "$runs_limit" =~ ^(-1|[0-9]+)$ ]] || fail "FUZZ_RUNS must be a whole number, got '$runs_limit'"
for tool in clang-14 clang++-14 cmake ninja; do
  command -v "$tool" >/dev/null || fail "$tool not found (apt-get install clang-14 cmake ninja-build)"
done
[[ -f /usr/share/llhttp/llhttp.c ]] || fail "llhttp sources not found (apt-get install node-llhttp)"

# ---- build both variants -------------------------------------------------------------------
echo "fuzz: building into $build"
mkdir -p "$build"
cmake -S "$root/fuzz" -B "$build" -G Ninja \
  -DCMAKE_C_COMPILER=clang-14 -DCMAKE_CXX_COMPILER=clang++-14 >"$build/cmake.log" 2>&1 ||
  { cat "$build/cmake.log" >&2; fail "cmake configure"; }
cmake --build "$build" -j2 || fail "build"

# ---- the real fuzzer -------------------------------------------------------------------------
# The working corpus lives in the build dir and grows across local runs; seeds are re-added.
corpus="$build/corpus-run"
artifacts="$build/artifacts"
[[ "${FUZZ_FRESH_CORPUS:-0}" == 1 ]] && rm -rf "$corpus"
mkdir -p "$corpus" "$artifacts"
cp -n "$root"/fuzz/corpus/* "$corpus"/
log="$build/fuzz.log"
if [[ "$runs_limit" == -1 ]]; then
  echo "fuzz: fuzzing for ${seconds}s (corpus $corpus, log $log)"
else
  echo "fuzz: fuzzing $runs_limit inputs, seed ${FUZZ_SEED:-0}, at most ${seconds}s (corpus $corpus, log $log)"
fi
# libFuzzer files comparison operands under a hash of the code address, so with ASLR the same
# seed mutates differently from run to run: fixed runs go without it where the kernel lets us.
no_aslr=()
if [[ "$runs_limit" != -1 ]]; then
  if setarch "$(uname -m)" -R true 2>/dev/null; then
    no_aslr=(setarch "$(uname -m)" -R)
  else
    echo "fuzz: cannot turn off ASLR here (setarch -R): the run will not repeat exactly" >&2
  fi
fi
status=0
FLOTILLA_FUZZ_STATS=1 "${no_aslr[@]}" "$build/http_framing_fuzz" "$corpus" -dict="$root/fuzz/http.dict" \
  -max_total_time="$seconds" -runs="$runs_limit" -max_len="$max_len" -timeout=10 -rss_limit_mb=2048 \
  -workers=1 -reload=0 -print_final_stats=1 -seed="${FUZZ_SEED:-0}" -artifact_prefix="$artifacts/" \
  >"$log" 2>&1 || status=$?

runs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)"
last="$(grep -E '^#[0-9]+' "$log" | tail -1 || true)"
cov="$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")"
ft="$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")"
units="$(sed -n 's/.* corp: \([0-9]*\/[0-9]*[a-zA-Z]*\).*/\1/p' <<<"$last")"
sed -n '/^fuzz stats:/,/^$/p' "$log" | grep -E '^(fuzz stats|  )' || true

if [[ $status -ne 0 ]]; then
  sed -n '/^=== /,/^=== end of report/p' "$log" >&2
  grep -E '^(SUMMARY|artifact_prefix|Test unit written)' "$log" >&2 || true
  grep -E '^==[0-9]+==ERROR' "$log" >&2 || true
  fail "the fuzzer found a difference or a crash after ${runs:-?} runs (exit $status); see $log"
fi
[[ -n "$runs" ]] || fail "no run count in $log"
if [[ "$runs_limit" != -1 && "$runs" -lt "$runs_limit" ]]; then
  fail "only $runs of $runs_limit inputs ran in ${seconds}s: the run was cut short by time, so it is not the same run as on other machines"
fi

# ---- the planted bug must be caught ------------------------------------------------------------
# http_framing_fuzz_planted lets Transfer-Encoding win over Content-Length; on the CL+TE seeds (a
# request stream and a response stream) the harness must abort with the framing difference
# against llhttp, which rejects CL+TE.
for seed in smuggle_cl_te.txt resp_cl_te.txt; do
  planted_log="$build/planted-${seed%.txt}.log"
  if "$build/http_framing_fuzz_planted" "$root/fuzz/corpus/$seed" >"$planted_log" 2>&1; then
    fail "the planted CL+TE bug was NOT caught on $seed (the harness accepted it); see $planted_log"
  fi
  grep -q "UNEXPECTED FRAMING DIFFERENCE" "$planted_log" &&
    grep -q "Content-Length can't be present with Transfer-Encoding" "$planted_log" ||
    fail "the planted variant failed on $seed, but not with the CL+TE difference; see $planted_log"
done

echo "fuzz: ${runs} runs in at most ${seconds} s, 0 differences (cov ${cov:-?}, ft ${ft:-?}, corpus ${units:-?}); planted CL+TE bug caught"
