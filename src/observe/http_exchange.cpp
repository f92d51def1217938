#include "observe/http_exchange.hpp"

#include <array>

#include <fmt/format.h>
#include <asio/co_spawn.hpp>
#include <asio/connect.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>

#include "http/body_reader.hpp"
#include "http/response_parser.hpp"
#include "net/watchdog.hpp"

namespace flotilla::observe {
namespace {

constexpr auto use_nothrow = asio::experimental::as_tuple(asio::use_awaitable);

// Splits the body out of a complete response (head + framed body) read until the peer closed.
HttpReply decode(std::string_view data) {
  HttpReply reply;
  http::ResponseParser parser;
  std::size_t offset = 0;
  for (;;) {
    parser.reset(http::Method::kGet);
    const http::ParseResult parsed = parser.parse(data.substr(offset));
    if (!parsed.complete()) {
      reply.error = data.empty() ? "connection closed without a response" : "invalid response head";
      return reply;
    }
    offset += parsed.consumed;
    if (!parser.head().informational) break;
  }
  reply.status = parser.head().status;
  http::BodyReader body;
  body.start(parser.head().framing, parser.head().content_length);
  std::string_view rest = data.substr(offset);
  while (!body.done() && !rest.empty()) {
    const http::BodyStep step = body.next(rest);
    if (step.failed()) {
      reply.error = "invalid response body";
      return reply;
    }
    reply.body.append(step.data);
    rest.remove_prefix(step.consumed);
    if (step.consumed == 0 && step.data.empty()) break;
  }
  if (!body.done() && body.finish_at_eof() != http::ParseError::kNone) {
    reply.error = "response body truncated";
  }
  return reply;
}

}  // namespace

std::optional<HttpUrl> parse_http_url(std::string_view text) {
  constexpr std::string_view kScheme = "http://";
  if (!text.starts_with(kScheme)) return std::nullopt;
  text.remove_prefix(kScheme.size());
  HttpUrl url;
  const std::size_t slash = text.find('/');
  std::string_view authority = text.substr(0, slash);
  if (slash != std::string_view::npos) url.path = std::string(text.substr(slash));
  while (url.path.size() > 1 && url.path.back() == '/') url.path.pop_back();
  if (authority.empty()) return std::nullopt;
  if (authority.front() == '[') {  // [v6]:port
    const std::size_t close = authority.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    url.host = std::string(authority.substr(1, close - 1));
    authority.remove_prefix(close + 1);
    if (!authority.empty()) {
      if (authority.front() != ':') return std::nullopt;
      url.port = std::string(authority.substr(1));
    }
  } else {
    const std::size_t colon = authority.rfind(':');
    url.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) url.port = std::string(authority.substr(colon + 1));
  }
  if (url.host.empty() || url.port.empty() ||
      url.port.find_first_not_of("0123456789") != std::string::npos) {
    return std::nullopt;
  }
  return url;
}

// GCC 12 reports a false -Wmismatched-new-delete on this coroutine's frame (Asio's
// class-specific operator new/delete, as in the Sanitize build; see CMakeLists.txt).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
asio::awaitable<HttpReply> http_exchange(asio::any_io_executor executor, HttpUrl url,
                                         HttpRequest request) {
  HttpReply reply;
  asio::ip::tcp::socket socket(executor);
  net::Watchdog watchdog(executor, [&socket] {
    std::error_code ignored;
    socket.close(ignored);
  });
  watchdog.expires_after(request.timeout);
  asio::ip::tcp::resolver resolver(executor);
  auto [resolve_error, endpoints] =
      co_await resolver.async_resolve(url.host, url.port, use_nothrow);
  if (resolve_error) {
    reply.error = watchdog.expired() ? "timeout" : resolve_error.message();
    co_return reply;
  }
  auto [connect_error, connected] = co_await asio::async_connect(socket, endpoints, use_nothrow);
  if (connect_error) {
    reply.error = watchdog.expired() ? "timeout" : connect_error.message();
    co_return reply;
  }

  const bool v6 = url.host.find(':') != std::string::npos;
  std::string head = fmt::format(
      "{} {} HTTP/1.1\r\nHost: {}{}{}:{}\r\nUser-Agent: flotilla/{}\r\nAccept: "
      "application/json\r\nConnection: close\r\n",
      request.method, request.path, v6 ? "[" : "", url.host, v6 ? "]" : "", url.port,
      FLOTILLA_VERSION);
  if (!request.body.empty() || request.method == "POST" || request.method == "PUT") {
    head += fmt::format("Content-Type: {}\r\nContent-Length: {}\r\n", request.content_type,
                        request.body.size());
  }
  head += "\r\n";
  const std::array<asio::const_buffer, 2> buffers{asio::buffer(head), asio::buffer(request.body)};
  auto [write_error, written] = co_await asio::async_write(socket, buffers, use_nothrow);
  if (write_error) {
    reply.error = watchdog.expired() ? "timeout" : write_error.message();
    co_return reply;
  }

  std::string data;
  std::array<char, 16 * 1024> chunk;
  for (;;) {
    auto [read_error, n] = co_await socket.async_read_some(asio::buffer(chunk), use_nothrow);
    data.append(chunk.data(), n);
    if (data.size() > request.max_response) {
      reply.error = "response too large";
      co_return reply;
    }
    if (read_error == asio::error::eof) break;
    if (read_error) {
      reply.error = watchdog.expired() ? "timeout" : read_error.message();
      co_return reply;
    }
  }
  co_return decode(data);
}
#pragma GCC diagnostic pop

}  // namespace flotilla::observe
