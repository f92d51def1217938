// A request's body as the producers of requests deliver it, whatever the protocol: the decoded
// bytes that arrived with the head (kept, so the request can be replayed on another endpoint),
// then the rest as a stream. The HTTP/1 connection implements it over its buffer (and answers
// `Expect: 100-continue` when the stream is first read); HTTP/2 will over DATA frames.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "net/async.hpp"

namespace flotilla::gateway {

struct BodyChunk {
  std::string_view data;  // decoded payload, valid until the next call
  bool last = false;      // the body ended with `data`
  int error = 0;          // 400 (broken framing), 413 (over max_body), 408 (timed out), 499
};

class RequestBody {
 public:
  // No body at all.
  virtual bool empty() const noexcept = 0;
  // The total length when the client declared it (Content-Length), else nullopt (chunked).
  virtual std::optional<std::uint64_t> length() const noexcept = 0;
  // Reads a small body that fits the connection's buffer before the first attempt, so that it
  // stays replayable (nginx buffers request bodies for the same reason); larger bodies and
  // bodies behind `Expect: 100-continue` are left to stream. Returns an error status or 0.
  // An empty() body has nothing to fetch: callers skip the call (and its coroutine) for it.
  virtual net::Awaitable<int> prefetch() = 0;
  // The payload held so far (all of it when complete()); stable until stream() is first called.
  virtual std::string_view buffered() const noexcept = 0;
  virtual bool complete() const noexcept = 0;
  // The upstream is ready for the rest of the body: HTTP/1 answers `Expect: 100-continue` now.
  // False: the client went away. Called once, before the first stream().
  virtual net::Awaitable<bool> begin_stream() = 0;
  // The rest of the payload, after buffered(). Once called, the body cannot be replayed.
  virtual net::Awaitable<BodyChunk> stream() = 0;
  // Ends a stream() that waits for the client (the exchange gave up on the upstream).
  virtual void cancel_stream() noexcept = 0;
  virtual bool streamed() const noexcept = 0;
  // The body was read to its end (the connection can carry another request).
  virtual bool consumed() const noexcept = 0;
  virtual std::uint64_t bytes() const noexcept = 0;  // payload bytes received so far
  // Trailer field lines (`Name: value\r\n` each, already checked as trailers) to send with the
  // last chunk of a chunked body, once the body is complete: HTTP/2 keeps a request's trailers,
  // HTTP/1's are dropped while decoding.
  virtual std::string_view trailers() const noexcept { return {}; }

 protected:
  ~RequestBody() = default;
};

}  // namespace flotilla::gateway
