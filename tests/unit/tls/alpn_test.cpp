#include "tls/alpn.hpp"

#include <gtest/gtest.h>

namespace flotilla::tls {
namespace {

TEST(Alpn, WireFormatIsLengthPrefixed) {
  std::string error;
  EXPECT_EQ(alpn_wire_format({"h2", "http/1.1"}, error), std::string("\x02h2\x08http/1.1", 12));
  EXPECT_EQ(alpn_wire_format({}, error), "");
}

TEST(Alpn, EmptyOrOverlongNamesAreRefused) {
  std::string error;
  EXPECT_FALSE(alpn_wire_format({"http/1.1", ""}, error));
  EXPECT_EQ(error, "ALPN protocol name \"\" must be 1-255 bytes");
  EXPECT_FALSE(alpn_wire_format({std::string(256, 'x')}, error));
}

}  // namespace
}  // namespace flotilla::tls
