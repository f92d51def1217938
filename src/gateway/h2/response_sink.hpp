// Writes a response to an HTTP/2 client stream: the head as a HEADERS frame (pseudo-header
// :status, names lower-cased, connection-specific fields dropped, Content-Length re-made from the
// length the producer knows), the body as DATA frames through nghttp2's flow control — each piece
// waits until the stream's window took it, so a slow reader pauses this stream's upstream read
// only — and END_STREAM with the last piece. 1xx heads go out as interim HEADERS. Owns no socket.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

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
      : session_(session), stream_(stream), head_request_(head_request), record_(record) {}

  net::Awaitable<tls::IoResult> interim(const http::ResponseHead& head,
                                        std::string_view raw) override;
  void head(const ResponseHeadOut& head) override;
  net::Awaitable<tls::IoResult> body(std::string_view data, bool last) override;
  bool keeps_connection() const noexcept override { return true; }
  void close_after() noexcept override {}
  bool started() const noexcept override { return started_; }
  std::uint64_t bytes_sent() const noexcept override { return bytes_sent_; }
  TunnelEnd tunnel() noexcept override { return {}; }  // no RFC 8441 tunnels yet

  bool complete() const noexcept { return complete_; }

 private:
  void submit_head(bool with_body);

  Session& session_;
  Stream& stream_;
  bool head_request_;
  observe::RequestRecord* record_;
  ResponseHeadOut head_{};
  std::array<char, 24> length_{};
  std::uint64_t bytes_sent_ = 0;
  bool head_pending_ = false;
  bool started_ = false;
  bool complete_ = false;
  bool no_body_ = false;
};

}  // namespace flotilla::gateway::h2
