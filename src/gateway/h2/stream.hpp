// One HTTP/2 stream's state on a client connection: the request head being rebuilt, the received
// body bytes not yet consumed by the upstream (the stream's receive window reopens only as they
// are), the response bytes handed to nghttp2, and the wake-ups of the coroutine serving it.
// Owned and recycled by its Session; never outlives it; never reads or writes the socket.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "gateway/h2/event.hpp"
#include "gateway/h2/header_map.hpp"
#include "gateway/pipeline/request_context.hpp"
#include "gateway/workspace.hpp"
#include "net/async.hpp"
#include "net/object_pool.hpp"

namespace flotilla::gateway::h2 {

class Session;

struct Stream final : ClientPresence {
  explicit Stream(const net::Executor& executor) : body_event(executor), send_event(executor) {}

  // Ready for a new stream `stream_id` (the workspace is leased by the session).
  void reset(std::int32_t stream_id) noexcept;
  // The client reset the stream or the connection ended: whatever waits for it wakes.
  void abort() noexcept;
  // Received DATA payload into a buffer of `capacity` (the stream window); false when it does not
  // fit (the client did not honour the window).
  bool receive(const std::uint8_t* data, std::size_t size, std::size_t capacity);
  // Drops the first `size` held bytes (the upstream has them).
  void release(std::size_t size) noexcept;

  // ClientPresence
  void watch_while_waiting(tls::Stream* upstream) noexcept override { upstream_wait = upstream; }
  bool client_gone() const noexcept override { return gone; }

  std::int32_t id = 0;
  net::ObjectPool<Workspace>::Lease ws;
  RequestHeadBuilder head;
  std::size_t head_size = 0;
  bool headers_done = false;
  bool end_stream = false;       // the request's END_STREAM arrived
  bool no_body = false;          // ...with its HEADERS
  bool open = false;             // nghttp2 knows the stream (until on_stream_close)
  bool running = false;          // its coroutine runs
  bool gone = false;             // reset by the client, or the connection ended
  bool tunnel = false;           // an extended CONNECT (RFC 8441): DATA is a tunnel's bytes
  std::uint32_t close_code = 0;  // nghttp2's error code when it closed

  // Request body: held[0, held_size) unconsumed; the first `handed` went to the body's reader.
  std::unique_ptr<char[]> held;
  std::size_t held_capacity = 0;
  std::size_t held_size = 0;
  std::size_t handed = 0;
  std::uint64_t body_bytes = 0;
  int body_error = 0;    // 413 once over max_body
  std::string trailers;  // the request's trailer fields, `Name: value\r\n` lines (≤ kTrailerRoom)
  Event body_event;

  // Response body: the piece the sink handed over, copied into DATA frames by nghttp2's read
  // callback; `last`: END_STREAM after it.
  std::string_view out;
  bool out_last = false;
  bool eof_queued = false;
  bool deferred = false;  // the read callback paused the stream (NGHTTP2_ERR_DEFERRED)
  // The response ends with trailers (`fields` holds them): a HEADERS frame, not END_STREAM on
  // the last DATA.
  bool trailers_out = false;
  // Where an upstream's chunked trailers are kept (allocated once per stream object, when a
  // chunked response is first forwarded on it).
  static constexpr std::size_t kTrailerRoom = 8 * 1024;
  std::unique_ptr<char[]> trailer_room;
  Event send_event;
  ResponseFields fields;

  tls::Stream* upstream_wait = nullptr;
};

// Serves one stream through the pipeline, from its parsed head to its last DATA frame.
net::Awaitable<void> serve_stream(Session& session, Stream& stream);

}  // namespace flotilla::gateway::h2
