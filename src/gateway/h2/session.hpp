// One HTTP/2 client connection (RFC 9113) on nghttp2: the reader feeding frames in, the writer
// draining nghttp2's output to the socket (woken when a stream has something to say), a
// coroutine per stream through the same pipeline as HTTP/1, the flood budgets that end an
// abusive connection with GOAWAY, and the graceful GOAWAY on drain. Owns its streams; never
// buffers a whole body (flow control holds at most one window per stream); never blocks.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nghttp2/nghttp2.h>

#include "gateway/h2/event.hpp"
#include "gateway/h2/limits.hpp"
#include "gateway/h2/serve.hpp"
#include "gateway/h2/stream.hpp"
#include "gateway/h2/stream_ids.hpp"
#include "gateway/listener_settings.hpp"
#include "net/async.hpp"
#include "observe/metric_shard.hpp"

namespace flotilla::gateway {
class Worker;
class Downstream;
}  // namespace flotilla::gateway

namespace flotilla::gateway::h2 {

class Session {
 public:
  Session(Worker& worker, Downstream& downstream, std::uint32_t listener_index,
          std::string_view client_ip, const Limits& limits);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  net::Awaitable<void> run(std::string_view received, const H2cUpgrade* upgrade);

  Worker& worker() noexcept { return worker_; }
  Downstream& downstream() noexcept { return downstream_; }
  const ListenerSettings& listener() const noexcept { return listener_; }
  std::uint32_t listener_index() const noexcept { return listener_index_; }
  std::string_view client_ip() const noexcept { return {client_ip_.data(), client_ip_size_}; }
  const Limits& limits() const noexcept { return limits_; }

  // For a stream's body and sink.
  void consume(Stream& stream, std::size_t size);
  void submit_response(Stream& stream, std::span<const nghttp2_nv> fields, bool with_body);
  void submit_interim(Stream& stream, std::span<const nghttp2_nv> fields);
  void resume_data(Stream& stream);
  void reset(Stream& stream, std::uint32_t code);
  void count(observe::Http2Event event) noexcept;

  // nghttp2's callbacks (session.cpp's trampolines call these).
  int on_begin_frame(const nghttp2_frame_hd& hd);
  int on_begin_headers(const nghttp2_frame& frame);
  int on_header(const nghttp2_frame& frame, std::string_view name, std::string_view value);
  int on_frame_recv(const nghttp2_frame& frame);
  int on_frame_send(const nghttp2_frame& frame);
  int on_data_chunk(std::int32_t stream_id, const std::uint8_t* data, std::size_t size);
  int on_stream_close(std::int32_t stream_id, std::uint32_t code);

 private:
  Stream* stream_of(std::int32_t stream_id) const noexcept;
  Stream& acquire(std::int32_t stream_id);
  void recycle(Stream& stream) noexcept;
  void start(Stream& stream);
  void stream_done(Stream& stream);
  // A budget ran out or nghttp2 found a connection error: GOAWAY, then the connection ends.
  void terminate(observe::Http2Event event, std::uint32_t code);
  // Feeds received bytes to nghttp2; false when the connection must end.
  bool feed(std::string_view bytes);
  // Stream 1 of an h2c upgrade: the HTTP/1.1 request, already parsed once; false on failure.
  bool start_upgraded(const H2cUpgrade& upgrade);
  net::Awaitable<void> write_loop();
  // Submits the graceful GOAWAY once the worker drains; true when it did.
  bool maybe_drain();

  Worker& worker_;
  Downstream& downstream_;
  const ListenerSettings& listener_;
  std::uint32_t listener_index_;
  Limits limits_;
  std::array<char, 46> client_ip_{};
  std::size_t client_ip_size_ = 0;
  nghttp2_session* session_ = nullptr;

  std::vector<std::unique_ptr<Stream>> streams_;  // every stream object made (recycled)
  std::vector<Stream*> free_;
  std::uint32_t live_ = 0;     // streams acquired: open in nghttp2 or still being served
  std::uint32_t running_ = 0;  // stream coroutines
  Event write_event_;
  Event done_event_;
  std::unique_ptr<char[]> read_buffer_;
  std::string out_;  // frames gathered for one write
  bool closing_ = false;
  bool writer_done_ = false;
  bool terminated_ = false;
  bool goaway_sent_ = false;

  TokenBucket resets_, pings_, settings_, empty_data_, window_updates_;
  SkippedStreamIds skipped_ids_;
};

}  // namespace flotilla::gateway::h2
