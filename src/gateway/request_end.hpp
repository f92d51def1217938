// The one place every request ends, proxied or answered by the gateway itself: what happened
// (status, route, upstream, endpoint, attempts, start time) in one record, which completes the
// request's metrics record and hands it to the worker (metrics shard, access log). Must stay
// cheap and allocation-free: it runs on the worker thread for every request.
#pragma once

#include <chrono>
#include <cstdint>
#include <string_view>

#include <asio/ip/tcp.hpp>

#include "gateway/route_table.hpp"
#include "observe/metric_shard.hpp"

namespace flotilla::gateway {

class Worker;
struct WorkerUpstream;

struct RequestEnd {
  // The status the client got; 499 when the client went away before the response (nginx's
  // convention); 0 when the connection closed without an answer (a broken request body).
  int status = 0;
  bool client_closed = false;                  // the client closed or reset the connection first
  std::uint32_t route = RouteTable::kNoRoute;  // index into the snapshot's routes
  const WorkerUpstream* upstream = nullptr;    // null: answered by the gateway
  const asio::ip::tcp::endpoint* endpoint = nullptr;  // the last endpoint tried, if any
  std::uint32_t attempts = 0;                         // upstream attempts made
  // Start of the exchange (steady clock); epoch for requests answered by the gateway itself.
  std::chrono::steady_clock::time_point started{};
  // What the request path accumulated (method, bytes, request id, endpoint series, start) in the
  // request's workspace; null when no request was opened (nothing is recorded then). It is
  // recorded at most once: its `open` flag goes false here.
  observe::RequestRecord* record = nullptr;
  std::string_view client_ip;
};

void finish_request(Worker& worker, const RequestEnd& end);

}  // namespace flotilla::gateway
