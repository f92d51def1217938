// The bytes a limit counts a request under, and their hash. Builds keys from values the caller
// extracted (the client address, a header's, a cookie's); never looks at a request itself.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace flotilla::ratelimit {

// Appends the client address as a key part: an IPv4 address as its 4 bytes, an IPv6 address as
// its /64 (one subscriber's usual allocation, so a client cannot multiply its budget by walking
// its own prefix), an IPv4-mapped IPv6 address as the IPv4 one; anything else as written.
void append_client_address(std::string& key, std::string_view ip);

// Appends a key part that is text (a header or cookie value), length-prefixed so that parts of a
// combined key cannot run into each other.
void append_text(std::string& key, std::string_view text);

// A 64-bit hash of `key` seeded per process (so the table's neighbourhoods cannot be aimed at
// from outside).
std::uint64_t hash_key(std::string_view key) noexcept;
std::uint64_t hash_key(std::string_view key, std::uint64_t seed) noexcept;

}  // namespace flotilla::ratelimit
