// The demo connection's request loop, top to bottom: read a head, answer it, drop any unread
// body, repeat. Pipelined requests are simply the bytes left in the buffer after an exchange.
#include "demo/demo_connection.hpp"

#include <fmt/format.h>
#include <asio/experimental/awaitable_operators.hpp>

#include "demo/demo_exchange.hpp"
#include "demo/demo_routes.hpp"
#include "demo/json_response.hpp"

namespace flotilla::demo {

using namespace asio::experimental::awaitable_operators;

DemoConnection::DemoConnection(asio::ip::tcp::socket socket, DemoContext& context)
    : stream_(std::move(socket)), context_(context) {}

asio::awaitable<void> DemoConnection::run() {
  try {
    co_await (serve_then_close() || stream_.watchdog());
  } catch (const std::exception& e) {
    fmt::print(stderr, "demo-app: connection error: {}\n", e.what());
  }
  stream_.close();
}

// g++ 12 miscompiles a co_await that is itself an `if`/`while` condition (the coroutine resumes
// into a bad state): in this module every awaited result is named first, then tested.
asio::awaitable<void> DemoConnection::serve_then_close() {
  const bool linger = co_await serve();
  if (linger) co_await stream_.linger_close();
}

asio::awaitable<bool> DemoConnection::serve() {
  for (;;) {
    parser_.reset();
    http::ParseResult result = parser_.parse(stream_.buffered());
    while (result.incomplete()) {
      const bool idle = stream_.buffered().empty();
      if (idle && stream_.stopping()) co_return false;
      stream_.set_idle(idle);
      const std::error_code ec = co_await stream_.read_more(idle ? kIdleTimeout : kIoTimeout);
      stream_.set_idle(false);
      if (ec) co_return false;  // EOF, reset, timeout or stop: nothing to answer
      result = parser_.parse(stream_.buffered());
    }
    if (result.failed()) {
      co_await reject(result);
      co_return true;
    }

    Exchange exchange(stream_, make_request(parser_.head()), context_);
    stream_.consume(result.consumed);
    co_await dispatch(exchange);
    if (exchange.upgraded()) co_return false;
    if (!exchange.responded()) co_await exchange.reply(json_error(500, "no response"));
    if (!exchange.keep_alive()) co_return true;
    // What the handler did not read of the body must go before the next head can be parsed.
    const bool skipped = co_await exchange.discard_body();
    if (!skipped) co_return false;
  }
}

asio::awaitable<void> DemoConnection::reject(const http::ParseResult& result) {
  const int status = result.http_status != 0 ? result.http_status : 400;
  const Reply reply = json_error(status, http::to_string(result.error));
  ResponseHeadSpec spec;
  spec.status = status;
  spec.content_length = reply.body.size();
  spec.content_type = reply.content_type;
  spec.server = kServerName;
  spec.keep_alive = false;
  const std::string head = format_response_head(spec);
  const std::array<asio::const_buffer, 2> buffers{asio::buffer(head), asio::buffer(reply.body)};
  co_await stream_.write(buffers);
}

}  // namespace flotilla::demo
