// The embedded dashboard: every file is in the binary, the page links its assets with the
// build's version, the gzip copies inflate back to the originals, and Accept-Encoding is read
// as RFC 9110 says.
#include "dashboard/assets.hpp"

#include <zlib.h>

#include <gtest/gtest.h>

#include "dashboard/embedded_files.hpp"

namespace flotilla::dashboard {
namespace {

std::string gunzip(std::string_view data) {
  z_stream stream{};
  EXPECT_EQ(inflateInit2(&stream, 15 + 16), Z_OK);
  std::string out;
  char buffer[16384];
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  stream.avail_in = static_cast<uInt>(data.size());
  int result = Z_OK;
  while (result == Z_OK) {
    stream.next_out = reinterpret_cast<Bytef*>(buffer);
    stream.avail_out = sizeof buffer;
    result = inflate(&stream, Z_NO_FLUSH);
    out.append(buffer, sizeof buffer - stream.avail_out);
  }
  inflateEnd(&stream);
  EXPECT_EQ(result, Z_STREAM_END);
  return out;
}

TEST(DashboardAssets, EveryFileIsEmbedded) {
  EXPECT_TRUE(embedded_file("index.html").starts_with("<!doctype html>"));
  EXPECT_NE(embedded_file("app.js").find("/api/v1/dashboard"), std::string_view::npos);
  EXPECT_NE(embedded_file("style.css").find("prefers-color-scheme: dark"), std::string_view::npos);
  // Debian's Chart.js build, whole (it ends with its UMD wrapper, not a truncated function).
  const std::string_view chart = embedded_file("chart.min.js");
  EXPECT_GT(chart.size(), 100'000u);
  EXPECT_NE(chart.find("Chart.js v3"), std::string_view::npos);
  EXPECT_TRUE(embedded_file("../secret").empty());
}

TEST(DashboardAssets, ThePageLinksVersionedAssetsFromThisOriginOnly) {
  const Asset* page = find_asset("");
  ASSERT_NE(page, nullptr);
  EXPECT_EQ(page->content_type, "text/html; charset=utf-8");
  EXPECT_EQ(assets_version().size(), 12u);
  const std::string linked = "dashboard/app.js?v=" + std::string(assets_version());
  EXPECT_NE(page->body.find(linked), std::string_view::npos);
  EXPECT_EQ(page->body.find("{{version}}"), std::string_view::npos);
  for (const char* external : {"src=\"http", "href=\"http", "src=\"//", "href=\"//"}) {
    EXPECT_EQ(page->body.find(external), std::string_view::npos) << external;
  }
  EXPECT_EQ(find_asset("chart.min.js")->content_type, "text/javascript; charset=utf-8");
  EXPECT_EQ(find_asset("index.html"), nullptr);  // the page is only at /
  EXPECT_EQ(find_asset("nope.js"), nullptr);
}

TEST(DashboardAssets, GzipCopiesInflateToTheOriginals) {
  for (const char* name : {"", "app.js", "style.css", "chart.min.js"}) {
    const Asset* asset = find_asset(name);
    ASSERT_NE(asset, nullptr) << name;
    EXPECT_LT(asset->gzip.size(), asset->body.size()) << name;
    EXPECT_EQ(gunzip(asset->gzip), asset->body) << name;
  }
  // Chart.js is most of the weight: gzip takes it to well under half.
  EXPECT_LT(find_asset("chart.min.js")->gzip.size() * 2, find_asset("chart.min.js")->body.size());
}

TEST(DashboardAssets, AcceptEncoding) {
  EXPECT_FALSE(accepts_gzip(std::nullopt));
  EXPECT_TRUE(accepts_gzip("gzip, deflate, br"));
  EXPECT_TRUE(accepts_gzip("br;q=1.0, GZIP;q=0.5"));
  EXPECT_TRUE(accepts_gzip("*"));
  EXPECT_FALSE(accepts_gzip("identity"));
  EXPECT_FALSE(accepts_gzip("gzip;q=0"));
  EXPECT_FALSE(accepts_gzip("gzip; q=0.000, br"));
  EXPECT_FALSE(accepts_gzip(""));
}

}  // namespace
}  // namespace flotilla::dashboard
