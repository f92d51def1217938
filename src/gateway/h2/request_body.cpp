#include "gateway/h2/request_body.hpp"

#include <algorithm>
#include <cstring>

#include "gateway/h2/session.hpp"
#include "gateway/h2/stream.hpp"

namespace flotilla::gateway::h2 {

H2RequestBody::H2RequestBody(Session& session, Stream& stream,
                             const http::RequestHead& head) noexcept
    : session_(session), stream_(stream), head_(head) {
  const std::uint64_t max_body = session.listener().max_body;
  if (max_body != 0 && head.framing == http::BodyFraming::kContentLength &&
      head.content_length > max_body) {
    error_ = 413;
  }
}

bool H2RequestBody::empty() const noexcept {
  return stream_.no_body;
}

std::optional<std::uint64_t> H2RequestBody::length() const noexcept {
  if (stream_.no_body) return 0;
  if (head_.framing == http::BodyFraming::kContentLength) return head_.content_length;
  return std::nullopt;
}

net::Awaitable<int> H2RequestBody::prefetch() {
  if (error_ == 0) error_ = stream_.body_error;
  if (error_ != 0) co_return error_;
  // A small declared body is awaited whole so that the request stays replayable (as for
  // HTTP/1); it fits the stream's window, so the client can send it without a WINDOW_UPDATE.
  if (stream_.no_body) co_return 0;  // (an extended CONNECT's DATA is a tunnel's)
  const std::optional<std::uint64_t> declared = length();
  // (65535: the window a client may assume before it has our SETTINGS.)
  const std::uint64_t fits = std::min<std::uint64_t>(session_.limits().initial_window, 65535);
  if (stream_.end_stream || !declared || *declared > fits) co_return 0;
  while (!stream_.end_stream) {
    if (stream_.gone) co_return error_ = 499;
    const bool woken = co_await stream_.body_event.wait_for(session_.listener().body_timeout);
    if (!woken && !stream_.end_stream) co_return error_ = 408;
    if (stream_.body_error != 0) co_return error_ = stream_.body_error;
  }
  co_return 0;
}

std::string_view H2RequestBody::buffered() const noexcept {
  if (stream_.no_body) return {};  // (an extended CONNECT's DATA goes through its tunnel)
  // What the caller sends now; stream() later continues after it.
  stream_.handed = stream_.held_size;
  return {stream_.held.get(), stream_.held_size};
}

bool H2RequestBody::complete() const noexcept {
  return (stream_.end_stream || stream_.no_body) && !streamed_ && stream_.body_error == 0;
}

net::Awaitable<bool> H2RequestBody::begin_stream() {
  // `Expect: 100-continue` over HTTP/2 (RFC 9113 §8.1): a 100 before the body is wanted.
  if (head_.expect_continue && !stream_.end_stream && !stream_.gone) {
    ResponseFields& fields = stream_.fields;
    fields.clear();
    fields.status(100);
    session_.submit_interim(stream_, fields.list());
  }
  co_return !stream_.gone;
}

net::Awaitable<BodyChunk> H2RequestBody::stream() {
  streamed_ = true;
  // What was handed out before has reached the upstream: its window reopens now.
  if (stream_.handed > 0) {
    const std::size_t done = stream_.handed;
    stream_.release(done);
    session_.consume(stream_, done);
  }
  for (;;) {
    if (error_ == 0) error_ = stream_.body_error;
    if (error_ != 0) co_return BodyChunk{{}, false, error_};
    if (stream_.held_size > 0) {
      stream_.handed = stream_.held_size;
      co_return BodyChunk{{stream_.held.get(), stream_.held_size}, stream_.end_stream, 0};
    }
    if (stream_.end_stream) co_return BodyChunk{{}, true, 0};
    if (stream_.gone || cancelled_) co_return BodyChunk{{}, false, error_ = 499};
    const bool woken = co_await stream_.body_event.wait_for(session_.listener().body_timeout);
    if (!woken && stream_.held_size == 0 && !stream_.end_stream) {
      co_return BodyChunk{{}, false, error_ = 408};
    }
  }
}

void H2RequestBody::cancel_stream() noexcept {
  cancelled_ = true;
  stream_.body_event.notify();
}

bool H2RequestBody::consumed() const noexcept {
  return (stream_.end_stream || stream_.no_body) && error_ == 0;
}

std::uint64_t H2RequestBody::bytes() const noexcept {
  return stream_.body_bytes;
}

std::string_view H2RequestBody::trailers() const noexcept {
  return stream_.end_stream ? std::string_view(stream_.trailers) : std::string_view{};
}

}  // namespace flotilla::gateway::h2
