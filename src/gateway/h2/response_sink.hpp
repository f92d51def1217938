// Writes a response to an HTTP/2 client stream: the head as a HEADERS frame (pseudo-header
// :status, names lower-cased, connection-specific fields dropped, Content-Length re-made from the
// length the producer knows), the body as DATA frames through nghttp2's flow control — each piece
// waits until the stream's window took it, so a slow reader pauses this stream's upstream read
// only — and END_STREAM with the last piece, or a trailing HEADERS frame with the upstream's
// trailers. 1xx heads go out as interim HEADERS. A 101 to an extended CONNECT (RFC 8441) is
// sent as 200 and the stream becomes the client end of the tunnel. Owns no socket.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

#include "gateway/h2/tunnel_peer.hpp"
#include "gateway/listener_settings.hpp"
#include "gateway/pipeline/response_sink.hpp"
#include "observe/metric_shard.hpp"

namespace flotilla::gateway {
class Worker;
}

namespace flotilla::gateway::h2 {

class Session;
struct Stream;

class H2ResponseSink final : public ResponseSink {
 public:
  H2ResponseSink(Session& session, Stream& stream, bool head_request,
                 observe::RequestRecord* record) noexcept
      : session_(session),
        stream_(stream),
        peer_(session, stream),
        head_request_(head_request),
        record_(record) {}

  net::Awaitable<tls::IoResult> interim(const http::ResponseHead& head,
                                        std::string_view raw) override;
  void head(const ResponseHeadOut& head) override;
  net::Awaitable<tls::IoResult> body(std::string_view data, bool last) override;
  bool keeps_connection() const noexcept override { return true; }
  void close_after() noexcept override {}
  bool started() const noexcept override { return started_; }
  std::uint64_t bytes_sent() const noexcept override { return bytes_sent_; }
  TunnelEnd tunnel() noexcept override { return {nullptr, {}, tunnel_ ? &peer_ : nullptr}; }
  std::span<char> trailer_buffer() noexcept override;
  void trailers(std::string_view lines) noexcept override { trailers_ = lines; }

  bool complete() const noexcept { return complete_; }

 private:
  void submit_head(bool with_body);

  Session& session_;
  Stream& stream_;
  H2TunnelPeer peer_;
  std::string_view trailers_;  // the upstream's, valid until the last body() returns
  bool head_request_;
  observe::RequestRecord* record_;
  ResponseHeadOut head_{};
  std::array<char, 24> length_{};
  std::uint64_t bytes_sent_ = 0;
  bool head_pending_ = false;
  bool started_ = false;
  bool complete_ = false;
  bool no_body_ = false;
  bool tunnel_ = false;  // a 101 to an extended CONNECT: the stream is a tunnel now
};

}  // namespace flotilla::gateway::h2
