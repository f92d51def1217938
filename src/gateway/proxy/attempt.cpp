#include "gateway/proxy/attempt.hpp"

#include <cstring>
#include <optional>

#include <asio/co_spawn.hpp>

#include "gateway/pipeline/request_body.hpp"
#include "gateway/pipeline/response_sink.hpp"
#include "gateway/proxy/body_pump.hpp"
#include "gateway/worker.hpp"
#include "gateway/workspace.hpp"
#include "http/chunked_encoder.hpp"
#include "net/coarse_clock.hpp"

#include <spdlog/spdlog.h>

namespace flotilla::gateway {
namespace {

using upstream::OutcomeKind;

HeadOutcome failed(OutcomeKind kind, bool request_sent) {
  HeadOutcome outcome;
  outcome.end.head = false;
  outcome.end.failure = kind;
  outcome.end.request_sent = request_sent;
  return outcome;
}

HeadOutcome client_left() {
  HeadOutcome outcome = failed(OutcomeKind::cancelled, true);
  outcome.client_gone = true;
  return outcome;
}

// The name TLS to the try's endpoint is started with (SNI, and the name verified).
std::string_view tls_name(const Exchange& exchange, std::uint32_t index) {
  const WorkerUpstream& upstream = exchange.upstream;
  return index < upstream.tls_names.size() ? std::string_view(upstream.tls_names[index]) : "";
}

// Keeps TryControl::live naming the connection the try holds, and nothing after the try ends.
struct LiveConnection {
  TryControl& control;
  explicit LiveConnection(TryControl& c) : control(c) {}
  LiveConnection(const LiveConnection&) = delete;
  LiveConnection& operator=(const LiveConnection&) = delete;
  ~LiveConnection() { control.live = nullptr; }
};

// A fresh connection to `endpoint`, or null with `failure` set. (A pooled one is taken by the
// caller without a coroutine of its own: that is the common case.)
net::Awaitable<std::unique_ptr<UpstreamConnection>> connect(Exchange& exchange,
                                                            const asio::ip::tcp::endpoint& endpoint,
                                                            HeadOutcome& failure,
                                                            TryControl& control) {
  Worker& worker = exchange.ctx.worker;
  auto connection = std::make_unique<UpstreamConnection>(net::Socket(worker.context()), endpoint);
  control.live = connection.get();
  const auto connect_deadline = net::coarse_now() + exchange.route.timeouts.connect;
  connection->watchdog().expires_at(control.head_timeout.count() > 0
                                        ? std::min(connect_deadline, control.deadline)
                                        : connect_deadline);
  auto [ec] = co_await connection->stream().socket().async_connect(endpoint, net::use_nothrow_io);
  if (ec) {
    control.per_try_timed_out =
        control.per_try_timed_out ||
        (connection->watchdog().expired() && control.head_timeout.count() > 0 &&
         net::coarse_now() >= control.deadline);
    failure = connection->watchdog().expired() || control.per_try_timed_out
                  ? failed(OutcomeKind::timeout, false)
                  : failed(OutcomeKind::connect_error, false);
    if (control.cancelled) failure = failed(OutcomeKind::cancelled, false);
    control.live = nullptr;  // the connection goes with this frame
    co_return nullptr;
  }
  std::error_code ignored;
  connection->stream().socket().set_option(asio::ip::tcp::no_delay(true), ignored);
  // Non-blocking, so that the request can be written at once (Stream::write_now).
  connection->stream().socket().non_blocking(true, ignored);
  WorkerUpstream& upstream = exchange.upstream;
  if (!upstream.tls) co_return connection;

  // TLS to the upstream, within the connect timeout, offering the endpoint's last session.
  const std::uint32_t index = control.endpoint_index;
  const std::string_view name = tls_name(exchange, index);
  connection->set_tls_name(name);
  SSL_SESSION* resume =
      index < upstream.tls_sessions.size() ? upstream.tls_sessions[index].get() : nullptr;
  tls::Stream& stream = connection->stream();
  std::error_code tls_error = stream.start_client(*upstream.tls, name, resume);
  if (!tls_error) tls_error = co_await stream.handshake();
  if (tls_error) {
    const bool timed_out = connection->watchdog().expired();
    const auto now = net::coarse_now();
    if (now - upstream.tls_warned >= std::chrono::seconds(1)) {
      upstream.tls_warned = now;
      spdlog::warn("upstream {}: TLS to {} failed: {}", upstream.state.spec().name,
                   endpoint.address().to_string(),
                   timed_out ? std::string("timed out") : tls_error.message());
    }
    failure = failed(timed_out ? OutcomeKind::timeout : OutcomeKind::connect_error, false);
    control.live = nullptr;
    co_return nullptr;
  }
  co_return connection;
}

// The head and the body held so far, as one gather list (one writev). A chunked body goes as
// one canonical chunk of everything held, plus the last chunk when the body is complete.
std::span<const asio::const_buffer> request_buffers(Exchange& exchange) {
  Workspace& ws = exchange.ctx.ws;
  RequestBody& body = exchange.ctx.body;
  ws.iov.clear();
  for (const http::IoPiece& piece : exchange.head_pieces)
    ws.iov.emplace_back(piece.data, piece.size);
  const std::string_view held = body.buffered();
  if (!exchange.chunked_body) {
    if (!held.empty()) ws.iov.emplace_back(held.data(), held.size());
    return ws.iov;
  }
  if (!held.empty()) {
    const std::size_t n = http::write_chunk_header(ws.framing, held.size());
    ws.iov.emplace_back(ws.framing.data(), n);
    ws.iov.emplace_back(held.data(), held.size());
    ws.iov.emplace_back(http::kChunkDataEnd.data(), http::kChunkDataEnd.size());
  }
  if (body.complete()) {
    const std::string_view trailers = body.trailers();
    if (trailers.empty()) {
      ws.iov.emplace_back(http::kLastChunk.data(), http::kLastChunk.size());
    } else {  // `0\r\n`, the trailer lines, the final CRLF
      ws.iov.emplace_back(http::kLastChunk.data(), 3);
      ws.iov.emplace_back(trailers.data(), trailers.size());
      ws.iov.emplace_back(http::kChunkDataEnd.data(), http::kChunkDataEnd.size());
    }
  }
  return ws.iov;
}

// Clears the connection's watch for a client that leaves (see obtain_head), however the read ends.
struct PresenceWatch {
  RequestContext& ctx;
  PresenceWatch(RequestContext& c, tls::Stream* upstream) : ctx(c) {
    if (upstream) ctx.presence.watch_while_waiting(upstream);
  }
  PresenceWatch(const PresenceWatch&) = delete;
  PresenceWatch& operator=(const PresenceWatch&) = delete;
  ~PresenceWatch() { ctx.presence.watch_while_waiting(nullptr); }
};

// The response head is parsed from the connection's buffer: a final head (the outcome), an
// interim one (`interim` set, its size in `head_size`), or neither yet.
enum class HeadStep : std::uint8_t { kFinal, kInterim, kMore, kInvalid };

HeadStep parse_head(UpstreamConnection& connection, HeadOutcome& outcome) {
  const http::ParseResult parsed =
      connection.parser().parse({connection.buffer(), connection.buffered()});
  if (parsed.complete()) {
    outcome.head_size = parsed.consumed;
    if (connection.parser().head().informational) return HeadStep::kInterim;
    outcome.end.head = true;
    outcome.end.status = connection.parser().head().status;
    outcome.end.request_sent = true;
    return HeadStep::kFinal;
  }
  if (parsed.failed() || connection.buffered() == UpstreamConnection::kBufferSize) {
    return HeadStep::kInvalid;
  }
  return HeadStep::kMore;
}

void start_pump(Exchange& exchange, UpstreamConnection& connection) {
  Worker& worker = exchange.ctx.worker;
  if (!exchange.pump) exchange.pump = std::make_unique<BodyPump>(worker.context().get_executor());
  BodyPump& pump = *exchange.pump;
  pump.running = true;
  pump.target = &connection;
  asio::co_spawn(worker.context(), pump_request_body(exchange, connection),
                 [&pump](std::exception_ptr error, bool ok) {
                   pump.running = false;
                   pump.ok = ok && !error;
                   pump.target = nullptr;
                   pump.finished.cancel();
                 });
}

}  // namespace

net::Awaitable<void> finish_pump(Exchange& exchange, bool stop) {
  if (!exchange.pump) co_return;
  BodyPump& pump = *exchange.pump;
  if (stop && pump.running) {
    if (pump.target) pump.target->stream().close();
    exchange.ctx.body.cancel_stream();
  }
  while (pump.running) co_await pump.finished.async_wait(net::use_nothrow_io);
}

void TryControl::cancel() {
  cancelled = true;
  if (live) live->stream().close();
}

void TryControl::time_out() {
  per_try_timed_out = true;
  if (live) live->stream().close();
}

net::Awaitable<HeadOutcome> obtain_head(Exchange& exchange, asio::ip::tcp::endpoint endpoint) {
  TryControl control;
  control.endpoint_index = exchange.endpoint_index;
  co_return co_await obtain_head(exchange, endpoint, control);
}

net::Awaitable<HeadOutcome> obtain_head(Exchange& exchange, asio::ip::tcp::endpoint endpoint,
                                        TryControl& control) {
  const LiveConnection live(control);
  if (control.head_timeout.count() > 0) control.deadline = net::coarse_now() + control.head_timeout;
  RequestContext& ctx = exchange.ctx;
  Worker& worker = ctx.worker;
  const bool replayable_on_failure = exchange.idempotent || exchange.route.retry.non_idempotent;
  bool may_reuse = true;
  // A pooled connection that broke, while its fresh replacement is being tried.
  std::optional<HeadOutcome> stale_break;
  for (;;) {
    // A pooled connection when there is one (no coroutine, no syscall), else a new one.
    std::unique_ptr<UpstreamConnection> connection;
    if (may_reuse) {
      connection = worker.connection_pool().take(endpoint, exchange.upstream.tls.get(),
                                                 tls_name(exchange, control.endpoint_index),
                                                 !replayable_on_failure);
    }
    const bool pooled = connection != nullptr;
    if (!connection) {
      HeadOutcome failure;
      connection = co_await connect(exchange, endpoint, failure, control);
      // Refused right after a pooled connection broke: the endpoint went away with the request
      // (its process ended), which is what the exchange must judge, not the refusal.
      if (!connection && stale_break && failure.end.failure == OutcomeKind::connect_error) {
        co_return std::move(*stale_break);
      }
      if (!connection) co_return failure;
    }
    control.live = connection.get();
    if (control.cancelled) co_return failed(OutcomeKind::cancelled, false);
    if (control.per_try_timed_out) co_return failed(OutcomeKind::timeout, false);
    connection->count_request();

    connection->watchdog().expires_after(exchange.route.timeouts.send);
    // The head (and held body) normally fit the socket's buffer: sent without an Asio operation.
    const std::span<const asio::const_buffer> pieces = request_buffers(exchange);
    std::error_code send_error;
    const std::size_t sent = connection->stream().write_now(pieces, send_error);
    if (send_error == asio::error::would_block) {  // nothing written (or TLS): the whole write
      auto [write_error, written] = co_await connection->stream().write(pieces);
      send_error = write_error;
    } else if (!send_error && sent < asio::buffer_size(pieces)) {
      auto [rest_error, written] = co_await connection->stream().write_rest(pieces, sent);
      send_error = rest_error;
    }
    HeadOutcome outcome;
    if (send_error) {
      const bool timed_out = connection->watchdog().expired() || control.per_try_timed_out;
      outcome = failed(timed_out ? OutcomeKind::timeout : OutcomeKind::reset, true);
    } else {
      if (!ctx.body.complete()) {
        const bool client_waits = co_await ctx.body.begin_stream();
        if (!client_waits) co_return client_left();
        start_pump(exchange, *connection);
      }
      // Reads until a final response head is parsed; interim 1xx heads go to the client (the
      // sink drops what its protocol cannot carry). In this frame: it runs for every request.
      // A client that leaves while the upstream thinks is noticed by its connection, which then
      // closes the upstream stream: the read ends, and so does the exchange (nginx's
      // proxy_ignore_client_abort off). With ignore_client_abort the upstream finishes its work.
      http::ResponseParser& parser = connection->parser();
      std::size_t& buffered = connection->buffered();
      parser.reset(ctx.head.method);
      const PresenceWatch watch(ctx, exchange.route.ignore_client_abort || !control.watch_client
                                         ? nullptr
                                         : &connection->stream());
      // A per-try timeout bounds the whole wait for the head; the read timeout still bounds
      // each wait between two reads.
      const bool per_try = control.head_timeout.count() > 0;
      // A hedged try's per-try deadline is kept by its HedgedTry in the worker's HedgeQueue (which
      // closes the connection through time_out()): on the watchdog, a deadline ~250 ms away made
      // every upstream connection's timer fire and re-arm four times a second.
      const bool watchdog_per_try = per_try && !control.deadline_by_queue;
      const auto head_deadline = control.deadline;
      for (;;) {
        const HeadStep step = parse_head(*connection, outcome);
        if (step == HeadStep::kFinal) break;
        if (step == HeadStep::kInvalid) {
          outcome = failed(OutcomeKind::invalid_header, true);
          break;
        }
        if (step == HeadStep::kInterim) {
          const std::size_t size = outcome.head_size;
          if (parser.head().status != 100 && control.watch_client) {  // 100 Continue: ours
            auto [ec, n] = co_await ctx.sink.interim(parser.head(),
                                                     std::string_view(connection->buffer(), size));
            if (ec) {
              outcome = client_left();
              break;
            }
          }
          std::memmove(connection->buffer(), connection->buffer() + size, buffered - size);
          buffered -= size;
          outcome.head_size = 0;
          parser.reset(ctx.head.method);
          continue;
        }
        const auto read_deadline = net::coarse_now() + exchange.route.timeouts.read;
        connection->watchdog().expires_at(watchdog_per_try ? std::min(read_deadline, head_deadline)
                                                           : read_deadline);
        auto [ec, n] = co_await connection->stream().read_some(asio::buffer(
            connection->buffer() + buffered, UpstreamConnection::kBufferSize - buffered));
        if (ec) {
          if (control.cancelled) {
            outcome = failed(OutcomeKind::cancelled, true);
          } else if (control.watch_client && ctx.presence.client_gone()) {
            outcome = client_left();
          } else if (connection->watchdog().expired() || control.per_try_timed_out) {
            outcome = failed(OutcomeKind::timeout, true);
            control.per_try_timed_out =
                control.per_try_timed_out || (per_try && net::coarse_now() >= head_deadline);
          } else {
            outcome = failed(OutcomeKind::reset, true);
          }
          break;
        }
        buffered += n;
      }
      // A small body that did not come with its head is awaited before the head goes to the
      // client: an upstream that dies between its two writes (a SIGKILL, a crash) then leaves a
      // request that can still be tried elsewhere, not a truncated answer. No cost when the body
      // came with the head, as it nearly always does.
      if (outcome.end.head && replayable_on_failure && !ctx.body.streamed() &&
          parser.head().framing == http::BodyFraming::kContentLength &&
          outcome.head_size + parser.head().content_length <= UpstreamConnection::kBufferSize) {
        const std::size_t whole = outcome.head_size + parser.head().content_length;
        while (buffered < whole) {
          connection->watchdog().expires_after(exchange.route.timeouts.read);
          auto [ec, n] = co_await connection->stream().read_some(asio::buffer(
              connection->buffer() + buffered, UpstreamConnection::kBufferSize - buffered));
          if (ec) {
            const bool timed_out = connection->watchdog().expired() || control.per_try_timed_out;
            outcome = control.cancelled
                          ? failed(OutcomeKind::cancelled, true)
                          : failed(timed_out ? OutcomeKind::timeout : OutcomeKind::reset, true);
            break;
          }
          buffered += n;
        }
      }
    }
    if (outcome.end.head || outcome.client_gone || ctx.body.streamed()) {
      // The exchange owns the connection from here (a running body pump writes to it).
      outcome.connection = std::move(connection);
      co_return outcome;
    }
    // A pooled connection that broke before any response byte had been closed by the peer
    // while idle (or as the request arrived): that says nothing about the endpoint, and with a
    // single server there is no other endpoint to retry on. A request that may be replayed goes
    // again, once, on a fresh connection to the same endpoint (nginx gives a failed cached
    // connection an extra try too).
    const bool stale = pooled && outcome.end.failure == OutcomeKind::reset &&
                       connection->buffered() == 0 && !connection->watchdog().expired();
    const bool may_replay = !ctx.body.streamed() && replayable_on_failure;
    if (!(stale && may_reuse && may_replay) || control.cancelled) co_return outcome;
    may_reuse = false;
    stale_break = std::move(outcome);
    control.live = nullptr;  // `connection` ends with this iteration
  }
}

}  // namespace flotilla::gateway
