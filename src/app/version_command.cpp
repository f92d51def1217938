// `flotilla version`: the version and the libraries it was built against.
#include <fmt/core.h>
#include <openssl/opensslv.h>
#include <spdlog/version.h>
#include <asio/version.hpp>

#include "app/commands.hpp"
#include "app/exit_codes.hpp"

namespace flotilla::app {

int version_command() {
  fmt::print("flotilla {}\n", FLOTILLA_VERSION);
  fmt::print("  asio {}.{}.{}, {}, spdlog {}.{}.{}, fmt {}\n", ASIO_VERSION / 100000,
             ASIO_VERSION / 100 % 1000, ASIO_VERSION % 100, OPENSSL_VERSION_TEXT, SPDLOG_VER_MAJOR,
             SPDLOG_VER_MINOR, SPDLOG_VER_PATCH, FMT_VERSION);
  return kExitOk;
}

}  // namespace flotilla::app
