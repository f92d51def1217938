// A minimal HTTP/1.1 GET for health checking (upstream active checks now, instance probes later):
// one request on a fresh connection, `Connection: close`, bounded by a timeout. Control-plane
// only; never used on the request path.
#pragma once

#include <chrono>
#include <string>

#include <asio/any_io_executor.hpp>
#include <asio/awaitable.hpp>
#include <asio/ip/tcp.hpp>

namespace flotilla::gateway {

struct HttpCheckResult {
  int status = 0;     // 0 when no response head arrived
  std::string error;  // why, when status is 0
};

asio::awaitable<HttpCheckResult> http_check(asio::any_io_executor executor,
                                            asio::ip::tcp::endpoint endpoint, std::string host,
                                            std::string path, std::chrono::milliseconds timeout);

}  // namespace flotilla::gateway
