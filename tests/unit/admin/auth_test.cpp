#include "admin/auth.hpp"

#include <fstream>

#include <gtest/gtest.h>

#include "admin_test_support.hpp"

namespace flotilla::admin {
namespace {

TEST(ConstantTimeEquals, ComparesWholeStrings) {
  EXPECT_TRUE(constant_time_equals("", ""));
  EXPECT_TRUE(constant_time_equals("s3cret", "s3cret"));
  EXPECT_FALSE(constant_time_equals("s3cret", "s3creT"));
  EXPECT_FALSE(constant_time_equals("s3cret", "s3cre"));
  EXPECT_FALSE(constant_time_equals("", "x"));
  EXPECT_FALSE(constant_time_equals("Xs3cret", "ys3cret"));
}

TEST(TokenAuth, UnixSocketIsTrustedForEverything) {
  const TokenAuth auth;  // no token at all
  const AuthVerdict verdict = auth.check("POST", true, std::nullopt);
  EXPECT_TRUE(verdict.allowed);
  EXPECT_TRUE(verdict.trusted);
}

TEST(TokenAuth, TcpReadsNeedNoToken) {
  const TokenAuth auth(std::string("s3cret"));
  for (const char* method : {"GET", "HEAD"}) {
    const AuthVerdict verdict = auth.check(method, false, std::nullopt);
    EXPECT_TRUE(verdict.allowed) << method;
    EXPECT_FALSE(verdict.trusted) << method;
  }
  // A valid token on a read marks it trusted; a wrong one does not refuse a read.
  EXPECT_TRUE(auth.check("GET", false, "Bearer s3cret").trusted);
  EXPECT_TRUE(auth.check("GET", false, "Bearer wrong").allowed);
  EXPECT_FALSE(auth.check("GET", false, "Bearer wrong").trusted);
}

TEST(TokenAuth, TcpChangesNeedTheBearerToken) {
  const TokenAuth auth(std::string("s3cret"));
  EXPECT_FALSE(auth.check("POST", false, std::nullopt).allowed);
  EXPECT_FALSE(auth.check("POST", false, "Bearer wrong").allowed);
  EXPECT_FALSE(auth.check("POST", false, "Basic czNjcmV0").allowed);
  EXPECT_FALSE(auth.check("POST", false, "Bearer").allowed);
  EXPECT_FALSE(auth.check("POST", false, "Bearers3cret").allowed);
  EXPECT_FALSE(auth.check("DELETE", false, "Bearer s3cre").allowed);
  const AuthVerdict ok = auth.check("POST", false, "Bearer s3cret");
  EXPECT_TRUE(ok.allowed);
  EXPECT_TRUE(ok.trusted);
  EXPECT_TRUE(auth.check("PUT", false, "bearer s3cret").allowed);  // scheme is case-insensitive
  EXPECT_EQ(auth.check("POST", false, "Bearer wrong").reason, "invalid bearer token");
}

TEST(TokenAuth, WithoutATokenTcpChangesAreAlwaysRefused) {
  const TokenAuth auth;
  const AuthVerdict verdict = auth.check("POST", false, "Bearer ");
  EXPECT_FALSE(verdict.allowed);
  EXPECT_NE(verdict.reason.find("no admin token configured"), std::string_view::npos);
  EXPECT_FALSE(auth.check("POST", false, "Bearer anything").allowed);
}

TEST(LoadToken, ReadsTheFileTrimmed) {
  testing::TempDir dir;
  const auto path = dir.path() / "token";
  std::ofstream(path) << "  s3cret\n";
  config::Admin admin;
  admin.token_file = path;
  std::string error;
  EXPECT_EQ(load_token(admin, error), "s3cret");
  EXPECT_EQ(error, "");
}

TEST(LoadToken, MissingOrEmptyFileIsAnError) {
  testing::TempDir dir;
  config::Admin admin;
  admin.token_file = dir.path() / "absent";
  std::string error;
  EXPECT_EQ(load_token(admin, error), std::nullopt);
  EXPECT_NE(error.find("absent"), std::string::npos);
  std::ofstream(dir.path() / "empty") << "\n";
  admin.token_file = dir.path() / "empty";
  EXPECT_EQ(load_token(admin, error), std::nullopt);
  EXPECT_NE(error.find("empty"), std::string::npos);
}

TEST(LoadToken, ReadsTheNamedVariable) {
  config::Admin admin;
  admin.token_env = "FLOTILLA_TOKEN";
  std::string error;
  const auto env = [](std::string_view name) -> std::optional<std::string> {
    if (name == "FLOTILLA_TOKEN") return std::string("from-env\n");
    return std::nullopt;
  };
  EXPECT_EQ(load_token(admin, error, env), "from-env");
  EXPECT_EQ(error, "");
  admin.token_env = "UNSET_VARIABLE";
  EXPECT_EQ(load_token(admin, error, env), std::nullopt);
  EXPECT_EQ(error, "admin.token_env UNSET_VARIABLE: the variable is not set");
  admin.token_env = "BLANK";
  const auto blank = [](std::string_view) -> std::optional<std::string> { return " \n"; };
  EXPECT_EQ(load_token(admin, error, blank), std::nullopt);
  EXPECT_EQ(error, "admin.token_env BLANK: the variable is empty");
  EXPECT_EQ(load_token(config::Admin{}, error, env), std::nullopt);
  EXPECT_EQ(error, "");
}

}  // namespace
}  // namespace flotilla::admin
