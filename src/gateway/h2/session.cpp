#include "gateway/h2/session.hpp"

#include <algorithm>
#include <cstring>

#include <spdlog/spdlog.h>
#include <asio/co_spawn.hpp>

#include "gateway/downstream.hpp"
#include "gateway/h2/serve.hpp"
#include "gateway/worker.hpp"
#include "net/coarse_clock.hpp"

namespace flotilla::gateway::h2 {
namespace {

using observe::Http2Event;

constexpr std::size_t kReadSize = 16 * 1024;
constexpr std::size_t kWriteGather = 32 * 1024;   // frames gathered into one write
constexpr std::chrono::milliseconds kTick{1000};  // how often a waiting writer looks at drain

Session& self_of(void* user_data) {
  return *static_cast<Session*>(user_data);
}

int begin_frame_cb(nghttp2_session*, const nghttp2_frame_hd* hd, void* user_data) {
  return self_of(user_data).on_begin_frame(*hd);
}

int begin_headers_cb(nghttp2_session*, const nghttp2_frame* frame, void* user_data) {
  return self_of(user_data).on_begin_headers(*frame);
}

int header_cb(nghttp2_session*, const nghttp2_frame* frame, const std::uint8_t* name,
              std::size_t name_size, const std::uint8_t* value, std::size_t value_size,
              std::uint8_t, void* user_data) {
  return self_of(user_data).on_header(*frame, {reinterpret_cast<const char*>(name), name_size},
                                      {reinterpret_cast<const char*>(value), value_size});
}

int frame_recv_cb(nghttp2_session*, const nghttp2_frame* frame, void* user_data) {
  return self_of(user_data).on_frame_recv(*frame);
}

int frame_send_cb(nghttp2_session*, const nghttp2_frame* frame, void* user_data) {
  return self_of(user_data).on_frame_send(*frame);
}

int data_chunk_cb(nghttp2_session*, std::uint8_t, std::int32_t stream_id, const std::uint8_t* data,
                  std::size_t size, void* user_data) {
  return self_of(user_data).on_data_chunk(stream_id, data, size);
}

int stream_close_cb(nghttp2_session*, std::int32_t stream_id, std::uint32_t code, void* user_data) {
  return self_of(user_data).on_stream_close(stream_id, code);
}

// Copies the sink's piece into DATA frames; pauses the stream while the sink has nothing.
ssize_t read_data_cb(nghttp2_session* session, std::int32_t stream_id, std::uint8_t* buffer,
                     std::size_t length, std::uint32_t* flags, nghttp2_data_source* source, void*) {
  Stream& stream = *static_cast<Stream*>(source->ptr);
  const std::size_t n = std::min(length, stream.out.size());
  if (n > 0) std::memcpy(buffer, stream.out.data(), n);
  stream.out.remove_prefix(n);
  if (stream.out.empty()) {
    if (stream.out_last) {
      *flags |= NGHTTP2_DATA_FLAG_EOF;
      if (stream.trailers_out) {
        // The trailers' HEADERS frame carries END_STREAM (nghttp2 copies the list).
        *flags |= NGHTTP2_DATA_FLAG_NO_END_STREAM;
        const std::span<const nghttp2_nv> trailers = stream.fields.list();
        if (nghttp2_submit_trailer(session, stream_id, trailers.data(), trailers.size()) != 0) {
          *flags &= ~static_cast<std::uint32_t>(NGHTTP2_DATA_FLAG_NO_END_STREAM);
        }
      }
      stream.eof_queued = true;
    }
    stream.send_event.notify();  // the sink may hand over the next piece
    if (n == 0 && !stream.out_last) {
      stream.deferred = true;
      return NGHTTP2_ERR_DEFERRED;
    }
  }
  return static_cast<ssize_t>(n);
}

struct Callbacks {
  nghttp2_session_callbacks* callbacks = nullptr;
  Callbacks() {
    nghttp2_session_callbacks_new(&callbacks);
    nghttp2_session_callbacks_set_on_begin_frame_callback(callbacks, begin_frame_cb);
    nghttp2_session_callbacks_set_on_begin_headers_callback(callbacks, begin_headers_cb);
    nghttp2_session_callbacks_set_on_header_callback(callbacks, header_cb);
    nghttp2_session_callbacks_set_on_frame_recv_callback(callbacks, frame_recv_cb);
    nghttp2_session_callbacks_set_on_frame_send_callback(callbacks, frame_send_cb);
    nghttp2_session_callbacks_set_on_data_chunk_recv_callback(callbacks, data_chunk_cb);
    nghttp2_session_callbacks_set_on_stream_close_callback(callbacks, stream_close_cb);
  }
  ~Callbacks() { nghttp2_session_callbacks_del(callbacks); }
};

struct Options {
  nghttp2_option* option = nullptr;
  explicit Options(const Limits& limits) {
    nghttp2_option_new(&option);
    // The receive windows reopen only as the upstream consumes the body (Session::consume).
    nghttp2_option_set_no_auto_window_update(option, 1);
    nghttp2_option_set_max_continuations(option, limits.max_continuations);
    nghttp2_option_set_max_settings(option, 32);
    // Our own reset budget decides (and counts); nghttp2's stays as a backstop above it.
    nghttp2_option_set_stream_reset_rate_limit(option, limits.reset_burst * 4ULL,
                                               limits.reset_rate * 4ULL);
  }
  ~Options() { nghttp2_option_del(option); }
};

}  // namespace

Session::Session(Worker& worker, Downstream& downstream, std::uint32_t listener_index,
                 std::string_view client_ip, const Limits& limits)
    : worker_(worker),
      downstream_(downstream),
      listener_(worker.listener(listener_index)),
      listener_index_(listener_index),
      limits_(limits),
      write_event_(downstream.stream().socket().get_executor()),
      done_event_(downstream.stream().socket().get_executor()) {
  client_ip_size_ = std::min(client_ip.size(), client_ip_.size());
  std::memcpy(client_ip_.data(), client_ip.data(), client_ip_size_);
  const auto now = std::chrono::steady_clock::now();
  resets_.reset(limits_.reset_burst, limits_.reset_rate, now);
  pings_.reset(limits_.ping_burst, limits_.ping_rate, now);
  settings_.reset(limits_.settings_burst, limits_.settings_rate, now);
  empty_data_.reset(limits_.empty_data_burst, limits_.empty_data_rate, now);
  window_updates_.reset(limits_.window_update_burst, limits_.window_update_rate, now);
}

Session::~Session() {
  if (session_) nghttp2_session_del(session_);
}

void Session::count(Http2Event event) noexcept {
  worker_.metrics().http2_event(event);
}

Stream* Session::stream_of(std::int32_t stream_id) const noexcept {
  return static_cast<Stream*>(nghttp2_session_get_stream_user_data(session_, stream_id));
}

Stream& Session::acquire(std::int32_t stream_id) {
  if (free_.empty()) {
    streams_.push_back(std::make_unique<Stream>(downstream_.stream().socket().get_executor()));
    free_.push_back(streams_.back().get());
  }
  Stream& stream = *free_.back();
  free_.pop_back();
  stream.reset(stream_id);
  stream.ws = worker_.workspaces(listener_index_).lease();
  Workspace& ws = *stream.ws;
  ws.record.begin(std::chrono::steady_clock::now());
  ws.client_ip_size = client_ip_size_;
  std::memcpy(ws.client_ip.data(), client_ip_.data(), client_ip_size_);
  stream.head.start(ws.buffer.get(), ws.capacity);
  stream.open = true;
  ++live_;
  return stream;
}

void Session::recycle(Stream& stream) noexcept {
  stream.ws.release();
  --live_;
  free_.push_back(&stream);
  if (live_ == 0) {
    // No stream: the connection is idle, and the keep-alive timeout bounds the wait.
    downstream_.read_deadline().expires_after(limits_.idle_timeout);
    done_event_.notify();
  }
}

void Session::start(Stream& stream) {
  stream.running = true;
  ++running_;
  downstream_.read_deadline().disarm();  // a stream is served: not idle
  asio::co_spawn(downstream_.stream().socket().get_executor(), serve_stream(*this, stream),
                 [this, &stream](std::exception_ptr e) {
                   if (e) {
                     try {
                       std::rethrow_exception(e);
                     } catch (const std::exception& error) {
                       spdlog::error("HTTP/2 stream aborted: {}", error.what());
                     }
                   }
                   stream_done(stream);
                 });
}

void Session::stream_done(Stream& stream) {
  stream.running = false;
  --running_;
  if (stream.open && !terminated_) {
    if (stream.tunnel && stream.out_last && !stream.eof_queued) {
      // A tunnel whose upstream closed: END_STREAM is queued behind its last DATA.
    } else if (!stream.eof_queued) {
      // The response was cut short (or never made): the client must not wait for the rest.
      nghttp2_submit_rst_stream(session_, NGHTTP2_FLAG_NONE, stream.id, NGHTTP2_INTERNAL_ERROR);
    } else if (!stream.end_stream) {
      // RFC 9113 §8.1: a complete response before the whole request: stop its upload.
      nghttp2_submit_rst_stream(session_, NGHTTP2_FLAG_NONE, stream.id, NGHTTP2_NO_ERROR);
    }
    write_event_.notify();
  }
  if (!stream.open) recycle(stream);
  if (running_ == 0) done_event_.notify();
}

void Session::consume(Stream& stream, std::size_t size) {
  if (!stream.open || terminated_ || size == 0) return;
  nghttp2_session_consume_stream(session_, stream.id, size);
  write_event_.notify();
}

void Session::submit_response(Stream& stream, std::span<const nghttp2_nv> fields, bool with_body) {
  nghttp2_data_provider provider{};
  provider.source.ptr = &stream;
  provider.read_callback = read_data_cb;
  if (!with_body) stream.eof_queued = true;
  nghttp2_submit_response(session_, stream.id, fields.data(), fields.size(),
                          with_body ? &provider : nullptr);
  write_event_.notify();
}

void Session::submit_interim(Stream& stream, std::span<const nghttp2_nv> fields) {
  nghttp2_submit_headers(session_, NGHTTP2_FLAG_NONE, stream.id, nullptr, fields.data(),
                         fields.size(), nullptr);
  write_event_.notify();
}

void Session::resume_data(Stream& stream) {
  if (stream.deferred) {
    stream.deferred = false;
    nghttp2_session_resume_data(session_, stream.id);
  }
  write_event_.notify();
}

void Session::reset(Stream& stream, std::uint32_t code) {
  if (!stream.open) return;
  nghttp2_submit_rst_stream(session_, NGHTTP2_FLAG_NONE, stream.id, code);
  write_event_.notify();
}

void Session::terminate(Http2Event event, std::uint32_t code) {
  if (terminated_) return;
  terminated_ = true;
  count(event);
  nghttp2_session_terminate_session(session_, code);
  write_event_.notify();
}

bool Session::feed(std::string_view bytes) {
  const ssize_t n = nghttp2_session_mem_recv(
      session_, reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
  if (n < 0) {
    if (n == NGHTTP2_ERR_TOO_MANY_CONTINUATIONS) {
      terminate(Http2Event::continuation_flood, NGHTTP2_ENHANCE_YOUR_CALM);
    } else if (n == NGHTTP2_ERR_FLOODED) {
      terminate(Http2Event::ping_flood, NGHTTP2_ENHANCE_YOUR_CALM);
    } else {
      terminate(Http2Event::protocol_error, NGHTTP2_PROTOCOL_ERROR);
    }
    return false;
  }
  write_event_.notify();
  return !terminated_;
}

bool Session::maybe_drain() {
  if (goaway_sent_ || terminated_ || !worker_.draining()) return false;
  // Graceful: streams up to the last one we processed complete; newer ones were not served.
  nghttp2_submit_goaway(session_, NGHTTP2_FLAG_NONE,
                        nghttp2_session_get_last_proc_stream_id(session_), NGHTTP2_NO_ERROR,
                        nullptr, 0);
  goaway_sent_ = true;
  count(Http2Event::goaway_drain);
  return true;
}

net::Awaitable<void> Session::write_loop() {
  for (;;) {
    while (out_.size() < kWriteGather) {
      const std::uint8_t* data = nullptr;
      const ssize_t n = nghttp2_session_mem_send(session_, &data);
      if (n <= 0) break;
      out_.append(reinterpret_cast<const char*>(data), static_cast<std::size_t>(n));
    }
    if (!out_.empty()) {
      auto [ec, written] = co_await downstream_.write(out_, listener_.send_timeout);
      out_.clear();
      if (ec) {
        downstream_.stream().close();  // the reader ends too
        break;
      }
      continue;
    }
    if (closing_) break;
    if (!nghttp2_session_want_read(session_) && !nghttp2_session_want_write(session_)) {
      // GOAWAY went out and no stream is left: end the connection (the reader wakes).
      downstream_.stream().shutdown_send();
      std::error_code ignored;
      downstream_.stream().socket().cancel(ignored);
      break;
    }
    if (maybe_drain()) continue;
    co_await write_event_.wait_for(kTick);
  }
  writer_done_ = true;
  done_event_.notify();
}

bool Session::start_upgraded(const H2cUpgrade& upgrade) {
  if (nghttp2_session_upgrade2(
          session_, reinterpret_cast<const std::uint8_t*>(upgrade.settings.data()),
          upgrade.settings.size(), upgrade.head_request ? 1 : 0, nullptr) != 0) {
    return false;
  }
  Stream& stream = acquire(1);
  nghttp2_session_set_stream_user_data(session_, 1, &stream);
  Workspace& ws = *stream.ws;
  if (upgrade.head.size() > ws.capacity) return false;  // (it came from a buffer this size)
  std::memcpy(ws.buffer.get(), upgrade.head.data(), upgrade.head.size());
  stream.head_size = upgrade.head.size();
  stream.headers_done = true;
  stream.end_stream = true;  // half-closed (remote): the request had no body
  stream.no_body = true;
  start(stream);
  return true;
}

net::Awaitable<void> Session::run(std::string_view received, const H2cUpgrade* upgrade) {
  static const Callbacks callbacks;
  Options options(limits_);
  if (nghttp2_session_server_new2(&session_, callbacks.callbacks, this, options.option) != 0) {
    session_ = nullptr;
    co_return;
  }
  count(Http2Event::connection);
  const std::array<nghttp2_settings_entry, 6> settings{{
      {NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, limits_.max_concurrent_streams},
      {NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, limits_.initial_window},
      {NGHTTP2_SETTINGS_HEADER_TABLE_SIZE, limits_.header_table_size},
      {NGHTTP2_SETTINGS_MAX_FRAME_SIZE, limits_.max_frame_size},
      {NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE, limits_.max_header_list},
      {NGHTTP2_SETTINGS_ENABLE_CONNECT_PROTOCOL, 1},  // RFC 8441: WebSocket over HTTP/2
  }};
  nghttp2_submit_settings(session_, NGHTTP2_FLAG_NONE, settings.data(), settings.size());
  nghttp2_session_set_local_window_size(session_, NGHTTP2_FLAG_NONE, 0,
                                        static_cast<std::int32_t>(limits_.connection_window));
  if (upgrade && !start_upgraded(*upgrade))
    terminate(Http2Event::protocol_error, NGHTTP2_PROTOCOL_ERROR);

  bool reading = received.empty() || feed(received);
  asio::co_spawn(downstream_.stream().socket().get_executor(), write_loop(),
                 [this](std::exception_ptr) {
                   writer_done_ = true;
                   done_event_.notify();
                 });
  while (reading && !terminated_) {
    if (!nghttp2_session_want_read(session_) && !nghttp2_session_want_write(session_)) break;
    const std::chrono::milliseconds idle =
        live_ == 0 ? limits_.idle_timeout : std::chrono::milliseconds{0};
    if (live_ == 0 && !downstream_.stream().has_buffered()) {
      // No stream: wait for the client's next bytes holding no read buffer (an idle HTTP/1
      // connection holds none either); the idle deadline closes the socket, ending the wait.
      read_buffer_.reset();
      downstream_.read_deadline().expires_after(idle);
      auto [wait_ec] = co_await downstream_.stream().socket().async_wait(
          asio::socket_base::wait_read, net::use_nothrow_io);
      downstream_.read_deadline().disarm();
      if (wait_ec) {
        if (downstream_.read_deadline().expired()) count(Http2Event::idle_timeout);
        break;
      }
    }
    if (!read_buffer_) read_buffer_ = std::make_unique_for_overwrite<char[]>(kReadSize);
    auto [ec, n] =
        co_await downstream_.read_some(asio::buffer(read_buffer_.get(), kReadSize), idle);
    if (ec) {
      if (downstream_.read_deadline().expired()) count(Http2Event::idle_timeout);
      break;
    }
    reading = feed({read_buffer_.get(), n});
  }
  // The client left, broke the protocol, or the session is over: GOAWAY (if any) goes out,
  // every stream still served wakes, and the connection ends once they all have.
  if (terminated_) {
    write_event_.notify();
    for (int i = 0; i < 50 && !writer_done_ && nghttp2_session_want_write(session_); ++i) {
      co_await done_event_.wait_for(std::chrono::milliseconds(100));
    }
  }
  closing_ = true;
  for (const auto& stream : streams_) {
    if (stream->running) stream->abort();
  }
  write_event_.notify();
  while (running_ > 0 || !writer_done_) {
    co_await done_event_.wait_for(kTick);
    write_event_.notify();
  }
}

}  // namespace flotilla::gateway::h2

namespace flotilla::gateway {

net::Awaitable<void> serve_http2(Worker& worker, Downstream& downstream,
                                 std::uint32_t listener_index, std::string_view client_ip,
                                 std::string_view received, const H2cUpgrade* upgrade) {
  h2::Session session(worker, downstream, listener_index, client_ip,
                      worker.listener(listener_index).http2_limits);
  co_await session.run(received, upgrade);
}

}  // namespace flotilla::gateway
