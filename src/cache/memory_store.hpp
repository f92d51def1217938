// The memory store: cached responses under their cache key, each key holding up to kMaxVariants
// responses told apart by Vary, within a byte bound kept by W-TinyLFU. One store per worker
// thread (docs/architecture.md: no lock on the hot path); entries are immutable once inserted and
// handed out as shared_ptr, so a response being sent survives its eviction.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "cache/fields.hpp"
#include "cache/freshness.hpp"
#include "cache/vary.hpp"
#include "cache/w_tinylfu.hpp"

namespace flotilla::cache {

// A stored response: the head as it will be replayed (hop-by-hop fields and those named in
// Connection already removed), the whole body, and what freshness needs.
struct StoredResponse {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  ResponseFacts facts;
  std::int64_t request_time = 0;   // when the request that fetched it went out
  std::int64_t response_time = 0;  // when its head arrived
  VarySelection vary;
  // Bytes counted against the store's bound (body, fields and a fixed overhead).
  std::uint64_t weight() const noexcept;
  // The head as Fields, e.g. to recompute facts after a 304 merge.
  std::vector<Field> fields() const;
};

struct StoreStats {
  std::uint64_t bytes = 0;
  std::uint64_t objects = 0;  // stored responses (variants), not keys
  std::uint64_t evictions = 0;
  std::uint64_t rejections = 0;  // inserts the admission policy refused
};

class MemoryStore {
 public:
  static constexpr std::size_t kMaxVariants = 8;

  explicit MemoryStore(std::uint64_t capacity_bytes);

  // The variant of `key` that `request_fields` select (Vary), or nullptr. Every call counts
  // towards the key's popularity.
  std::shared_ptr<const StoredResponse> find(std::string_view key, Fields request_fields);
  // Stores `response` under `key`, replacing the variant with the same Vary selection (the
  // oldest when a key has kMaxVariants). False when it was not admitted (or too large).
  bool insert(std::string_view key, std::shared_ptr<const StoredResponse> response);
  // Drops every variant of `key`; false when there was none.
  bool erase(std::string_view key);
  // Drops every key starting with `prefix`; returns how many keys went.
  std::size_t erase_prefix(std::string_view prefix);

  const StoreStats& stats() const noexcept { return stats_; }
  std::uint64_t capacity() const noexcept { return policy_.capacity(); }

 private:
  struct Bucket {
    std::string key;
    std::vector<std::shared_ptr<const StoredResponse>> variants;
    std::uint64_t weight = 0;
  };
  void drop(std::uint64_t hash);

  WTinyLfu policy_;
  std::unordered_map<std::uint64_t, Bucket> buckets_;
  StoreStats stats_;
};

}  // namespace flotilla::cache
