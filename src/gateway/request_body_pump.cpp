#include "gateway/request_body_pump.hpp"

#include <cstring>

#include <asio/write.hpp>

#include "net/async.hpp"
#include "gateway/worker.hpp"

namespace flotilla::gateway {

net::Awaitable<bool> pump_request_body(Exchange& exchange, UpstreamConnection& connection) {
  ClientSession& session = exchange.session;
  Workspace& ws = session.workspace();
  const ListenerSettings& listener = session.worker().listener(session.listener_index());
  std::error_code ignored;
  exchange.body_streamed = true;
  session.filled() = 0;  // head and buffered body already went upstream
  while (!exchange.body.done()) {
    session.watchdog().expires_after(listener.body_timeout);
    exchange.pump_reading = true;
    auto [read_error, n] = co_await session.socket().async_read_some(
        asio::buffer(ws.buffer.get(), ws.capacity), net::use_nothrow_io);
    exchange.pump_reading = false;
    if (read_error) {
      connection.socket().close(ignored);  // a half-sent request must not reach the app
      co_return false;
    }
    std::string_view input(ws.buffer.get(), n);
    std::size_t body_bytes = 0;
    while (!exchange.body.done() && body_bytes < n) {
      const http::BodyStep step = exchange.body.next(input.substr(body_bytes));
      if (step.failed()) {
        exchange.body_error = 400;
        connection.socket().close(ignored);
        co_return false;
      }
      body_bytes += step.consumed;
      if (step.consumed == 0) break;
    }
    if (listener.max_body != 0 && exchange.body.body_bytes() > listener.max_body) {
      exchange.body_error = 413;
      connection.socket().close(ignored);
      co_return false;
    }
    connection.watchdog().expires_after(exchange.route.timeouts.send);
    auto [write_error, written] = co_await asio::async_write(
        connection.socket(), asio::buffer(ws.buffer.get(), body_bytes), net::use_nothrow_io);
    if (write_error) co_return false;
    if (exchange.body.done() && body_bytes < n) {
      std::memmove(ws.buffer.get(), ws.buffer.get() + body_bytes, n - body_bytes);
      session.filled() = n - body_bytes;
    }
  }
  if (!exchange.client_write_pending) session.watchdog().disarm();
  co_return true;
}

}  // namespace flotilla::gateway
