// The state of one proxied request across its upstream attempts: the route, the upstream, the
// request head as it goes upstream, the body pump, and the tally for metrics. Lives on the
// proxy's coroutine frame; plain data, the steps live in their own files.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <span>

#include <asio/ip/tcp.hpp>

#include "gateway/pipeline/request_context.hpp"
#include "gateway/snapshot.hpp"
#include "http/head_writer.hpp"
#include "net/socket.hpp"

namespace flotilla::gateway {

struct WorkerUpstream;
class UpstreamConnection;

// The request body's copy to the upstream, running beside the attempt (an upstream may answer,
// or echo, before the body ends). Owned by the exchange, which waits for it before it ends.
struct BodyPump {
  explicit BodyPump(const net::Executor& executor) : finished(executor) {
    finished.expires_at(net::Timer::time_point::max());
  }
  bool running = false;
  bool ok = false;       // the whole body reached the upstream
  int client_error = 0;  // the client's body was broken (400), too large (413)...
  UpstreamConnection* target = nullptr;
  net::Timer finished;  // cancelled when the pump ends
};

struct Exchange {
  Exchange(RequestContext& c, WorkerUpstream& u)
      : ctx(c), route(*c.route), upstream(u), started(std::chrono::steady_clock::now()) {}

  RequestContext& ctx;
  const RouteTarget& route;
  WorkerUpstream& upstream;
  std::chrono::steady_clock::time_point started;

  bool idempotent = false;
  // The request head as forwarded: pieces into the client buffer and the upstream edits.
  std::span<const http::IoPiece> head_pieces;
  bool chunked_body = false;  // the body goes upstream chunked (canonical framing)

  std::unique_ptr<BodyPump> pump;  // made the first time an attempt streams the body
  std::uint32_t attempts = 0;
  const asio::ip::tcp::endpoint* endpoint = nullptr;  // the last one tried
  std::uint32_t endpoint_index = 0;                   // its index in the upstream
  bool client_gone = false;                           // the client left before a response started
  bool suspect = false;  // an instance crashed by itself holding it (the query-of-death rule)
};

}  // namespace flotilla::gateway
