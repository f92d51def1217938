// Loading files and text: YAML-level failures, file errors, relative paths, error order.
#include "config/loader.hpp"

#include <unistd.h>

#include <fstream>

#include <gtest/gtest.h>

#include "config_test_support.hpp"

namespace flotilla::config {
namespace {

namespace fs = std::filesystem;
using testing::errors_of;
using testing::load;
using Lines = std::vector<std::string>;

// A private scratch directory, removed afterwards.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "flotilla-config-XXXXXX").string();
    path_ = ::mkdtemp(pattern.data());
  }
  ~TempDir() { fs::remove_all(path_); }
  const fs::path& path() const { return path_; }
  fs::path write(const std::string& name, std::string_view text) const {
    const fs::path file = path_ / name;
    fs::create_directories(file.parent_path());
    std::ofstream(file) << text;
    return file;
  }

 private:
  fs::path path_;
};

TEST(LoadString, SyntaxErrorsCarryTheirPosition) {
  EXPECT_EQ(errors_of("services:\n  web:\n    command: x\n   replicas: 3\n"),
            Lines{"4:4: invalid YAML: end of map not found"});
  EXPECT_EQ(errors_of("listen: [\"a:1\"\nroutes: []\n"),
            Lines{"2:1: invalid YAML: end of sequence flow not found"});
  EXPECT_EQ(errors_of("listen: *nowhere\n"),
            Lines{"1:9: invalid YAML: the referenced anchor is not defined"});
}

TEST(LoadString, TheDocumentMustBeOneNonEmptyMapping) {
  const LoadResult empty = load("# nothing but a comment\n");
  ASSERT_EQ(empty.errors.size(), 1u);
  EXPECT_EQ(format_diagnostic(empty.errors[0]), "test.yaml: the configuration is empty");
  EXPECT_EQ(errors_of("- listen\n- services\n"),
            Lines{"1:1: the configuration must be a mapping of sections (listen, services, "
                  "upstreams, routes...), got a list"});
  EXPECT_EQ(errors_of("services:\n  w: { command: ./w }\n---\nservices: {}\n"),
            Lines{"3:1: only one YAML document is allowed (remove the second '---')"});
}

TEST(LoadString, ExtensionKeysHoldAnchors) {
  const LoadResult result = load(R"(x-common: &common
  restart: { policy: on-failure }
services:
  a: { <<: *common, command: ./a }
  b:
    <<: *common
    command: ./b
)");
  ASSERT_TRUE(result.ok()) << fmt::format("{}", fmt::join(testing::error_lines(result), "\n"));
  EXPECT_EQ(result.spec->services[0].restart.policy, RestartPolicy::on_failure);
  EXPECT_EQ(result.spec->services[1].restart.policy, RestartPolicy::on_failure);
}

TEST(LoadString, ErrorsComeInFileOrderAcrossSectionsAndChecks) {
  // Parsed section by section (routes after upstreams...), reported by position.
  EXPECT_EQ(errors_of(R"(routes:
  - upstream: nope
listen: ["127.0.0.1:8080"]
workers: -2
upstreams:
  app: { servers: ["10.0.0.1:80"], keepalive: x }
)"),
            (Lines{"2:15: routes[0].upstream: unknown upstream 'nope'",
                   "4:10: workers: expected 'auto' or a thread count from 1 to 1024, got '-2'",
                   "6:47: upstreams.app.keepalive: expected an integer, got 'x'"}));
}

TEST(LoadString, SpecRecordsWhereItCameFrom) {
  const LoadResult result = load_string("services:\n  w: { command: ./w }\n", "conf/x.yaml",
                                        "/opt/conf", testing::fake_env());
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result.spec->source_file, "conf/x.yaml");
  EXPECT_EQ(result.spec->base_dir, "/opt/conf");
  EXPECT_EQ(result.spec->state_dir, "/opt/conf/.flotilla");
  EXPECT_EQ(result.spec->services[0].cwd, "/opt/conf");
}

TEST(LoadFile, ResolvesRelativePathsAgainstTheFilesDirectory) {
  const TempDir dir;
  const fs::path file = dir.write("site/flotilla.yaml", R"(
services:
  web: { command: ./w, cwd: app, ports: 8000-8009 }
listen:
  - address: "127.0.0.1:8443"
    tls: { cert: certs/c.pem, key: /abs/k.pem }
routes:
  - static: { root: ./public }
admin: { socket: run/admin.sock, token_file: secrets/token }
access_log: { enabled: true, path: logs/access.log }
state_dir: state
)");
  const LoadResult result = load_file(file, testing::fake_env());
  ASSERT_TRUE(result.ok()) << fmt::format("{}", fmt::join(testing::error_lines(result), "\n"));
  const Spec& spec = *result.spec;
  const fs::path site = dir.path() / "site";
  EXPECT_EQ(spec.source_file, file.string());
  EXPECT_EQ(spec.base_dir, site);
  EXPECT_EQ(spec.services[0].cwd, site / "app");
  EXPECT_EQ(spec.listeners[0].tls->certificates.at(0).cert, site / "certs/c.pem");
  EXPECT_EQ(spec.listeners[0].tls->certificates.at(0).key, "/abs/k.pem");
  EXPECT_EQ(std::get<StaticAction>(spec.routes[0].action).root, site / "public");
  EXPECT_EQ(spec.admin.socket, site / "run/admin.sock");
  EXPECT_EQ(spec.admin.token_file, site / "secrets/token");
  EXPECT_EQ(spec.access_log.path, site / "logs/access.log");
  EXPECT_EQ(spec.state_dir, site / "state");
}

TEST(LoadFile, ARelativeFileNameResolvesFromTheWorkingDirectory) {
  const TempDir dir;
  dir.write("flotilla.yaml", "services:\n  w: { command: ./w }\n");
  const fs::path previous = fs::current_path();
  fs::current_path(dir.path());
  const LoadResult result = load_file("flotilla.yaml", testing::fake_env());
  fs::current_path(previous);
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result.spec->source_file, "flotilla.yaml");
  EXPECT_EQ(result.spec->base_dir, dir.path());
}

TEST(LoadFile, DiagnosticsNameTheFileAsGiven) {
  const TempDir dir;
  const fs::path file = dir.write("bad.yaml", "services:\n  w: { comand: ./w }\n");
  const LoadResult result = load_file(file, testing::fake_env());
  ASSERT_EQ(result.errors.size(), 2u);
  EXPECT_EQ(format_diagnostic(result.errors[0]),
            file.string() + ":2:6: missing required key 'command' in service 'w'");
  EXPECT_EQ(format_diagnostic(result.errors[1]),
            file.string() + ":2:8: unknown key 'comand' in service 'w' (did you mean 'command'?)");
}

TEST(LoadFile, UnreadableFilesAreOneClearError) {
  const TempDir dir;
  const LoadResult missing = load_file(dir.path() / "nope.yaml", testing::fake_env());
  ASSERT_EQ(missing.errors.size(), 1u);
  EXPECT_FALSE(missing.ok());
  EXPECT_EQ(format_diagnostic(missing.errors[0]),
            (dir.path() / "nope.yaml").string() +
                ": cannot read the configuration: No such file or directory");
  const LoadResult directory = load_file(dir.path(), testing::fake_env());
  ASSERT_EQ(directory.errors.size(), 1u);
  EXPECT_EQ(directory.errors[0].message, "cannot read the configuration: it is a directory");
}

}  // namespace
}  // namespace flotilla::config
