// An HTTP/1 request body, as pipeline/request_body.hpp describes: decoded from Content-Length or
// chunked framing (sizes with leading zeros accepted, overflow judged by value, extensions and
// trailers read and dropped), with `max_body` enforced on both. What arrived with the head is
// decoded in place in the connection's buffer; the rest streams through the workspace's body
// buffer, so the head stays intact for the whole request. Owns no socket: reads through the
// connection's Downstream.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "gateway/downstream.hpp"
#include "gateway/listener_settings.hpp"
#include "gateway/pipeline/request_body.hpp"
#include "gateway/workspace.hpp"
#include "http/body_reader.hpp"
#include "http/message.hpp"
#include "net/min_rate.hpp"

namespace flotilla::gateway {

class H1RequestBody final : public RequestBody {
 public:
  // `filled` is the connection's count of bytes in the workspace buffer; the body's bytes start
  // at `head_size`. Decodes what is there at once (pipelined bytes after the body stay).
  H1RequestBody(Downstream& downstream, Workspace& ws, std::size_t& filled, std::size_t head_size,
                const http::RequestHead& head, const ListenerSettings& listener);

  bool empty() const noexcept override { return framing_ == http::BodyFraming::kNone; }
  std::optional<std::uint64_t> length() const noexcept override;
  net::Awaitable<int> prefetch() override;
  std::string_view buffered() const noexcept override;
  bool complete() const noexcept override { return reader_.done() && !streamed_; }
  net::Awaitable<bool> begin_stream() override;
  net::Awaitable<BodyChunk> stream() override;
  void cancel_stream() noexcept override;
  bool streamed() const noexcept override { return streamed_; }
  bool consumed() const noexcept override { return reader_.done() && error_ == 0; }
  std::uint64_t bytes() const noexcept override { return reader_.body_bytes(); }
  // The body came slower than the listener's min_rate (it ended with 499).
  bool too_slow() const noexcept { return too_slow_; }

  // Where the next request starts in the buffer once this one is done: after the head and the
  // decoded body held there.
  std::size_t end_in_buffer() const noexcept { return head_size_ + held_; }
  // Bytes read past the body's end while streaming (the start of a pipelined request), to move
  // into the buffer when the request is done.
  std::string_view leftover() const noexcept { return leftover_; }

 private:
  // Decodes raw bytes at buffer[head_size_ + held_, filled_) in place; returns an error status.
  int decode_held();
  // A read's timeout: the body timeout, or less when the min_rate window ends first.
  std::chrono::milliseconds read_timeout() const noexcept;
  // After a failed read: 499 (noting whether the rate's window was what ran out).
  int read_failed() noexcept;
  // `n` bytes came: false when they came too slowly (min_rate).
  bool arrived(std::size_t n) noexcept;

  Downstream& downstream_;
  Workspace& ws_;
  std::size_t& filled_;
  std::size_t head_size_;
  const ListenerSettings& listener_;
  http::BodyReader reader_;
  http::BodyFraming framing_;
  std::uint64_t declared_length_ = 0;
  std::size_t held_ = 0;  // decoded payload bytes right after the head in the buffer
  std::string_view leftover_;
  bool expect_continue_ = false;
  bool streamed_ = false;
  bool too_slow_ = false;
  int error_ = 0;
  net::MinRate rate_;  // the listener's min_rate over this body's reads
};

}  // namespace flotilla::gateway
