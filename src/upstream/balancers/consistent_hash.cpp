// The ketama ring: points derive from each endpoint's key (not its position), so a snapshot that
// adds or removes one endpoint leaves every other point where it was. A key whose endpoint is not
// eligible walks clockwise to the next eligible endpoint: deterministic, and again only that
// endpoint's keys move.
#include "upstream/balancers/consistent_hash.hpp"

#include <algorithm>

namespace flotilla::upstream {

namespace {

// MurmurHash3's 64-bit finalizer: a bijection with full avalanche.
std::uint64_t mix64(std::uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ULL;
  return x ^ (x >> 33);
}

// FNV-1a, then mixed: FNV alone clusters similar short strings such as IP addresses.
std::uint64_t hash_text(std::string_view text) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (const char c : text) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ULL;
  }
  return mix64(h);
}

}  // namespace

void ConsistentHash::set_members(std::span<const BalancerMember> members) {
  ring_.clear();
  for (std::uint32_t m = 0; m < members.size(); ++m) {
    const std::uint64_t base = hash_text(members[m].key);
    const std::uint32_t points =
        kPointsPerWeight * std::clamp(members[m].weight, 1U, kMaxRingWeight);
    for (std::uint32_t v = 1; v <= points; ++v) {
      ring_.push_back({mix64(base + v * 0x9e3779b97f4a7c15ULL), m});
    }
  }
  std::sort(ring_.begin(), ring_.end(), [](const RingPoint& a, const RingPoint& b) {
    return a.point != b.point ? a.point < b.point : a.member < b.member;
  });
  slots_.resize(members.size());
  fallback_.resize(members.size());
}

std::optional<std::size_t> ConsistentHash::pick(const PickRequest& request,
                                                std::span<const Candidate> candidates) {
  if (candidates.empty()) return std::nullopt;
  if (request.hash_key.empty() || ring_.empty()) return fallback_.pick(candidates);
  slots_.fill(candidates);
  const std::uint64_t h = hash_text(request.hash_key);
  const auto start =
      std::lower_bound(ring_.begin(), ring_.end(), h,
                       [](const RingPoint& p, std::uint64_t v) { return p.point < v; }) -
      ring_.begin();
  for (std::size_t step = 0; step < ring_.size(); ++step) {
    const RingPoint& p = ring_[(static_cast<std::size_t>(start) + step) % ring_.size()];
    if (const auto slot = slots_.candidate_of(p.member)) return slot;
  }
  return fallback_.pick(candidates);
}

}  // namespace flotilla::upstream
