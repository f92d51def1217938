// The configuration `flotilla up` runs when there is no config file: three replicas of the
// bundled demo app behind 127.0.0.1:8080. Kept as YAML so it goes through the same loader,
// validation and feature gate as a user's file.
#pragma once

#include <string>
#include <string_view>

namespace flotilla::app {

// `self_exe` is the flotilla binary (the demo app is one of its commands).
std::string embedded_demo_config(std::string_view self_exe);

// Where the binary is, from /proc/self/exe (falls back to `argv0`).
std::string self_executable(std::string_view argv0 = "flotilla");

}  // namespace flotilla::app
