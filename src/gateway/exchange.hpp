// The state of one proxied request across its upstream attempts: what was parsed, what the
// client side still owes, and what each attempt needs to send. Lives on the exchange coroutine's
// frame; plain data plus tiny helpers, the steps live in their own files.
#pragma once

#include <chrono>
#include <cstdint>
#include <span>
#include <string_view>

#include <asio/ip/tcp.hpp>

#include "gateway/client_session.hpp"
#include "gateway/snapshot.hpp"
#include "http/body_reader.hpp"
#include "http/head_writer.hpp"
#include "http/message.hpp"
#include "upstream/outcome.hpp"

namespace flotilla::gateway {

struct WorkerUpstream;
class UpstreamConnection;

struct Exchange {
  Exchange(ClientSession& s, const RouteTarget& r, std::uint32_t index, WorkerUpstream& u)
      : session(s),
        route(r),
        route_index(index),
        upstream(u),
        started(std::chrono::steady_clock::now()) {}

  ClientSession& session;
  const RouteTarget& route;
  std::uint32_t route_index;
  WorkerUpstream& upstream;
  std::chrono::steady_clock::time_point started;

  // How it ended, for finish_request: the status sent (the upstream's, or ours), whether the
  // client went away first, and the last endpoint tried.
  int status = 0;
  bool client_closed = false;
  const asio::ip::tcp::endpoint* endpoint = nullptr;

  // Copied out of the head: the proxy may overwrite the buffer while streaming a large body.
  http::Method method = http::Method::kGet;
  http::Version version = http::Version::kHttp11;
  bool client_keep_alive = false;
  bool expect_continue = false;
  bool upgrade = false;
  bool idempotent = false;

  // The request head as forwarded: pieces into the client buffer and the workspace's `added`.
  std::span<const http::IoPiece> head_pieces;
  std::string_view request_id;

  // Request body: the reader tracks framing; `body_in_buffer` raw bytes follow the head in the
  // client buffer. Until `body_streamed`, every attempt can resend the whole request: the buffered
  // part is still in the buffer and the rest still waits in the client socket.
  http::BodyReader body;
  std::size_t body_in_buffer = 0;
  bool body_complete = false;
  bool body_streamed = false;  // bytes beyond the buffer went upstream: no replay possible
  bool continue_sent = false;
  // The client socket's one watchdog serves the body pump's reads and the relay's writes, which
  // run at once: each tells the other it is waiting, so neither leaves the other's deadline
  // disarmed, nor its own armed once done (a response may take longer than client_body).
  bool pump_reading = false;
  bool client_write_pending = false;
  bool body_pumped = false;  // the streamed part of the body reached the upstream whole
  int body_error = 0;        // the client's body was invalid (400) or too large (413)
  bool json_errors = false;  // the client prefers JSON error bodies

  std::uint32_t attempts = 0;
  bool retry_reserved = false;  // retry_on_status() took a retry-budget slot for the next attempt
};

// How one attempt ended.
struct AttemptResult {
  enum class End : std::uint8_t {
    kForwarded,  // a response (or part of it) went to the client: the exchange is over
    kFailed,     // nothing reached the client: the exchange may retry or answer an error
    kAborted,    // the client side broke (or sent a bad body): close without an answer
  };
  End end = End::kFailed;
  upstream::Outcome outcome;
  std::uint32_t retry_reason = 0;  // RetryReason bit of a kFailed attempt
  bool request_sent = false;       // any request byte was written upstream
  bool keep_client = false;        // kForwarded: the client connection may serve another request
  int client_error = 0;            // kAborted: a status to answer if nothing was sent (e.g. 400)
};

// The client went away mid-attempt: not the endpoint's fault (no passive-health failure, no
// retry) and nothing to answer.
inline AttemptResult client_gone_result(Exchange& exchange) {
  exchange.client_closed = true;
  AttemptResult aborted;
  aborted.end = AttemptResult::End::kAborted;
  aborted.outcome = upstream::Outcome::error(upstream::OutcomeKind::cancelled);
  return aborted;
}

}  // namespace flotilla::gateway
