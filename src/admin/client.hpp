// A blocking admin API client for CLI processes (`flotilla status`, `flotilla rollout`, ...):
// one connection per request over the unix socket or TCP (through client/), bearer token
// optional, JSON in and out, errors that say what to do. Never used inside the server process.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace flotilla::admin {

struct ClientTarget {
  enum class Kind { kUnixSocket, kTcp };
  Kind kind = Kind::kUnixSocket;
  std::string path;  // kUnixSocket
  std::string host;  // kTcp: IP literal or name
  std::uint16_t port = 0;

  // "/run/flotilla.sock" or "http://127.0.0.1:9090", for messages.
  std::string display() const;
};

// "http://HOST:PORT" (a trailing "/" allowed), "unix:/path", or a filesystem path containing a
// '/' (a socket). nullopt with `error` otherwise (https is not served by the admin API).
std::optional<ClientTarget> parse_admin_url(std::string_view url, std::string& error);

struct ClientResponse {
  int status = 0;
  std::string body;
  nlohmann::json json;  // the parsed body; null when empty or not JSON

  bool ok() const { return status >= 200 && status < 300; }
  // The server's {"error": ...}, else the body, else "HTTP <status>".
  std::string error_message() const;
};

class ClientError : public std::runtime_error {
 public:
  enum class Kind {
    kUnreachable,  // could not connect: flotilla is not running there
    kFailed,       // connected, but the exchange failed (reset, timeout, malformed answer)
  };
  ClientError(Kind kind, const std::string& message) : std::runtime_error(message), kind_(kind) {}
  Kind kind() const noexcept { return kind_; }

 private:
  Kind kind_;
};

class Client {
 public:
  // `hint` is appended to "cannot reach" messages (e.g. where the socket path came from).
  explicit Client(ClientTarget target, std::optional<std::string> token = std::nullopt,
                  std::string hint = {});

  // Connect and whole-exchange bounds (a rollout POST answers at once; waiting is polling).
  void set_timeouts(std::chrono::milliseconds connect, std::chrono::milliseconds exchange);

  // Sends one request (`target` is path + query) with `body` as JSON when given; throws
  // ClientError when there is no HTTP answer. Any HTTP status is returned, not thrown.
  ClientResponse request(std::string_view method, std::string_view target,
                         const nlohmann::json* body = nullptr) const;
  ClientResponse get(std::string_view target) const { return request("GET", target); }
  ClientResponse post(std::string_view target,
                      const nlohmann::json& body = nlohmann::json::object()) const {
    return request("POST", target, &body);
  }

  const ClientTarget& target() const noexcept { return target_; }

 private:
  ClientTarget target_;
  std::optional<std::string> token_;
  std::string hint_;
  std::chrono::milliseconds connect_timeout_{std::chrono::seconds(5)};
  std::chrono::milliseconds exchange_timeout_{std::chrono::seconds(60)};
};

}  // namespace flotilla::admin
