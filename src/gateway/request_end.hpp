// The one place every request ends, proxied or answered by the gateway itself: what happened
// (status, route, upstream, endpoint, attempts, start time) in one record. The hook for metrics
// and access logs; must stay cheap (it runs on the worker thread for every request).
#pragma once

#include <chrono>
#include <cstdint>

#include <asio/ip/tcp.hpp>

#include "gateway/route_table.hpp"

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
};

void finish_request(Worker& worker, const RequestEnd& end);

}  // namespace flotilla::gateway
