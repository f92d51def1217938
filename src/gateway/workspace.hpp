// The memory one request in progress needs on the client side: read buffer, parser, head writer
// and scratch strings. Leased from the worker's pool while a request is active and returned when
// the connection goes idle, so idle keep-alive connections cost little and requests allocate
// nothing once the pool is warm.
#pragma once

#include <array>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <asio/buffer.hpp>

#include "gateway/pipeline/request_context.hpp"
#include "http/head_writer.hpp"
#include "http/limits.hpp"
#include "http/request_parser.hpp"
#include "observe/metric_shard.hpp"

namespace flotilla::gateway {

// A request's ClientPresence on a connection that serves one request at a time: the upstream
// stream to close should the client leave while the request waits for it. Per request (in the
// workspace), so a parked connection holds none of it.
class ClientWatch final : public ClientPresence {
 public:
  void watch_while_waiting(tls::Stream* upstream) noexcept override { upstream_ = upstream; }
  bool client_gone() const noexcept override { return gone_; }
  void reset() noexcept {
    upstream_ = nullptr;
    gone_ = false;
  }
  // From the worker's sweep: the client left while its request waits for the upstream (nginx's
  // check_broken_connection): closing the upstream stream ends the wait.
  void check(const tls::Stream& client) noexcept {
    if (!upstream_ || gone_) return;
    if (!client.peer_closed()) return;
    gone_ = true;
    upstream_->close();
  }

 private:
  tls::Stream* upstream_ = nullptr;
  bool gone_ = false;
};

struct Workspace {
  explicit Workspace(const http::Limits& limits)
      : capacity(limits.max_request_line + limits.max_header_bytes + 4096),
        buffer(std::make_unique_for_overwrite<char[]>(capacity)),
        parser(limits) {
    response.reserve(1024);
    iov.reserve(64);
  }

  std::size_t capacity;
  std::unique_ptr<char[]> buffer;  // client bytes: the head, then body or pipelined data
  std::size_t filled = 0;          // bytes of `buffer` holding client data
  http::RequestParser parser;
  // A streamed request body is read here, so the head stays intact in `buffer` for the whole
  // request (allocated the first time a request on this workspace streams its body).
  std::unique_ptr<char[]> body_buffer;
  static constexpr std::size_t kBodyBufferSize = 16 * 1024;
  http::HeadWriter writer;  // the request's head: its pieces stay valid for every attempt
  // The response's head, apart: a response dropped after its head was written (a body that
  // breaks at once) may be followed by a retry, which sends the request's pieces again.
  http::HeadWriter response_writer{16};
  std::array<std::string_view, 1>
      added_lines;           // the upstream edits' lines, as the writer takes them
  std::string target;        // an absolute-form target made origin-form
  std::string route_path;    // the path normalised for routing, when it isn't
  std::string response;      // response heads the gateway writes itself
  http::IoPiece local_head;  // `response` as the sink's one head piece
  std::array<std::string_view, 2> response_lines;  // lines added to a forwarded response head
  std::vector<asio::const_buffer> iov;             // the gather list of one writev
  std::array<char, 48> framing{};                  // chunk sizes and the like, for one writev
  std::array<char, 46> client_ip{};                // the peer's address as text (INET6_ADDRSTRLEN)
  std::size_t client_ip_size = 0;
  observe::RequestRecord record;  // metrics and access log of the current request
  RequestScratch scratch;         // the stages' strings and header edits
  ClientWatch presence;           // whether the client is still there (HTTP/1: per connection)
};

}  // namespace flotilla::gateway
