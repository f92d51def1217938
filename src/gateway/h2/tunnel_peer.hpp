// The client end of an RFC 8441 tunnel: one HTTP/2 stream whose DATA frames carry the bytes of
// a WebSocket, read from the stream's receive buffer (its window reopens as the upstream takes
// them) and written through nghttp2's flow control (a slow reader pauses this stream's
// upstream read only). END_STREAM is the half-close, RST_STREAM the close. Owns no socket.
#pragma once

#include "gateway/pipeline/tunnel_peer.hpp"

namespace flotilla::gateway::h2 {

class Session;
struct Stream;

class H2TunnelPeer final : public TunnelPeer {
 public:
  H2TunnelPeer(Session& session, Stream& stream) noexcept : session_(session), stream_(stream) {}

  net::Awaitable<tls::IoResult> read_some(asio::mutable_buffer buffer) override;
  net::Awaitable<tls::IoResult> write(asio::const_buffer buffer) override;
  void shutdown_send() noexcept override;
  void close() noexcept override;
  void link(tls::Stream* other) noexcept override;

 private:
  bool ended() const noexcept;

  Session& session_;
  Stream& stream_;
  bool closed_ = false;
};

}  // namespace flotilla::gateway::h2
