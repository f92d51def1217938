// Settings of the admin server: where it listens, the token, and the bounds on each
// connection. Plain struct; `options_from_spec` is the one place that reads them from a Spec.
#pragma once

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>

#include "config/env_expand.hpp"
#include "config/spec.hpp"

namespace flotilla::admin {

struct ServerOptions {
  std::optional<config::Address> listen;  // TCP listener (port 0: any free port); none if unset
  std::filesystem::path socket;           // unix socket, created 0600; none if empty
  std::optional<std::string> token;       // bearer token for changes over TCP; none: refused
  std::size_t max_body = 1024 * 1024;     // larger request bodies get 413
  std::size_t max_connections = 512;      // beyond: new connections are closed at once
  // A request head must arrive completely within this, counted from its first byte.
  std::chrono::milliseconds header_timeout{std::chrono::seconds(10)};
  // The whole request body must arrive within this, counted from the end of the head.
  std::chrono::milliseconds body_timeout{std::chrono::seconds(30)};
  // A kept-alive connection with no request started is closed after this.
  std::chrono::milliseconds idle_timeout{std::chrono::seconds(60)};
  // A response must be written within this (a client that stops reading is dropped).
  std::chrono::milliseconds write_timeout{std::chrono::seconds(30)};
};

// admin.listen, admin.socket and the token of admin.token_file / admin.token_env. False with
// `error` when a configured token file cannot be used.
bool options_from_spec(const config::Spec& spec, ServerOptions& options, std::string& error,
                       const config::EnvLookup& env = config::process_environment());

}  // namespace flotilla::admin
