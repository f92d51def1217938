#include "gateway/upstream_attempt.hpp"

#include <asio/experimental/awaitable_operators.hpp>
#include <asio/write.hpp>

#include "gateway/async.hpp"
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

Awaitable<std::unique_ptr<UpstreamConnection>> connect(Exchange& exchange,
                                                       const asio::ip::tcp::endpoint& endpoint,
                                                       bool may_reuse, AttemptResult& failure) {
  Worker& worker = exchange.session.worker();
  if (may_reuse) {
    const bool replayable_on_failure = exchange.idempotent || exchange.route.retry.non_idempotent;
    if (auto pooled = worker.connection_pool().take(endpoint, !replayable_on_failure)) {
      co_return pooled;
    }
  }
  auto connection = std::make_unique<UpstreamConnection>(net::Socket(worker.context()), endpoint);
  connection->watchdog().expires_after(exchange.route.timeouts.connect);
  auto [ec] = co_await connection->socket().async_connect(endpoint, use_nothrow_io);
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

// Head and the body bytes that arrived with it, in one writev.
Awaitable<std::error_code> send_head(Exchange& exchange, UpstreamConnection& connection) {
  Workspace& ws = exchange.session.workspace();
  ws.iov.clear();
  for (const http::IoPiece& piece : exchange.head_pieces)
    ws.iov.emplace_back(piece.data, piece.size);
  if (exchange.body_in_buffer > 0) {
    ws.iov.emplace_back(ws.buffer.get() + exchange.session.head_consumed(),
                        exchange.body_in_buffer);
  }
  connection.watchdog().expires_after(exchange.route.timeouts.send);
  auto [ec, n] = co_await asio::async_write(
      connection.socket(), std::span<const asio::const_buffer>(ws.iov), use_nothrow_io);
  co_return ec;
}

// One try on one connection. `stale` tells that a pooled connection broke before any response
// byte: the peer had closed it while idle (or closed it as the request arrived).
Awaitable<AttemptResult> try_connection(Exchange& exchange, const asio::ip::tcp::endpoint& endpoint,
                                        bool may_reuse, bool& stale) {
  using namespace asio::experimental::awaitable_operators;
  stale = false;
  AttemptResult failure;
  std::unique_ptr<UpstreamConnection> connection =
      co_await connect(exchange, endpoint, may_reuse, failure);
  if (!connection) co_return failure;
  const bool pooled = connection->requests() > 0;
  connection->count_request();

  const std::error_code send_error = co_await send_head(exchange, *connection);
  if (send_error) {
    const bool timed_out = connection->watchdog().expired();
    stale = pooled && !timed_out;
    co_return timed_out ? failed(OutcomeKind::timeout, kRetryTimeout, true)
                        : failed(OutcomeKind::reset, kRetryError, true);
  }

  bool reusable = false;
  AttemptResult result;
  if (exchange.body.done()) {
    result = co_await relay_response(exchange, *connection, reusable);
  } else {
    // The rest of the body streams while the response is read: an upstream may answer (or echo)
    // before the body ends, and waiting for the body first could deadlock both sides.
    if (exchange.expect_continue && !exchange.continue_sent) {
      exchange.continue_sent = true;
      auto [ec, n] = co_await asio::async_write(exchange.session.socket(),
                                                asio::buffer(k100Continue), use_nothrow_io);
      if (ec) {
        AttemptResult aborted;
        aborted.end = AttemptResult::End::kAborted;
        aborted.outcome = Outcome::error(OutcomeKind::cancelled);
        exchange.client_closed = true;
        co_return aborted;
      }
    }
    auto [pumped, relayed] = co_await (pump_request_body(exchange, *connection) &&
                                       relay_response(exchange, *connection, reusable));
    exchange.body_pumped = pumped;
    result = relayed;
    if (!pumped) {
      reusable = false;
      result.keep_client = false;
      if (exchange.body_error != 0 && result.end == AttemptResult::End::kFailed) {
        result.end = AttemptResult::End::kAborted;
        result.client_error = exchange.body_error;
        result.outcome = Outcome::error(OutcomeKind::cancelled);
      }
    }
  }
  if (reusable && result.end == AttemptResult::End::kForwarded) {
    exchange.session.worker().connection_pool().give_back(std::move(connection),
                                                          exchange.upstream.keepalive);
  }
  stale = pooled && result.end == AttemptResult::End::kFailed &&
          result.outcome.kind == OutcomeKind::reset && connection && connection->buffered() == 0;
  co_return result;
}

}  // namespace

Awaitable<AttemptResult> run_attempt(Exchange& exchange, const asio::ip::tcp::endpoint& endpoint) {
  bool stale = false;
  AttemptResult result = co_await try_connection(exchange, endpoint, true, stale);
  // A stale pooled connection says nothing about the endpoint, and with a single server there is
  // no other endpoint to retry on: a request that may be replayed goes again, once, on a fresh
  // connection to the same endpoint (nginx gives a failed cached connection an extra try too).
  const bool may_replay =
      !exchange.body_streamed && (exchange.idempotent || exchange.route.retry.non_idempotent);
  if (stale && may_replay) {
    result = co_await try_connection(exchange, endpoint, false, stale);
  }
  co_return result;
}

}  // namespace flotilla::gateway
