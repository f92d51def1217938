#include "cache/memory_store.hpp"

#include <gtest/gtest.h>

#include "field_rows.hpp"

namespace flotilla::cache {
namespace {

using testing::FieldRows;

std::shared_ptr<StoredResponse> response(std::string body, VarySelection vary = {}) {
  auto r = std::make_shared<StoredResponse>();
  r->headers = {{"Content-Type", "text/plain"}};
  r->body = std::move(body);
  r->vary = std::move(vary);
  return r;
}

TEST(MemoryStore, InsertFindErase) {
  MemoryStore store(1 << 20);
  const FieldRows request{};
  EXPECT_EQ(store.find("k", request), nullptr);
  ASSERT_TRUE(store.insert("k", response("hello")));
  const auto hit = store.find("k", request);
  ASSERT_NE(hit, nullptr);
  EXPECT_EQ(hit->body, "hello");
  EXPECT_EQ(store.stats().objects, 1u);
  EXPECT_GT(store.stats().bytes, 5u);
  EXPECT_TRUE(store.erase("k"));
  EXPECT_FALSE(store.erase("k"));
  EXPECT_EQ(store.find("k", request), nullptr);
  EXPECT_EQ(store.stats().objects, 0u);
  EXPECT_EQ(store.stats().bytes, 0u);
}

TEST(MemoryStore, VariantsByVary) {
  MemoryStore store(1 << 20);
  const FieldRows vary{"Vary: Accept-Encoding"};
  const FieldRows gzip{"Accept-Encoding: gzip"};
  const FieldRows br{"Accept-Encoding: br"};
  const FieldRows none{};
  ASSERT_TRUE(store.insert("k", response("gz", vary_selection(vary, gzip))));
  ASSERT_TRUE(store.insert("k", response("br", vary_selection(vary, br))));
  EXPECT_EQ(store.find("k", gzip)->body, "gz");
  EXPECT_EQ(store.find("k", br)->body, "br");
  EXPECT_EQ(store.find("k", none), nullptr);
  EXPECT_EQ(store.stats().objects, 2u);
  // Same selection replaces.
  ASSERT_TRUE(store.insert("k", response("gz2", vary_selection(vary, gzip))));
  EXPECT_EQ(store.find("k", gzip)->body, "gz2");
  EXPECT_EQ(store.stats().objects, 2u);
}

TEST(MemoryStore, VaryStarIsNeverStored) {
  MemoryStore store(1 << 20);
  const FieldRows vary{"Vary: *"};
  const FieldRows request{};
  EXPECT_FALSE(store.insert("k", response("x", vary_selection(vary, request))));
}

TEST(MemoryStore, StaysWithinItsBoundAndKeepsHandedOutEntriesAlive) {
  MemoryStore store(64 * 1024);
  const FieldRows request{};
  ASSERT_TRUE(store.insert("first", response(std::string(1000, 'a'))));
  const auto held = store.find("first", request);
  for (int i = 0; i < 1000; ++i) {
    store.insert("k" + std::to_string(i), response(std::string(1000, 'b')));
    ASSERT_LE(store.stats().bytes, store.capacity());
  }
  EXPECT_GT(store.stats().evictions + store.stats().rejections, 0u);
  EXPECT_EQ(held->body, std::string(1000, 'a'));  // still valid after eviction
}

TEST(MemoryStore, TooLargeIsRejected) {
  MemoryStore store(4096);
  EXPECT_FALSE(store.insert("big", response(std::string(10000, 'x'))));
  EXPECT_EQ(store.stats().bytes, 0u);
}

TEST(MemoryStore, ErasePrefix) {
  MemoryStore store(1 << 20);
  store.insert("example.com/a/1", response("1"));
  store.insert("example.com/a/2", response("2"));
  store.insert("example.com/b/1", response("3"));
  EXPECT_EQ(store.erase_prefix("example.com/a/"), 2u);
  EXPECT_EQ(store.stats().objects, 1u);
}

}  // namespace
}  // namespace flotilla::cache
