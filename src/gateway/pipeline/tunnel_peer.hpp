// The client end of a tunnel that is not a socket of its own — an HTTP/2 stream carrying an
// RFC 8441 WebSocket — as proxy/tunnel.cpp relays it: bytes in, bytes out, a half-close, a
// close. Protocol-neutral; implemented by the codec that owns the stream. Never relays itself.
#pragma once

#include <asio/buffer.hpp>

#include "net/async.hpp"
#include "tls/stream.hpp"

namespace flotilla::gateway {

class TunnelPeer {
 public:
  // Bytes the client sent; an error at its end (eof: the client half-closed).
  virtual net::Awaitable<tls::IoResult> read_some(asio::mutable_buffer buffer) = 0;
  // Returns once the bytes were handed on (the client's flow control allowing).
  virtual net::Awaitable<tls::IoResult> write(asio::const_buffer buffer) = 0;
  // No more bytes for the client (its end of the stream); reading goes on.
  virtual void shutdown_send() noexcept = 0;
  // Ends the client's side now (a reset); whatever waits on it completes with an error.
  virtual void close() noexcept = 0;
  // While the tunnel runs, the client's own end (a reset, its connection lost) closes `other`
  // at once; null when the tunnel is over.
  virtual void link(tls::Stream* other) noexcept = 0;

 protected:
  ~TunnelPeer() = default;
};

}  // namespace flotilla::gateway
