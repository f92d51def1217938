// Client keys: address normalisation (IPv6 /64) and a seeded 64-bit hash (multiply-xorshift on
// 8-byte words, as wyhash and rapidhash do; quality enough to spread keys, no crypto claim).
#include "ratelimit/client_key.hpp"

#include <arpa/inet.h>

#include <array>
#include <chrono>
#include <cstring>
#include <random>

namespace flotilla::ratelimit {
namespace {

constexpr std::uint64_t kMul1 = 0x9e3779b97f4a7c15ULL;
constexpr std::uint64_t kMul2 = 0xbf58476d1ce4e5b9ULL;
constexpr std::uint64_t kMul3 = 0x94d049bb133111ebULL;

std::uint64_t mix(std::uint64_t x) noexcept {
  x ^= x >> 30;
  x *= kMul2;
  x ^= x >> 27;
  x *= kMul3;
  x ^= x >> 31;
  return x;
}

std::uint64_t process_seed() {
  std::random_device device;
  const std::uint64_t seed = (std::uint64_t{device()} << 32) ^ device();
  return mix(seed ^ static_cast<std::uint64_t>(
                        std::chrono::steady_clock::now().time_since_epoch().count()));
}

}  // namespace

void append_client_address(std::string& key, std::string_view ip) {
  std::array<char, 64> text{};
  if (ip.size() >= text.size()) {
    append_text(key, ip);
    return;
  }
  std::memcpy(text.data(), ip.data(), ip.size());
  unsigned char bytes[16];
  if (inet_pton(AF_INET, text.data(), bytes) == 1) {
    key.push_back('4');
    key.append(reinterpret_cast<const char*>(bytes), 4);
    return;
  }
  if (inet_pton(AF_INET6, text.data(), bytes) == 1) {
    static constexpr unsigned char kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (std::memcmp(bytes, kMapped, sizeof kMapped) == 0) {
      key.push_back('4');
      key.append(reinterpret_cast<const char*>(bytes + 12), 4);
    } else {
      key.push_back('6');
      key.append(reinterpret_cast<const char*>(bytes), 8);
    }
    return;
  }
  append_text(key, ip);
}

void append_text(std::string& key, std::string_view text) {
  key.push_back('t');
  const auto length = static_cast<std::uint32_t>(text.size());
  key.append(reinterpret_cast<const char*>(&length), sizeof length);
  key.append(text);
}

std::uint64_t hash_key(std::string_view key, std::uint64_t seed) noexcept {
  std::uint64_t h = seed ^ (key.size() * kMul1);
  std::size_t i = 0;
  for (; i + 8 <= key.size(); i += 8) {
    std::uint64_t word;
    std::memcpy(&word, key.data() + i, 8);
    h = mix(h ^ word) * kMul1;
  }
  std::uint64_t tail = 0;
  std::memcpy(&tail, key.data() + i, key.size() - i);
  return mix(h ^ tail ^ (std::uint64_t{key.size() - i} << 56));
}

std::uint64_t hash_key(std::string_view key) noexcept {
  static const std::uint64_t seed = process_seed();
  return hash_key(key, seed);
}

}  // namespace flotilla::ratelimit
