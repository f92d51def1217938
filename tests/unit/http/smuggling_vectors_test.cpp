// Table-driven verdicts over the shared smuggling vectors and accepted forms, fed whole and in
// slices down to one byte: the verdict must never depend on how the bytes arrive.
#include "smuggling_vectors.hpp"

#include <gtest/gtest.h>

#include "message_verdict.hpp"

namespace flotilla::http {
namespace {

using testing::Verdict;

Verdict run(std::string_view raw, bool is_request, std::size_t slice) {
  return is_request ? testing::run_request(raw, slice) : testing::run_response(raw, slice);
}

TEST(SmugglingVectors, TableIsLargeEnough) {
  EXPECT_GE(test_vectors::kSmugglingVectors.size(), 40u);
}

TEST(SmugglingVectors, EachIsRejectedWithItsVerdict) {
  for (const auto& vec : test_vectors::kSmugglingVectors) {
    SCOPED_TRACE(std::string(vec.name));
    const Verdict v = run(vec.raw, vec.is_request, std::string_view::npos);
    EXPECT_FALSE(v.accepted);
    EXPECT_EQ(v.error, vec.expected_error) << to_string(v.error);
    EXPECT_EQ(v.status, vec.expected_status);
  }
}

TEST(SmugglingVectors, VerdictDoesNotDependOnSlicing) {
  for (const auto& vec : test_vectors::kSmugglingVectors) {
    for (const std::size_t slice : {1u, 2u, 3u, 7u, 64u}) {
      SCOPED_TRACE(std::string(vec.name) + " slice " + std::to_string(slice));
      const Verdict v = run(vec.raw, vec.is_request, slice);
      EXPECT_EQ(v.error, vec.expected_error) << to_string(v.error);
      EXPECT_EQ(v.status, vec.expected_status);
    }
  }
}

TEST(AcceptedVectors, EachIsAcceptedWhole) {
  for (const auto& vec : test_vectors::kAcceptedVectors) {
    SCOPED_TRACE(std::string(vec.name));
    const Verdict v = run(vec.raw, vec.is_request, std::string_view::npos);
    EXPECT_TRUE(v.accepted) << to_string(v.error);
    EXPECT_EQ(v.total_consumed, vec.raw.size());
  }
}

TEST(AcceptedVectors, SlicingGivesTheSameResult) {
  for (const auto& vec : test_vectors::kAcceptedVectors) {
    const Verdict whole = run(vec.raw, vec.is_request, std::string_view::npos);
    for (const std::size_t slice : {1u, 2u, 5u}) {
      SCOPED_TRACE(std::string(vec.name) + " slice " + std::to_string(slice));
      const Verdict v = run(vec.raw, vec.is_request, slice);
      EXPECT_TRUE(v.accepted) << to_string(v.error);
      EXPECT_EQ(v.head_consumed, whole.head_consumed);
      EXPECT_EQ(v.body, whole.body);
      EXPECT_EQ(v.total_consumed, whole.total_consumed);
    }
  }
}

}  // namespace
}  // namespace flotilla::http

namespace flotilla::http {
namespace {

// Deterministic mutations of the accepted forms (bytes that matter to the grammar inserted,
// replaced or removed): whatever the verdict, it must be the same fed whole or byte by byte.
TEST(SlicingInvariance, MutatedMessagesGetOneVerdict) {
  constexpr std::string_view kAlphabet("\r\n :\t\0\x7f,;=\"aZ0-", 16);
  std::uint64_t state = 0x9e3779b97f4a7c15u;
  auto next = [&state](std::uint64_t bound) {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return static_cast<std::size_t>(state % bound);
  };
  int checked = 0;
  for (const auto& vec : test_vectors::kAcceptedVectors) {
    for (int round = 0; round < 60; ++round) {
      std::string raw(vec.raw);
      const int edits = 1 + static_cast<int>(next(3));
      for (int e = 0; e < edits && !raw.empty(); ++e) {
        const std::size_t at = next(raw.size());
        const char c = kAlphabet[next(kAlphabet.size())];
        switch (next(3)) {
          case 0:
            raw.insert(raw.begin() + static_cast<std::ptrdiff_t>(at), c);
            break;
          case 1:
            raw[at] = c;
            break;
          default:
            raw.erase(at, 1);
            break;
        }
      }
      const Verdict whole = run(raw, vec.is_request, std::string_view::npos);
      const Verdict bytes = run(raw, vec.is_request, 1);
      const Verdict odd = run(raw, vec.is_request, 3);
      SCOPED_TRACE(::testing::PrintToString(raw));
      EXPECT_EQ(whole.accepted, bytes.accepted);
      EXPECT_EQ(whole.error, bytes.error)
          << to_string(whole.error) << " vs " << to_string(bytes.error);
      EXPECT_EQ(whole.error, odd.error);
      EXPECT_EQ(whole.head_consumed, bytes.head_consumed);
      EXPECT_EQ(whole.body, bytes.body);
      ++checked;
    }
  }
  EXPECT_GT(checked, 1000);
}

}  // namespace
}  // namespace flotilla::http
