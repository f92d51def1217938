// One function per CLI command, with its options as a plain struct. The CLI parser fills the
// struct; the command does the work and returns an exit status (see exit_codes.hpp).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace flotilla::app {

inline constexpr std::string_view kDefaultConfigPath = "flotilla.yaml";

struct CheckOptions {
  std::string config_path{kDefaultConfigPath};
};
int check_command(const CheckOptions& options);

struct UpOptions {
  std::string config_path{kDefaultConfigPath};
  bool config_given = false;  // -c on the command line (else: ./flotilla.yaml or the embedded demo)
};
int up_command(const UpOptions& options);

int version_command();

struct DemoAppOptions {
  std::string host = "127.0.0.1";
  int port = 0;
  int threads = 2;
};
int demo_app_command(const DemoAppOptions& options);

// Commands whose feature has not landed yet: a clear error, never a fake success.
int not_yet_available(std::string_view command, std::string_view arrives_with);

}  // namespace flotilla::app
