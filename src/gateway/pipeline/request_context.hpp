// Everything one request's stages may look at and use, whatever protocol carried it: the parsed
// head (views valid for the whole request), the client's facts, the route, the body source, the
// response sink, scratch space and the metrics record. Lives on the serving coroutine's frame;
// per request, never per connection (HTTP/2 will make one per stream).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "gateway/pipeline/cache_scratch.hpp"
#include "gateway/pipeline/header_edits.hpp"
#include "http/message.hpp"
#include "net/ip_address.hpp"
#include "observe/metric_shard.hpp"
#include "tls/stream.hpp"

namespace flotilla::gateway {

class Worker;
struct Workspace;
class Downstream;
class RequestBody;
class ResponseSink;
struct ListenerSettings;
struct GatewaySnapshot;
struct RouteTarget;

// An answer a request stage makes (the pipeline writes it through the sink, after the
// response-head stages).
struct LocalAnswer {
  int status = 0;
  // A gateway error (404, 405, 502...): text or JSON by the client's Accept, from `detail`
  // (default: the reason phrase). Otherwise `body` as `content_type`.
  bool error = false;
  std::string_view detail;
  std::string_view body;
  std::string_view content_type = "text/plain; charset=utf-8";
  std::string_view location;     // adds Location
  std::string_view extra_lines;  // complete field lines (each ending in CRLF), e.g. Allow
  int retry_after_seconds = 0;   // adds Retry-After when > 0
};

// Lets the proxy notice a client that leaves while the upstream is still working (nginx's
// check_broken_connection): the connection checks periodically and closes `upstream`, which ends
// the wait. Implemented by the protocol's connection.
class ClientPresence {
 public:
  virtual void watch_while_waiting(tls::Stream* upstream) noexcept = 0;  // null: stop watching
  virtual bool client_gone() const noexcept = 0;

 protected:
  ~ClientPresence() = default;
};

// Scratch strings a request's stages share (reused with the request's workspace).
struct RequestScratch {
  RequestScratch() {
    request_id.reserve(64);
    text.reserve(512);
    location.reserve(256);
    path.reserve(256);
  }
  std::string request_id;      // kept or generated, see request_id()
  std::string text;            // a local answer's body or other short text
  std::string location;        // a redirect's target
  std::string path;            // a static file's decoded path
  HeaderEdits upstream_edits;  // changes to the request sent upstream
  std::int64_t delay_us = 0;   // how long a stage's async part waits (rate_limit's delay mode)
  HeaderEdits response_edits;  // changes to the response head
  CacheScratch cache;          // a cache route's lookup → store (stages/cache_*.cpp)
};

struct RequestContext {
  Worker& worker;
  const ListenerSettings& listener;
  const GatewaySnapshot* snapshot;  // null before the first snapshot
  std::uint32_t listener_index;
  const http::RequestHead& head;
  std::string_view path;  // normalised for routing (escapes decoded, dot segments resolved)
  const Downstream& downstream;
  // The client's address (client_address()) and its text: the peer's, or the address trusted
  // proxies reported (gateway/client_address.hpp). Access rules, rate limits, the access log
  // and X-Real-IP all use it.
  std::string_view client_ip;
  net::IpAddress client;
  RequestBody& body;
  ResponseSink& sink;
  ClientPresence& presence;
  Workspace& ws;  // the request's buffers: head writers, gather list
  RequestScratch& scratch;
  observe::RequestRecord& record;
  bool json_errors = false;  // the client's Accept prefers JSON for error bodies

  const RouteTarget* route = nullptr;  // once routed
  std::uint32_t route_index = UINT32_MAX;
  LocalAnswer answer;  // filled by a stage that returns Verdict::kAnswer

  std::string_view scheme() const noexcept;
  const net::IpAddress& client_address() const noexcept { return client; }
  bool head_only() const noexcept { return head.method == http::Method::kHead; }
};

// The client of a request that `downstream` carried (gateway/client_address.hpp, with the
// listener's trusted proxies from `snapshot`); its text goes into `ws.client_ip`. Each codec
// calls this once per request, before making the context.
net::IpAddress resolve_request_client(const Downstream& downstream, const GatewaySnapshot* snapshot,
                                      std::uint32_t listener_index, const http::RequestHead& head,
                                      Workspace& ws) noexcept;

// The request's id: the client's X-Request-Id when it sent a usable one (not empty, not named in
// Connection), else a generated one (32 hex digits); the same for the whole request.
std::string_view request_id(RequestContext& ctx);

}  // namespace flotilla::gateway
