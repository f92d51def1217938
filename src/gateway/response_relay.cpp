#include "gateway/response_relay.hpp"

#include <cstring>

#include <asio/write.hpp>

#include "net/async.hpp"
#include "gateway/tunnel.hpp"
#include "gateway/upstream_attempt.hpp"
#include "gateway/worker.hpp"
#include "http/body_reader.hpp"

namespace flotilla::gateway {
namespace {

using upstream::Outcome;
using upstream::OutcomeKind;

AttemptResult failed(OutcomeKind kind, std::uint32_t reason) {
  AttemptResult result;
  result.end = AttemptResult::End::kFailed;
  result.outcome = Outcome::error(kind);
  result.retry_reason = reason;
  result.request_sent = true;
  return result;
}

bool has_header(const http::ResponseHead& head, http::HeaderId id) {
  for (const http::Header& header : head.headers) {
    if (header.id == id) return true;
  }
  return false;
}

// Whether the route counts this status as the endpoint failing (for passive health).
bool status_is_failure(const RouteTarget& route, int status) {
  return (route.retry.on & status_retry_reason(status)) != 0;
}

// Adds the lines flotilla puts on every forwarded response.
void write_response_lines(const Exchange& exchange, const http::ResponseHead& head,
                          bool keep_client, std::string& out) {
  out.clear();
  out += "Via: 1.1 flotilla\r\n";
  // The request's id, kept or generated, goes back to the client (unless the upstream answers
  // with its own), so a client can quote it when it reports a problem.
  if (!exchange.request_id.empty() && !has_header(head, http::HeaderId::kXRequestId)) {
    out += "X-Request-Id: ";
    out += exchange.request_id;
    out += "\r\n";
  }
  // A 101 carries `Connection: upgrade` (the head writer adds it) and nothing else: the
  // connection is not kept for HTTP, but it does not close either, it becomes the tunnel.
  const bool tunnel = head.upgrade && exchange.upgrade;
  if (tunnel) return;
  if (!keep_client) {
    out += "Connection: close\r\n";
  } else if (exchange.version == http::Version::kHttp10) {
    out += "Connection: keep-alive\r\n";
  }
}

}  // namespace

net::Awaitable<AttemptResult> relay_response(Exchange& exchange, UpstreamConnection& connection,
                                        bool& reusable) {
  ClientSession& session = exchange.session;
  Workspace& ws = session.workspace();
  const ListenerSettings& listener = session.worker().listener(session.listener_index());
  reusable = false;

  // Reads until a final response head is parsed; forwards interim 1xx heads to HTTP/1.1
  // clients. (Inline rather than a coroutine of its own: it runs for every request.)
  http::ResponseParser& parser = connection.parser();
  std::size_t& buffered = connection.buffered();
  parser.reset(exchange.method);
  std::size_t head_size = 0;
  // A client that leaves while the upstream thinks is noticed by the worker's sweep, which
  // then closes the upstream connection: the read below ends, and so does the exchange.
  struct ClientWatch {
    ClientSession& session;
    ~ClientWatch() { session.watch_client_while(nullptr); }
  } watch{session};
  session.watch_client_while(&connection.socket());
  for (;;) {
    const http::ParseResult parsed = parser.parse({connection.buffer(), buffered});
    if (parsed.complete() && !parser.head().informational) {
      head_size = parsed.consumed;
      break;
    }
    if (parsed.complete()) {
      // 100 Continue was answered by us already; others (103 Early Hints) go to 1.1 clients.
      if (parser.head().status != 100 && exchange.version == http::Version::kHttp11) {
        auto [ec, n] = co_await asio::async_write(
            session.socket(), asio::buffer(connection.buffer(), parsed.consumed), net::use_nothrow_io);
        if (ec) {
          co_return client_gone_result(exchange);
        }
      }
      std::memmove(connection.buffer(), connection.buffer() + parsed.consumed,
                   buffered - parsed.consumed);
      buffered -= parsed.consumed;
      parser.reset(exchange.method);
      continue;
    }
    if (parsed.failed() || buffered == UpstreamConnection::kBufferSize) {
      co_return failed(OutcomeKind::invalid_header, kRetryInvalidHeader);
    }
    connection.watchdog().expires_after(exchange.route.timeouts.read);
    auto [ec, n] = co_await connection.socket().async_read_some(
        asio::buffer(connection.buffer() + buffered, UpstreamConnection::kBufferSize - buffered),
        net::use_nothrow_io);
    if (ec) {
      if (session.client_gone()) {
        co_return client_gone_result(exchange);
      }
      if (connection.watchdog().expired()) co_return failed(OutcomeKind::timeout, kRetryTimeout);
      co_return failed(OutcomeKind::reset, kRetryError);
    }
    buffered += n;
  }
  session.watch_client_while(nullptr);
  const http::ResponseHead& head = connection.parser().head();

  // 101 answers an Upgrade request only (RFC 9110 §15.2.2): relayed to a client that never
  // asked, it would split the client's view of the connection from ours.
  if (head.upgrade && !exchange.upgrade) {
    co_return failed(OutcomeKind::invalid_header, kRetryInvalidHeader);
  }

  if (retry_on_status(exchange, head.status)) {
    AttemptResult retry = failed(OutcomeKind::response, 0);
    retry.outcome = Outcome::http(static_cast<std::uint16_t>(head.status), true);
    retry.retry_reason = status_retry_reason(head.status);
    co_return retry;
  }

  AttemptResult result;
  result.end = AttemptResult::End::kForwarded;
  result.request_sent = true;
  result.outcome = Outcome::http(static_cast<std::uint16_t>(head.status),
                                 status_is_failure(exchange.route, head.status));

  const bool tunnel = head.upgrade && exchange.upgrade;
  // A chunked body cannot go to an HTTP/1.0 client as is: decode it and end with a close.
  const bool dechunk =
      head.framing == http::BodyFraming::kChunked && exchange.version == http::Version::kHttp10;
  const bool keep_client = exchange.client_keep_alive && !session.worker().draining() && !tunnel &&
                           !dechunk && head.framing != http::BodyFraming::kUntilClose;

  write_response_lines(exchange, head, keep_client, ws.response);
  const std::string_view added[] = {ws.response};
  http::ForwardOptions options;
  options.added = added;
  options.reframe = dechunk;
  options.keep_upgrade = tunnel;
  options.force_http11 = true;
  const std::span<const http::IoPiece> head_pieces = ws.response_writer.write(head, options);

  http::BodyReader body;
  body.start(tunnel ? http::BodyFraming::kNone : head.framing, head.content_length);
  std::size_t offset = head_size;
  bool first = true;
  for (;;) {
    ws.iov.clear();
    if (first) {
      for (const http::IoPiece& piece : head_pieces) ws.iov.emplace_back(piece.data, piece.size);
    }
    const std::size_t begin = offset;
    while (!body.done() && offset < buffered) {
      const http::BodyStep step = body.next({connection.buffer() + offset, buffered - offset});
      if (step.failed()) {
        // Nothing reached the client yet (the head goes out with the first body bytes): the
        // response is as broken as a bad head, and the client gets a 502.
        if (first) co_return failed(OutcomeKind::invalid_header, kRetryInvalidHeader);
        result.keep_client = false;
        result.outcome = Outcome::error(OutcomeKind::invalid_header);
        co_return result;  // a broken body from upstream: the client sees a truncated response
      }
      if (dechunk && !step.data.empty()) ws.iov.emplace_back(step.data.data(), step.data.size());
      offset += step.consumed;
      if (step.consumed == 0) break;
    }
    if (!dechunk && offset > begin)
      ws.iov.emplace_back(connection.buffer() + begin, offset - begin);
    if (!ws.iov.empty()) {
      session.watchdog().expires_after(listener.send_timeout);
      exchange.status = head.status;
      exchange.client_write_pending = true;
      auto [ec, n] = co_await asio::async_write(
          session.socket(), std::span<const asio::const_buffer>(ws.iov), net::use_nothrow_io);
      exchange.client_write_pending = false;
      session.record().bytes_out += n;
      if (ec) {
        exchange.client_closed = !session.watchdog().expired();
        co_return result;  // the client went away; keep_client stays false
      }
      // send_timeout bounds a write, not the wait for the upstream's next bytes (nginx alike).
      if (exchange.pump_reading) {
        session.watchdog().expires_after(listener.body_timeout);
      } else {
        session.watchdog().disarm();
      }
    }
    first = false;
    if (body.done()) break;
    connection.watchdog().expires_after(exchange.route.timeouts.read);
    auto [ec, n] = co_await connection.socket().async_read_some(
        asio::buffer(connection.buffer(), UpstreamConnection::kBufferSize), net::use_nothrow_io);
    buffered = ec ? 0 : n;
    offset = 0;
    if (ec) {
      if (body.finish_at_eof() == http::ParseError::kNone) break;  // until-close ended
      result.outcome = Outcome::error(connection.watchdog().expired() ? OutcomeKind::timeout
                                                                      : OutcomeKind::reset);
      co_return result;  // truncated: closing the client connection tells the client
    }
  }

  if (tunnel) {
    session.watchdog().disarm();
    connection.watchdog().disarm();
    const std::size_t client_extra_begin = session.head_consumed() + exchange.body_in_buffer;
    const std::string_view to_upstream =
        exchange.body_streamed || session.filled() <= client_extra_begin
            ? std::string_view{}
            : std::string_view(ws.buffer.get() + client_extra_begin,
                               session.filled() - client_extra_begin);
    co_await run_tunnel(session.socket(), connection.socket(), to_upstream,
                        {connection.buffer() + offset, buffered - offset},
                        exchange.route.timeouts.read);
    co_return result;
  }
  // Bytes after the end of the body mean a confused upstream: never reuse that connection.
  reusable = head.keep_alive && offset == buffered;
  buffered = 0;
  result.keep_client = keep_client;
  co_return result;
}

}  // namespace flotilla::gateway
