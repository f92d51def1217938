// The lock-free key table: find the key's slot in its probe window (or take a free, expired or
// the least-used one), run GCRA on the slot's TAT and publish it with one CAS; a lost race
// re-reads and runs again, so concurrent requests of one key are counted exactly.
#include "ratelimit/key_table.hpp"

#include <algorithm>
#include <bit>
#include <limits>

namespace flotilla::ratelimit {
namespace {

std::uint64_t fingerprint_of(std::uint64_t word) noexcept {
  return word >> KeyTable::kFingerprintShift;
}
Micros tat_of(std::uint64_t word) noexcept {
  return static_cast<Micros>(word & KeyTable::kTatMask);
}
std::uint64_t pack(std::uint64_t fingerprint, Micros tat) noexcept {
  return (fingerprint << KeyTable::kFingerprintShift) |
         (static_cast<std::uint64_t>(tat) & KeyTable::kTatMask);
}

}  // namespace

KeyTable::KeyTable(std::size_t slots) {
  const std::size_t size = std::bit_ceil(std::max(slots, kProbe));
  slots_ = std::make_unique<std::atomic<std::uint64_t>[]>(size);
  for (std::size_t i = 0; i < size; ++i) slots_[i].store(0, std::memory_order_relaxed);
  mask_ = size - 1;
}

Decision KeyTable::acquire(std::uint64_t hash, Micros now, const GcraParams& params) noexcept {
  std::uint64_t fingerprint = hash >> kFingerprintShift;
  if (fingerprint == 0) fingerprint = 1;  // 0 marks an empty slot
  const std::size_t home = static_cast<std::size_t>(hash) & mask_;
  // Bounded: each retry means another thread's CAS on this window succeeded (lock-free
  // progress); after that many the request is admitted unrecorded rather than spin.
  constexpr int kMaxRounds = 64;
  for (int round = 0; round < kMaxRounds; ++round) {
    std::size_t chosen = kProbe;
    std::size_t free = kProbe;
    std::size_t oldest = 0;
    Micros oldest_tat = std::numeric_limits<Micros>::max();
    std::uint64_t words[kProbe];
    for (std::size_t k = 0; k < kProbe; ++k) {
      const std::uint64_t word = slots_[(home + k) & mask_].load(std::memory_order_acquire);
      words[k] = word;
      if (word != 0 && fingerprint_of(word) == fingerprint) {
        chosen = k;
        break;
      }
      if (free == kProbe && (word == 0 || tat_of(word) <= now)) free = k;
      if (tat_of(word) < oldest_tat) {
        oldest_tat = tat_of(word);
        oldest = k;
      }
    }
    const bool found = chosen != kProbe;
    const bool evict = !found && free == kProbe;
    if (!found) chosen = evict ? oldest : free;
    std::atomic<std::uint64_t>& slot = slots_[(home + chosen) & mask_];
    std::uint64_t expected = words[chosen];
    // On the key's own slot, a lost CAS only means another request of the same key went first:
    // step again from the word it left, without searching again.
    for (;;) {
      const Step step = gcra_step(found ? tat_of(expected) : 0, now, params);
      if (!step.decision.allowed) return step.decision;
      if (slot.compare_exchange_weak(expected, pack(fingerprint, step.tat),
                                     std::memory_order_acq_rel, std::memory_order_acquire)) {
        if (evict) evictions_.fetch_add(1, std::memory_order_relaxed);
        return step.decision;
      }
      if (!found || expected == 0 || fingerprint_of(expected) != fingerprint) break;
    }
  }
  Decision open;
  open.allowed = true;
  return open;
}

std::size_t KeyTable::active(Micros now) const noexcept {
  std::size_t count = 0;
  for (std::size_t i = 0; i <= mask_; ++i) {
    const std::uint64_t word = slots_[i].load(std::memory_order_relaxed);
    if (word != 0 && tat_of(word) > now) ++count;
  }
  return count;
}

}  // namespace flotilla::ratelimit
