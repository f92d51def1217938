// ngx_http_upstream_get_ip_hash_peer: hash the address bytes, walk the configured weights of all
// members; when that member is not eligible rehash, and after 20 rehashes fall back to round
// robin over the candidates. Hashing over all members (not just the eligible) keeps every other
// client where it was while one endpoint is down.
#include "upstream/balancers/ip_hash.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <cstring>

#include "upstream/balancers/weighted_walk.hpp"

namespace flotilla::upstream {

namespace {

constexpr std::uint32_t kInitialHash = 89;
constexpr std::uint32_t kMaxTries = 20;

struct AddressBytes {
  std::array<unsigned char, 16> bytes{};
  std::size_t length = 3;  // nginx's pseudo address: three zero bytes
};

// IPv4: its first three octets; IPv6: all sixteen bytes (IPv4-mapped ones count as IPv4).
AddressBytes address_bytes(std::string_view text) {
  AddressBytes out;
  std::array<char, 64> buffer{};
  if (text.size() >= buffer.size()) return out;
  std::copy(text.begin(), text.end(), buffer.begin());
  in_addr v4{};
  in6_addr v6{};
  if (inet_pton(AF_INET, buffer.data(), &v4) == 1) {
    std::memcpy(out.bytes.data(), &v4, 3);
  } else if (inet_pton(AF_INET6, buffer.data(), &v6) == 1) {
    static constexpr unsigned char kMappedPrefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (std::memcmp(v6.s6_addr, kMappedPrefix, sizeof kMappedPrefix) == 0) {
      std::memcpy(out.bytes.data(), v6.s6_addr + 12, 3);
    } else {
      std::memcpy(out.bytes.data(), v6.s6_addr, 16);
      out.length = 16;
    }
  }
  return out;
}

std::uint64_t weight_of(std::uint32_t weight) {
  return weight;
}

}  // namespace

void IpHash::set_members(std::span<const BalancerMember> members) {
  weights_.clear();
  for (const BalancerMember& m : members) weights_.push_back(std::max(m.weight, 1U));
  total_weight_ = total_weight(std::span<const std::uint32_t>(weights_), weight_of);
  slots_.resize(members.size());
  fallback_.resize(members.size());
}

std::optional<std::size_t> IpHash::pick(const PickRequest& request,
                                        std::span<const Candidate> candidates) {
  if (candidates.empty()) return std::nullopt;
  if (total_weight_ == 0 || weights_.size() == 1) return fallback_.pick(candidates);
  slots_.fill(candidates);
  const AddressBytes address = address_bytes(request.hash_key);
  std::uint32_t hash = kInitialHash;
  for (std::uint32_t tries = 0; tries <= kMaxTries; ++tries) {
    for (std::size_t i = 0; i < address.length; ++i) hash = (hash * 113 + address.bytes[i]) % 6271;
    const std::size_t member =
        item_at_weight(std::span<const std::uint32_t>(weights_), hash % total_weight_, weight_of);
    if (const auto slot = slots_.candidate_of(member)) return slot;
  }
  return fallback_.pick(candidates);
}

}  // namespace flotilla::upstream
