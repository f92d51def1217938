// One plain-HTTP/1.1 request on a fresh connection (`Connection: close`), bounded by a timeout:
// how the control plane talks to Alertmanager and how `flotilla top` reads the admin API.
// Never used on the request path; no TLS (an https:// URL is refused with an error).
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include <asio/any_io_executor.hpp>
#include <asio/awaitable.hpp>

namespace flotilla::observe {

struct HttpUrl {
  std::string host;
  std::string port = "80";
  std::string path = "/";  // without a trailing slash unless it is just "/"
};

// http://HOST[:PORT][/PATH]; nothing for anything else (https included).
std::optional<HttpUrl> parse_http_url(std::string_view text);

struct HttpReply {
  int status = 0;  // 0: no response (see error)
  std::string body;
  std::string error;
};

struct HttpRequest {
  std::string method = "GET";
  std::string path;  // absolute path on the URL's host
  std::string body;
  std::string content_type = "application/json";
  std::chrono::milliseconds timeout{5000};
  std::size_t max_response = 16 * 1024 * 1024;
};

asio::awaitable<HttpReply> http_exchange(asio::any_io_executor executor, HttpUrl url,
                                         HttpRequest request);

// Runs http_exchange on a private io_context and waits: for CLI commands only.
HttpReply http_exchange_blocking(const HttpUrl& url, const HttpRequest& request);

}  // namespace flotilla::observe
