#include "tls/sni_selector.hpp"

#include <gtest/gtest.h>

namespace flotilla::tls {
namespace {

SniSelector selector() {
  SniSelector sni;
  sni.add(0, {"example.com", "www.example.com"});
  sni.add(1, {"*.example.com", "api.test"});
  sni.add(2, {"API.test", "*.wild.test", "exact.wild.test"});
  return sni;
}

TEST(SniSelector, ExactNamesWinOverWildcards) {
  const SniSelector sni = selector();
  EXPECT_EQ(sni.select("www.example.com"), 0u);
  EXPECT_EQ(sni.select("example.com"), 0u);
  EXPECT_EQ(sni.select("shop.example.com"), 1u);
  EXPECT_EQ(sni.select("exact.wild.test"), 2u);
  EXPECT_EQ(sni.select("other.wild.test"), 2u);
}

TEST(SniSelector, WildcardsCoverExactlyOneLabel) {
  const SniSelector sni = selector();
  EXPECT_EQ(sni.select("a.b.example.com"), std::nullopt);
  EXPECT_EQ(sni.select("wild.test"), std::nullopt);
  EXPECT_EQ(sni.select(".wild.test"), std::nullopt);
}

TEST(SniSelector, CaseAndTrailingDotAreIgnored) {
  const SniSelector sni = selector();
  EXPECT_EQ(sni.select("WWW.Example.COM"), 0u);
  EXPECT_EQ(sni.select("www.example.com."), 0u);
  EXPECT_EQ(sni.select("Shop.Example.Com"), 1u);
}

TEST(SniSelector, TheFirstSetWithANameKeepsIt) {
  const SniSelector sni = selector();
  EXPECT_EQ(sni.select("api.test"), 1u);  // set 2 lists it again (in other case)
}

TEST(SniSelector, UnknownOrEmptyNamesMatchNothing) {
  const SniSelector sni = selector();
  EXPECT_EQ(sni.select("unknown.test"), std::nullopt);
  EXPECT_EQ(sni.select(""), std::nullopt);
  EXPECT_EQ(sni.select("."), std::nullopt);
}

TEST(SniSelector, MalformedWildcardsAreNotPatterns) {
  SniSelector sni;
  sni.add(0, {"*.*.example.com", "a*.example.com", "*."});
  EXPECT_EQ(sni.select("x.y.example.com"), std::nullopt);
  EXPECT_EQ(sni.select("ab.example.com"), std::nullopt);
  EXPECT_EQ(sni.select("a*.example.com"), std::nullopt);
}

}  // namespace
}  // namespace flotilla::tls
