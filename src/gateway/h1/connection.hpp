// One HTTP/1.x client connection on one worker: parked between requests in the worker's
// readiness poller (no coroutine, no buffer, no timer, no Asio operation: the sweep enforces the
// idle timeout), then a coroutine that reads and parses heads, hands each request to the
// pipeline with an HTTP/1 body source and response sink, and loops for keep-alive and
// pipelining. Owns the Downstream; never outlives its worker; never decides what to answer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

#include <asio/ip/tcp.hpp>

#include "gateway/client_connection.hpp"
#include "gateway/downstream.hpp"
#include "gateway/pipeline/request_context.hpp"
#include "gateway/workspace.hpp"
#include "net/async.hpp"
#include "net/object_pool.hpp"

namespace flotilla::gateway {

class Worker;
class H1ResponseSink;
class H1RequestBody;
struct GatewaySnapshot;

// The worker's lists (idle by deadline, busy) thread through the ListHook. A parked connection
// belongs to the worker (which destroys it when its idle deadline passes or on drain); a busy
// one to its coroutine.
class H1Connection final : public ClientConnection {
 public:
  // Takes an accepted connection and waits for its first request. `counted`: the worker's
  // connection limits counted it (released when it ends), `client_counted` per client too.
  static void start(Worker& worker, net::Socket socket, const asio::ip::tcp::endpoint& peer,
                    std::uint32_t listener_index, bool counted, bool client_counted = false);
  ~H1Connection() override;

  bool due(TimePoint now) const noexcept override;
  void expire(TimePoint now) noexcept override;
  void check_client() noexcept override;
  void resume() override;
  void on_readable() override;

 private:
  H1Connection(Worker& worker, net::Socket socket, const asio::ip::tcp::endpoint& peer,
               std::uint32_t listener_index);

  // Parks the connection until the client sends bytes.
  void park(bool first);
  // Serves requests while bytes keep coming; parks the connection again or destroys it.
  net::Awaitable<void> serve(std::unique_ptr<H1Connection> self);
  // The TLS handshake of a TLS listener's connection, bounded by the read deadline set when the
  // connection was first parked; false when it failed (the connection then just closes).
  net::Awaitable<bool> handshake();
  // The PROXY protocol header of a `proxy_protocol` listener's connection, before TLS and HTTP:
  // the peer becomes the address it carries; false (counted, logged) when it is malformed.
  net::Awaitable<bool> read_proxy();
  // Serves the connection as HTTP/2 to its end (h2/serve.hpp); `received`: bytes already read.
  net::Awaitable<void> hand_to_http2(std::string_view received);
  // `Upgrade: h2c` (RFC 7540 §3.2): 101, then HTTP/2 with the parsed request (its head
  // `head_size` bytes at the front of the buffer, `settings` its HTTP2-Settings) as stream 1.
  net::Awaitable<void> upgrade_to_http2(std::size_t head_size, std::string_view settings);
  // Around one parsed request's pass through the pipeline (which runs in serve's frame): the
  // sink made ready and the protocol-neutral context; then true when the connection goes on.
  RequestContext begin_request(H1ResponseSink& sink, H1RequestBody& body,
                               const GatewaySnapshot* snapshot);
  bool end_request(const H1ResponseSink& sink, const H1RequestBody& body);
  // Answers a head the codec rejected (no pipeline: nothing was routed).
  net::Awaitable<void> reject(H1ResponseSink& sink, int status, bool json);
  // Before the connection closes after a response: close_notify if the response was whole.
  void end_cleanly(const H1ResponseSink& sink) noexcept;
  void lease_workspace();
  // Counts the request in flight once its head parsed (or was rejected); finish_request()
  // (request_end.hpp) ends it, exactly once.
  void open_request(const http::RequestHead* parsed, std::size_t head_size);
  std::string_view client_ip() const noexcept {
    return {workspace_->client_ip.data(), workspace_->client_ip_size};
  }
  // Counts a client cut off by the listener's min_rate.
  void too_slow();
  // Drops `bytes` from the front of the buffer, moving pipelined bytes to offset 0.
  void consume(std::size_t bytes);
  // Bytes of the workspace buffer holding client data (none while parked).
  std::size_t& filled() noexcept { return workspace_->filled; }

  // Idle keep-alive connections are this object (and Asio's descriptor state): its size is the
  // idle cost, so per-request state lives in the workspace, and the flags come first, in the
  // tail padding of the base.
  bool idle_ = true;
  // Bytes may be waiting in the socket: set by the poller, cleared before each read of a head
  // (and set again when that read filled the buffer), so a parked connection is woken for every
  // byte that arrived after the last read (the poller is edge-triggered).
  bool readable_ = false;
  bool served_ = false;          // a head was read: later waits are keep-alive waits
  bool handshaken_ = false;      // TLS is up (or the listener is plain)
  bool proxied_ = false;         // the PROXY protocol header was read (listeners that want one)
  bool counted_ = false;         // in the connection limits' counts (released at the end)
  bool client_counted_ = false;  // ... and in the per-client count, under downstream_.peer()
  Downstream downstream_;
  Worker& worker_;
  net::ObjectPool<Workspace>::Lease workspace_;
  net::ReadinessPoller::Token watch_ = net::ReadinessPoller::kNoToken;
};

}  // namespace flotilla::gateway
