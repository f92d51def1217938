#include "gateway/h1/request_body.hpp"

#include <algorithm>
#include <cstring>

#include "net/coarse_clock.hpp"

namespace flotilla::gateway {
namespace {

constexpr std::string_view k100Continue = "HTTP/1.1 100 Continue\r\n\r\n";

}  // namespace

std::chrono::milliseconds H1RequestBody::read_timeout() const noexcept {
  if (!rate_.enabled()) return listener_.body_timeout;
  // The rate's window ends first, or the body timeout does (1 ms: due at the next sweep).
  const auto left =
      std::chrono::duration_cast<std::chrono::milliseconds>(rate_.window_end() - net::coarse_now());
  return std::max(std::chrono::milliseconds(1), std::min(listener_.body_timeout, left));
}

int H1RequestBody::read_failed() noexcept {
  // Timed out while the rate's window ended before the body timeout would have: too slow.
  if (rate_.enabled() && downstream_.timed_out() &&
      rate_.window_end() <= net::coarse_now() + std::chrono::seconds(1)) {
    too_slow_ = true;
  }
  return 499;
}

bool H1RequestBody::arrived(std::size_t n) noexcept {
  if (rate_.on_bytes(n, net::coarse_now())) return true;
  too_slow_ = true;
  return false;
}

H1RequestBody::H1RequestBody(Downstream& downstream, Workspace& ws, std::size_t& filled,
                             std::size_t head_size, const http::RequestHead& head,
                             const ListenerSettings& listener)
    : downstream_(downstream),
      ws_(ws),
      filled_(filled),
      head_size_(head_size),
      listener_(listener),
      framing_(head.framing),
      declared_length_(head.content_length),
      expect_continue_(head.expect_continue) {
  reader_.start(head.framing, head.content_length);
  if (listener_.min_rate != 0 && head.framing != http::BodyFraming::kNone) {
    rate_ = net::MinRate(listener_.min_rate, listener_.min_rate_window);
    rate_.start(net::coarse_now());
  }
  if (listener_.max_body != 0 && head.framing == http::BodyFraming::kContentLength &&
      head.content_length > listener_.max_body) {
    error_ = 413;
    return;
  }
  error_ = decode_held();
}

std::optional<std::uint64_t> H1RequestBody::length() const noexcept {
  if (framing_ == http::BodyFraming::kContentLength) return declared_length_;
  if (framing_ == http::BodyFraming::kNone) return 0;
  return std::nullopt;
}

int H1RequestBody::decode_held() {
  char* base = ws_.buffer.get();
  std::size_t raw = head_size_ + held_;  // where undecoded bytes start
  std::size_t out = raw;                 // where decoded payload ends
  while (!reader_.done() && raw < filled_) {
    const http::BodyStep step = reader_.next({base + raw, filled_ - raw});
    if (step.failed()) return 400;
    if (!step.data.empty()) {
      if (step.data.data() != base + out)
        std::memmove(base + out, step.data.data(), step.data.size());
      out += step.data.size();
    }
    raw += step.consumed;
    if (step.consumed == 0) break;
  }
  held_ = out - head_size_;
  // Pipelined bytes after the body's end follow the decoded payload.
  if (raw != out) {
    std::memmove(base + out, base + raw, filled_ - raw);
    filled_ -= raw - out;
  }
  if (listener_.max_body != 0 && reader_.body_bytes() > listener_.max_body) return 413;
  return 0;
}

net::Awaitable<int> H1RequestBody::prefetch() {
  if (error_ != 0) co_return error_;
  // A body that arrives a moment after its head (most clients write them separately) would
  // otherwise stream, and a streamed body can never be replayed on another endpoint. A chunked
  // body (no length) is read while it fits the buffer too: one over max_body within it is
  // answered 413 before the upstream sees a byte; a longer one streams, and the piece that
  // passes max_body and the last chunk never go upstream (pump_request_body closes that
  // connection mid-body, so no upstream can take it for a whole request).
  const bool chunked = framing_ == http::BodyFraming::kChunked;
  if (reader_.done() || expect_continue_ ||
      (framing_ != http::BodyFraming::kContentLength && !chunked) ||
      (!chunked && filled_ + reader_.remaining() > ws_.capacity)) {
    co_return 0;
  }
  while (!reader_.done()) {
    if (filled_ == ws_.capacity) co_return 0;  // a chunked body larger than the buffer streams
    auto [ec, n] = co_await downstream_.read_some(
        asio::buffer(ws_.buffer.get() + filled_, ws_.capacity - filled_), read_timeout());
    if (ec || !arrived(n)) {
      // Gone, its body timed out or came too slowly: the connection closes without an answer.
      error_ = ec ? read_failed() : 499;
      co_return error_;
    }
    filled_ += n;
    error_ = decode_held();
    if (error_ != 0) co_return error_;
  }
  co_return 0;
}

std::string_view H1RequestBody::buffered() const noexcept {
  return {ws_.buffer.get() + head_size_, held_};
}

net::Awaitable<bool> H1RequestBody::begin_stream() {
  if (!expect_continue_) co_return true;
  expect_continue_ = false;  // answered once
  auto [ec, n] = co_await downstream_.write(k100Continue, listener_.send_timeout);
  co_return !ec;
}

net::Awaitable<BodyChunk> H1RequestBody::stream() {
  streamed_ = true;
  if (error_ != 0) co_return BodyChunk{{}, false, error_};
  if (reader_.done()) co_return BodyChunk{{}, true, 0};
  if (!ws_.body_buffer) {
    ws_.body_buffer = std::make_unique_for_overwrite<char[]>(Workspace::kBodyBufferSize);
  }
  char* base = ws_.body_buffer.get();
  for (;;) {
    auto [ec, n] = co_await downstream_.read_some(asio::buffer(base, Workspace::kBodyBufferSize),
                                                  read_timeout());
    if (ec || !arrived(n)) {
      error_ = ec ? read_failed() : 499;
      co_return BodyChunk{{}, false, error_};
    }
    std::size_t raw = 0;
    std::size_t out = 0;
    while (!reader_.done() && raw < n) {
      const http::BodyStep step = reader_.next({base + raw, n - raw});
      if (step.failed()) {
        error_ = 400;
        co_return BodyChunk{{}, false, error_};
      }
      if (!step.data.empty()) {
        if (step.data.data() != base + out) {
          std::memmove(base + out, step.data.data(), step.data.size());
        }
        out += step.data.size();
      }
      raw += step.consumed;
      if (step.consumed == 0) break;
    }
    if (listener_.max_body != 0 && reader_.body_bytes() > listener_.max_body) {
      error_ = 413;
      co_return BodyChunk{{}, false, error_};
    }
    if (reader_.done()) {
      leftover_ = std::string_view(base + raw, n - raw);  // a pipelined request's first bytes
      co_return BodyChunk{{base, out}, true, 0};
    }
    if (out > 0) co_return BodyChunk{{base, out}, false, 0};
  }
}

void H1RequestBody::cancel_stream() noexcept {
  std::error_code ignored;
  downstream_.stream().socket().cancel(ignored);
}

}  // namespace flotilla::gateway
