#include "gateway/h2/tunnel_peer.hpp"

#include <algorithm>
#include <cstring>

#include <asio/error.hpp>

#include "gateway/h2/session.hpp"
#include "gateway/h2/stream.hpp"

namespace flotilla::gateway::h2 {
namespace {

// The tunnel's idle watchdog bounds every wait (it closes the peer): none of our own.
constexpr std::chrono::milliseconds kNoDeadline{0};

tls::IoResult reset() {
  return {std::make_error_code(std::errc::connection_reset), 0};
}

}  // namespace

bool H2TunnelPeer::ended() const noexcept {
  return closed_ || stream_.gone || !stream_.open;
}

net::Awaitable<tls::IoResult> H2TunnelPeer::read_some(asio::mutable_buffer buffer) {
  for (;;) {
    if (stream_.held_size > 0 && !closed_) {
      const std::size_t n = std::min(buffer.size(), stream_.held_size);
      std::memcpy(buffer.data(), stream_.held.get(), n);
      stream_.release(n);
      session_.consume(stream_, n);  // the stream's window reopens by what was taken
      co_return tls::IoResult{std::error_code{}, n};
    }
    if (stream_.end_stream && !closed_) co_return tls::IoResult{asio::error::eof, 0};
    if (ended()) co_return reset();
    co_await stream_.body_event.wait_for(kNoDeadline);
  }
}

net::Awaitable<tls::IoResult> H2TunnelPeer::write(asio::const_buffer buffer) {
  if (ended() || stream_.out_last) co_return reset();
  stream_.out = {static_cast<const char*>(buffer.data()), buffer.size()};
  session_.resume_data(stream_);
  // nghttp2 copies the bytes into DATA frames as the stream's window allows: `buffer` is the
  // relay's, reused once this returns.
  while (!stream_.out.empty()) {
    if (ended()) {
      stream_.out = {};
      co_return reset();
    }
    co_await stream_.send_event.wait_for(kNoDeadline);
  }
  co_return tls::IoResult{std::error_code{}, buffer.size()};
}

void H2TunnelPeer::shutdown_send() noexcept {
  if (ended() || stream_.out_last) return;
  stream_.out = {};
  stream_.out_last = true;  // END_STREAM (the read callback sees the end)
  session_.resume_data(stream_);
}

void H2TunnelPeer::close() noexcept {
  if (closed_) return;
  closed_ = true;
  session_.reset(stream_, NGHTTP2_CANCEL);
  stream_.body_event.notify();
  stream_.send_event.notify();
}

void H2TunnelPeer::link(tls::Stream* other) noexcept {
  stream_.upstream_wait = other;  // Stream::abort() closes it
}

}  // namespace flotilla::gateway::h2
