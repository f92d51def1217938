#include "gateway/upstream_attempt.hpp"

#include <asio/experimental/awaitable_operators.hpp>
#include <asio/write.hpp>

#include "net/async.hpp"
#include "gateway/request_body_pump.hpp"
#include "gateway/response_relay.hpp"
#include "gateway/worker.hpp"

namespace flotilla::gateway {
namespace {

using upstream::Outcome;
using upstream::OutcomeKind;

constexpr std::string_view k100Continue = "HTTP/1.1 100 Continue\r\n\r\n";

AttemptResult failed(OutcomeKind kind, std::uint32_t reason, bool request_sent) {
  AttemptResult result;
  result.end = AttemptResult::End::kFailed;
  result.outcome = Outcome::error(kind);
  result.retry_reason = reason;
  result.request_sent = request_sent;
  return result;
}

// A fresh connection to `endpoint`, or null with `failure` set. (A pooled one is taken by the
// caller without a coroutine of its own: that is the common case.)
net::Awaitable<std::unique_ptr<UpstreamConnection>> connect(Exchange& exchange,
                                                       const asio::ip::tcp::endpoint& endpoint,
                                                       AttemptResult& failure) {
  Worker& worker = exchange.session.worker();
  auto connection = std::make_unique<UpstreamConnection>(net::Socket(worker.context()), endpoint);
  connection->watchdog().expires_after(exchange.route.timeouts.connect);
  auto [ec] = co_await connection->socket().async_connect(endpoint, net::use_nothrow_io);
  if (ec) {
    failure = connection->watchdog().expired()
                  ? failed(OutcomeKind::timeout, kRetryTimeout, false)
                  : failed(OutcomeKind::connect_error, kRetryError, false);
    co_return nullptr;
  }
  std::error_code ignored;
  connection->socket().set_option(asio::ip::tcp::no_delay(true), ignored);
  co_return connection;
}

// The head and the body bytes that arrived with it, as one gather list (one writev).
std::span<const asio::const_buffer> head_buffers(Exchange& exchange) {
  Workspace& ws = exchange.session.workspace();
  ws.iov.clear();
  for (const http::IoPiece& piece : exchange.head_pieces)
    ws.iov.emplace_back(piece.data, piece.size);
  if (exchange.body_in_buffer > 0) {
    ws.iov.emplace_back(ws.buffer.get() + exchange.session.head_consumed(),
                        exchange.body_in_buffer);
  }
  return ws.iov;
}

// The rest of the body streams while the response is read: an upstream may answer (or echo)
// before the body ends, and waiting for the body first could deadlock both sides.
net::Awaitable<AttemptResult> stream_body_and_relay(Exchange& exchange, UpstreamConnection& connection,
                                               bool& reusable) {
  using namespace asio::experimental::awaitable_operators;
  if (exchange.expect_continue && !exchange.continue_sent) {
    exchange.continue_sent = true;
    auto [ec, n] = co_await asio::async_write(exchange.session.socket(), asio::buffer(k100Continue),
                                              net::use_nothrow_io);
    if (ec) {
      co_return client_gone_result(exchange);
    }
  }
  auto [pumped, relayed] = co_await (pump_request_body(exchange, connection) &&
                                     relay_response(exchange, connection, reusable));
  exchange.body_pumped = pumped;
  AttemptResult result = relayed;
  if (!pumped) {
    reusable = false;
    result.keep_client = false;
    if (exchange.body_error != 0 && result.end == AttemptResult::End::kFailed) {
      result.end = AttemptResult::End::kAborted;
      result.client_error = exchange.body_error;
      result.outcome = Outcome::error(OutcomeKind::cancelled);
    }
  }
  co_return result;
}

}  // namespace

net::Awaitable<AttemptResult> run_attempt(Exchange& exchange, const asio::ip::tcp::endpoint& endpoint) {
  Worker& worker = exchange.session.worker();
  const bool replayable_on_failure = exchange.idempotent || exchange.route.retry.non_idempotent;
  bool may_reuse = true;
  for (;;) {
    // A pooled connection when there is one (no coroutine, no syscall), else a new one.
    std::unique_ptr<UpstreamConnection> connection;
    if (may_reuse) connection = worker.connection_pool().take(endpoint, !replayable_on_failure);
    const bool pooled = connection != nullptr;
    if (!connection) {
      AttemptResult failure;
      connection = co_await connect(exchange, endpoint, failure);
      if (!connection) co_return failure;
    }
    connection->count_request();

    connection->watchdog().expires_after(exchange.route.timeouts.send);
    auto [send_error, sent] =
        co_await asio::async_write(connection->socket(), head_buffers(exchange), net::use_nothrow_io);
    // `stale`: a pooled connection broke before any response byte, because the peer had closed
    // it while idle (or closed it as the request arrived).
    bool stale = false;
    AttemptResult result;
    bool reusable = false;
    if (send_error) {
      const bool timed_out = connection->watchdog().expired();
      stale = pooled && !timed_out;
      result = timed_out ? failed(OutcomeKind::timeout, kRetryTimeout, true)
                         : failed(OutcomeKind::reset, kRetryError, true);
    } else {
      if (exchange.body.done()) {
        result = co_await relay_response(exchange, *connection, reusable);
      } else {
        result = co_await stream_body_and_relay(exchange, *connection, reusable);
      }
      stale = pooled && result.end == AttemptResult::End::kFailed &&
              result.outcome.kind == OutcomeKind::reset && connection->buffered() == 0;
      if (reusable && result.end == AttemptResult::End::kForwarded) {
        worker.connection_pool().give_back(std::move(connection), exchange.upstream.keepalive);
      }
    }
    // A stale pooled connection says nothing about the endpoint, and with a single server there
    // is no other endpoint to retry on: a request that may be replayed goes again, once, on a
    // fresh connection to the same endpoint (nginx gives a failed cached connection an extra
    // try too).
    const bool may_replay = !exchange.body_streamed && replayable_on_failure;
    if (!(stale && may_reuse && may_replay)) co_return result;
    may_reuse = false;
  }
}

}  // namespace flotilla::gateway
