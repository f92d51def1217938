#include "app/remote.hpp"

#include <unistd.h>

#include <fstream>

#include <gtest/gtest.h>

namespace flotilla::app {
namespace {

namespace fs = std::filesystem;

class TempDir {
 public:
  TempDir() {
    char pattern[] = "/tmp/flotilla-remote-XXXXXX";
    path_ = ::mkdtemp(pattern);
  }
  ~TempDir() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

TEST(LocateAdmin, AdminUrlWins) {
  RemoteOptions options;
  options.admin_url = "http://127.0.0.1:9999";
  options.config_path = "/nonexistent/flotilla.yaml";
  options.config_given = true;
  std::string error;
  const auto location = locate_admin(options, error);
  ASSERT_TRUE(location) << error;
  EXPECT_EQ(location->target.kind, admin::ClientTarget::Kind::kTcp);
  EXPECT_EQ(location->target.port, 9999);
}

TEST(LocateAdmin, ValidConfigGivesItsSocket) {
  TempDir dir;
  std::ofstream(dir.path() / "flotilla.yaml")
      << "listen:\n  - address: 127.0.0.1:8080\nadmin:\n  socket: run/admin.sock\n";
  RemoteOptions options;
  options.config_path = (dir.path() / "flotilla.yaml").string();
  std::string error;
  const auto location = locate_admin(options, error);
  ASSERT_TRUE(location) << error;
  EXPECT_EQ(location->target.kind, admin::ClientTarget::Kind::kUnixSocket);
  EXPECT_EQ(location->target.path, (dir.path() / "run/admin.sock").string());
}

TEST(LocateAdmin, InvalidConfigStillGivesItsSocket) {
  // `flotilla reload` after a bad edit must still reach the running flotilla.
  TempDir dir;
  std::ofstream(dir.path() / "flotilla.yaml")
      << "listen: 42\nunknown_key: true\nadmin:\n  socket: admin.sock\n";
  RemoteOptions options;
  options.config_path = (dir.path() / "flotilla.yaml").string();
  std::string error;
  auto location = locate_admin(options, error);
  ASSERT_TRUE(location) << error;
  EXPECT_EQ(location->target.path, (dir.path() / "admin.sock").string());

  // YAML that does not parse: the admin block is read line by line.
  std::ofstream(dir.path() / "flotilla.yaml")
      << "listen: [unclosed\nadmin:\n  listen: 127.0.0.1:9091\n  socket: \"run/a.sock\"  # ours\n";
  location = locate_admin(options, error);
  ASSERT_TRUE(location) << error;
  EXPECT_EQ(location->target.path, (dir.path() / "run/a.sock").string());

  // No admin block to be found: the default place.
  std::ofstream(dir.path() / "flotilla.yaml") << "listen: [unclosed\nother:\n  socket: x\n";
  location = locate_admin(options, error);
  ASSERT_TRUE(location) << error;
  EXPECT_EQ(location->target.path, (dir.path() / "flotilla.sock").string());
}

TEST(LocateAdmin, NoConfigFallsBackToTheDemoSocket) {
  RemoteOptions options;
  options.config_path = "/nonexistent/flotilla.yaml";
  std::string error;
  const auto location = locate_admin(options, error);
  ASSERT_TRUE(location) << error;
  EXPECT_EQ(location->target.path, (fs::current_path() / "flotilla.sock").string());
  EXPECT_NE(location->hint.find("embedded demo"), std::string::npos) << location->hint;
}

TEST(LocateAdmin, MissingExplicitConfigIsAnError) {
  RemoteOptions options;
  options.config_path = "/nonexistent/flotilla.yaml";
  options.config_given = true;
  std::string error;
  EXPECT_FALSE(locate_admin(options, error));
  EXPECT_NE(error.find("/nonexistent/flotilla.yaml: no such file"), std::string::npos) << error;
}

TEST(WithAdminClient, UnreachableIsExit69) {
  TempDir dir;
  RemoteOptions options;
  options.admin_url = (dir.path() / "nobody.sock").string();
  bool ran = false;
  const int code = with_admin_client(options, "status", [&](const admin::Client& client) {
    ran = true;
    client.get("/api/v1/status");
    return 0;
  });
  EXPECT_TRUE(ran);
  EXPECT_EQ(code, 69);
}

TEST(WithAdminClient, BadUsageIsExit2) {
  RemoteOptions options;
  options.admin_url = "ftp://nope";
  EXPECT_EQ(with_admin_client(options, "status", [](const admin::Client&) { return 0; }), 2);
  options.admin_url = "http://127.0.0.1:9";
  options.token_file = "/nonexistent/token";
  EXPECT_EQ(with_admin_client(options, "status", [](const admin::Client&) { return 0; }), 2);
}

TEST(UrlEncode, KeepsUnreservedOnly) {
  EXPECT_EQ(url_encode("web-1_a.b~"), "web-1_a.b~");
  EXPECT_EQ(url_encode("a b/c?"), "a%20b%2Fc%3F");
}

}  // namespace
}  // namespace flotilla::app
