#include "http/content_coding.hpp"

#include <gtest/gtest.h>

#include <array>

namespace flotilla::http {
namespace {

using C = ContentCoding;

constexpr std::array<C, 3> kDefaultOffer{C::kBrotli, C::kZstd, C::kGzip};

struct Row {
  const char* accept;  // null: no Accept-Encoding field
  C expected;
};

std::string row_name(const Row& row) {
  return row.accept ? row.accept : "(absent)";
}

TEST(NegotiateCoding, Table) {
  const Row rows[] = {
      {nullptr, C::kIdentity},
      {"", C::kIdentity},
      {"gzip", C::kGzip},
      {"GZIP", C::kGzip},
      {"x-gzip", C::kGzip},
      {"gzip, deflate, br", C::kBrotli},
      {"gzip, deflate, br, zstd", C::kBrotli},
      {"gzip, zstd", C::kZstd},
      {"br;q=0.5, gzip", C::kGzip},
      {"br;q=1.0, gzip;q=1", C::kBrotli},
      {"gzip;q=0.8, br;q=0.8, zstd;q=0.9", C::kZstd},
      {"gzip;q=0", C::kIdentity},
      {"gzip;q=0.000", C::kIdentity},
      {"gzip;q=0.001", C::kGzip},
      {"*", C::kBrotli},
      {"*;q=0.5, br;q=0", C::kZstd},
      {"*;q=0", C::kNotAcceptable},
      {"*;q=0, identity", C::kIdentity},
      {"identity;q=0", C::kNotAcceptable},
      {"identity;q=0, gzip", C::kGzip},
      {"identity;q=0, deflate", C::kNotAcceptable},
      {"identity", C::kIdentity},
      {"identity, gzip", C::kGzip},
      {"identity;q=1, gzip;q=0.5", C::kIdentity},
      {"gzip;q=0.5", C::kGzip},
      {"deflate", C::kIdentity},
      {"compress, deflate", C::kIdentity},
      {" gzip ; q=0.5 ,\tbr ; q=0.4 ", C::kGzip},
      {"gzip;q=2", C::kIdentity},       // malformed q: the element is ignored
      {"gzip;q=0.5555", C::kIdentity},  // more than three decimals
      {"gzip;q=abc, br", C::kBrotli},
      {"gzip;level=9;q=0.3, br;q=0.2", C::kGzip},
      {",,gzip,,", C::kGzip},
      {";q=1", C::kIdentity},
      {"gzip;q=0, gzip;q=0.7", C::kGzip},  // listed twice: the higher weight
      {"br;Q=0.9, gzip", C::kGzip},
  };
  for (const Row& row : rows) {
    std::string_view value = row.accept ? row.accept : "";
    const C got = negotiate_coding(row.accept ? &value : nullptr, kDefaultOffer);
    EXPECT_EQ(static_cast<int>(got), static_cast<int>(row.expected)) << row_name(row);
  }
}

TEST(NegotiateCoding, ServerPreferenceOrderBreaksTies) {
  const std::array<C, 3> gzip_first{C::kGzip, C::kBrotli, C::kZstd};
  std::string_view all = "br, gzip, zstd";
  EXPECT_EQ(negotiate_coding(&all, gzip_first), C::kGzip);
  EXPECT_EQ(negotiate_coding(&all, kDefaultOffer), C::kBrotli);
}

TEST(NegotiateCoding, OnlyOfferedCodings) {
  const std::array<C, 1> gzip_only{C::kGzip};
  std::string_view br = "br";
  EXPECT_EQ(negotiate_coding(&br, gzip_only), C::kIdentity);
  std::string_view br_no_identity = "br, identity;q=0";
  EXPECT_EQ(negotiate_coding(&br_no_identity, gzip_only), C::kNotAcceptable);
  EXPECT_EQ(negotiate_coding(&br, std::span<const C>{}), C::kIdentity);
}

TEST(CodingWeight, OwnElementThenStarThenDefault) {
  EXPECT_EQ(coding_weight("gzip;q=0.3, *;q=0.6", C::kGzip), 300);
  EXPECT_EQ(coding_weight("gzip;q=0.3, *;q=0.6", C::kBrotli), 600);
  EXPECT_EQ(coding_weight("gzip", C::kBrotli), 0);
  EXPECT_EQ(coding_weight("gzip", C::kIdentity), 1000);
  EXPECT_EQ(coding_weight("*;q=0", C::kIdentity), 0);
  EXPECT_EQ(coding_weight("gzip;q=1.000", C::kGzip), 1000);
  EXPECT_EQ(coding_weight("gzip;q=0.25", C::kGzip), 250);
}

TEST(CodingToken, RoundTrips) {
  for (const C coding : {C::kIdentity, C::kGzip, C::kBrotli, C::kZstd}) {
    EXPECT_EQ(coding_from_token(coding_token(coding)), coding);
  }
  EXPECT_EQ(coding_token(C::kNotAcceptable), "");
  EXPECT_EQ(coding_from_token("deflate"), C::kNotAcceptable);
}

}  // namespace
}  // namespace flotilla::http
