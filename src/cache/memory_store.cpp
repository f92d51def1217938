// The memory store (memory_store.hpp): buckets by the key's 64-bit hash (a colliding key replaces
// the other), weights and evictions decided by WTinyLfu. Never copies a stored body.
#include "cache/memory_store.hpp"

#include <functional>

namespace flotilla::cache {
namespace {

constexpr std::uint64_t kEntryOverhead = 256;  // node, map slot, shared_ptr control block

std::uint64_t hash_of(std::string_view key) noexcept {
  return std::hash<std::string_view>{}(key);
}

}  // namespace

std::uint64_t StoredResponse::weight() const noexcept {
  std::uint64_t out = kEntryOverhead + body.size();
  for (const auto& [name, value] : headers) out += name.size() + value.size() + 64;
  for (const auto& [name, value] : vary.fields) out += name.size() + value.size() + 64;
  return out;
}

std::vector<Field> StoredResponse::fields() const {
  std::vector<Field> out;
  out.reserve(headers.size());
  for (const auto& [name, value] : headers) out.push_back({name, value});
  return out;
}

MemoryStore::MemoryStore(std::uint64_t capacity_bytes)
    : policy_(capacity_bytes, std::max<std::uint64_t>(1024, capacity_bytes / 8192)) {}

std::shared_ptr<const StoredResponse> MemoryStore::find(std::string_view key,
                                                        Fields request_fields) {
  const std::uint64_t hash = hash_of(key);
  policy_.record_access(hash);
  const auto it = buckets_.find(hash);
  if (it == buckets_.end() || it->second.key != key) return nullptr;
  for (const auto& variant : it->second.variants) {
    if (vary_matches(variant->vary, request_fields)) {
      policy_.on_hit(hash);
      return variant;
    }
  }
  return nullptr;
}

bool MemoryStore::insert(std::string_view key, std::shared_ptr<const StoredResponse> response) {
  if (!response || response->vary.star) return false;
  const std::uint64_t hash = hash_of(key);
  Bucket next;
  if (auto it = buckets_.find(hash); it != buckets_.end() && it->second.key == key) {
    next.variants = it->second.variants;
  }
  next.key = std::string(key);
  std::erase_if(next.variants, [&](const auto& v) { return v->vary == response->vary; });
  if (next.variants.size() >= kMaxVariants) next.variants.erase(next.variants.begin());
  next.variants.push_back(std::move(response));
  next.weight = kEntryOverhead + next.key.size();
  for (const auto& v : next.variants) next.weight += v->weight();
  drop(hash);
  std::vector<std::uint64_t> evicted;
  policy_.insert(hash, next.weight, evicted);
  bool admitted = true;
  for (std::uint64_t gone : evicted) {
    if (gone == hash) {
      admitted = false;
      continue;
    }
    drop(gone);
    ++stats_.evictions;
  }
  if (!admitted) {
    ++stats_.rejections;
    return false;
  }
  stats_.bytes += next.weight;
  stats_.objects += next.variants.size();
  buckets_.emplace(hash, std::move(next));
  return true;
}

void MemoryStore::drop(std::uint64_t hash) {
  const auto it = buckets_.find(hash);
  if (it == buckets_.end()) return;
  stats_.bytes -= it->second.weight;
  stats_.objects -= it->second.variants.size();
  buckets_.erase(it);
  policy_.erase(hash);
}

bool MemoryStore::erase(std::string_view key) {
  const std::uint64_t hash = hash_of(key);
  const auto it = buckets_.find(hash);
  if (it == buckets_.end() || it->second.key != key) return false;
  drop(hash);
  return true;
}

std::size_t MemoryStore::erase_prefix(std::string_view prefix) {
  std::vector<std::uint64_t> doomed;
  for (const auto& [hash, bucket] : buckets_) {
    if (std::string_view(bucket.key).starts_with(prefix)) doomed.push_back(hash);
  }
  for (std::uint64_t hash : doomed) drop(hash);
  return doomed.size();
}

}  // namespace flotilla::cache
