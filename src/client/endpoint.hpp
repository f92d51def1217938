// Where the control plane's HTTP client sends a request: a TCP host and port (IP literal or a
// name) or a unix socket, and the http:// / https:// URLs that name one. Plain data and parsing;
// never does I/O (client/stream.hpp opens the connection).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace flotilla::client {

struct Endpoint {
  enum class Kind { kTcp, kUnix };
  enum class Scheme { kHttp, kHttps };  // kHttps: TLS, which has no transport yet
  Kind kind = Kind::kTcp;
  Scheme scheme = Scheme::kHttp;
  std::string host;  // kTcp: IP literal (v6 without brackets) or a name
  std::uint16_t port = 80;
  std::string socket_path;  // kUnix

  // The Host field: "host" on the scheme's default port, else "host:port" ([v6] bracketed);
  // "localhost" for a unix socket.
  std::string authority() const;
  // For messages: "http://host:port", "https://host:port", or the socket's path.
  std::string display() const;

  static Endpoint tcp(std::string host, std::uint16_t port);
  static Endpoint unix_socket(std::string path);
};

struct Url {
  Endpoint endpoint;
  std::string path = "/";  // without a trailing slash unless it is just "/"
};

// http://HOST[:PORT][/PATH] or https://HOST[:PORT][/PATH] (IPv6 as [addr]); nothing, with the
// reason in `error`, for anything else.
std::optional<Url> parse_url(std::string_view text, std::string& error);

}  // namespace flotilla::client
