#include "gateway/http_check.hpp"

#include <array>

#include <fmt/format.h>
#include <asio/write.hpp>

#include "net/async.hpp"
#include "http/response_parser.hpp"
#include "net/watchdog.hpp"

namespace flotilla::gateway {

asio::awaitable<HttpCheckResult> http_check(asio::any_io_executor executor,
                                            asio::ip::tcp::endpoint endpoint, std::string host,
                                            std::string path, std::chrono::milliseconds timeout) {
  HttpCheckResult result;
  asio::ip::tcp::socket socket(executor);
  net::Watchdog watchdog(executor, [&socket] {
    std::error_code ignored;
    socket.close(ignored);
  });
  watchdog.expires_after(timeout);

  auto [connect_error] = co_await socket.async_connect(endpoint, net::use_nothrow);
  if (connect_error) {
    result.error = watchdog.expired() ? "timeout" : connect_error.message();
    co_return result;
  }
  const std::string request = fmt::format(
      "GET {} HTTP/1.1\r\nHost: {}\r\nUser-Agent: flotilla-health-check\r\nConnection: "
      "close\r\n\r\n",
      path, host);
  auto [write_error, written] =
      co_await asio::async_write(socket, asio::buffer(request), net::use_nothrow);
  if (write_error) {
    result.error = watchdog.expired() ? "timeout" : write_error.message();
    co_return result;
  }

  std::array<char, 8192> buffer;
  std::size_t filled = 0;
  http::ResponseParser parser;
  parser.reset(http::Method::kGet);
  for (;;) {
    if (filled > 0) {
      const http::ParseResult parsed = parser.parse({buffer.data(), filled});
      if (parsed.complete() && !parser.head().informational) {
        result.status = parser.head().status;
        co_return result;
      }
      if (parsed.failed() || filled == buffer.size()) {
        result.error = "invalid response head";
        co_return result;
      }
      if (parsed.complete()) {  // an interim 1xx: drop it and parse what follows
        std::copy(buffer.begin() + parsed.consumed, buffer.begin() + filled, buffer.begin());
        filled -= parsed.consumed;
        parser.reset(http::Method::kGet);
        continue;
      }
    }
    auto [read_error, n] = co_await socket.async_read_some(
        asio::buffer(buffer.data() + filled, buffer.size() - filled), net::use_nothrow);
    if (read_error) {
      result.error = watchdog.expired() ? "timeout" : read_error.message();
      co_return result;
    }
    filled += n;
  }
}

}  // namespace flotilla::gateway
