// Every active key's GCRA state for one limit, shared by all worker threads without a lock: a
// fixed-size open-addressed table of 64-bit atomic words, each a key's fingerprint and its TAT,
// updated by compare-and-swap. Never allocates after construction, never blocks.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>

#include "ratelimit/gcra.hpp"

namespace flotilla::ratelimit {

// Why one shared table and not a table per worker: a client's requests land on any worker (one
// connection per worker at least), so per-worker budgets would multiply its limit by the worker
// count. Why CAS on one word and not key-hashed ownership (posting each request to the worker
// that owns its key): a post costs a cross-thread wake-up per request, a CAS costs ~20 ns.
//
// A slot is [16-bit fingerprint | 48-bit TAT in µs]; 0 is empty. The slot's index and the
// fingerprint come from different bits of the key's 64-bit hash. Since a TAT at or before now is
// a full budget (a fresh key), any slot whose TAT has passed is free: idle keys evict themselves
// with no sweeper. When all `kProbe` slots of a key's neighbourhood hold active keys, the one
// nearest to a full budget (the smallest TAT) is taken over and counted in evictions().
// Known approximations: two active keys in one probe window with the same 16-bit fingerprint
// share a budget (about kProbe / 65536 per lookup when the table is full); a new key's first
// requests racing on two workers may claim two slots (one request admitted too many, once).
class KeyTable {
 public:
  static constexpr std::size_t kProbe = 8;
  static constexpr int kFingerprintShift = 48;
  static constexpr std::uint64_t kTatMask = (std::uint64_t{1} << kFingerprintShift) - 1;

  // `slots` is rounded up to a power of two (at least kProbe).
  explicit KeyTable(std::size_t slots);

  // One request of the key hashed to `hash` at `now` (µs, below 2^48): the decision, with the
  // key's TAT moved on when admitted.
  Decision acquire(std::uint64_t hash, Micros now, const GcraParams& params) noexcept;

  std::size_t size() const noexcept { return mask_ + 1; }
  // Keys whose budget is not whole at `now` (a scan, for tests and diagnostics).
  std::size_t active(Micros now) const noexcept;
  std::uint64_t evictions() const noexcept { return evictions_.load(std::memory_order_relaxed); }

 private:
  std::unique_ptr<std::atomic<std::uint64_t>[]> slots_;
  std::size_t mask_ = 0;
  std::atomic<std::uint64_t> evictions_{0};
};

}  // namespace flotilla::ratelimit
