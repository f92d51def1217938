// What each frame nghttp2 has received does to the session's streams (the callbacks' member
// halves): stream ids, request fields and trailers, extended CONNECT, DATA into the stream's
// window buffer, stream close. Never writes to the socket (the session's writer does).
#include <random>

#include <spdlog/spdlog.h>

#include "gateway/h2/session.hpp"
#include "gateway/worker.hpp"

namespace flotilla::gateway::h2 {
namespace {

using observe::Http2Event;

// Sec-WebSocket-Key nonces (RFC 6455 §4.1 asks for a random value, not a secret one).
std::uint64_t nonce() {
  thread_local std::mt19937_64 generator{std::random_device{}()};
  return generator();
}

}  // namespace

int Session::on_begin_frame(const nghttp2_frame_hd& hd) {
  // RFC 9113 §5.1.1: a HEADERS on a stream id the client skipped opens a stream backwards.
  if (hd.type == NGHTTP2_HEADERS && (hd.stream_id & 1) && !skipped_ids_.headers(hd.stream_id)) {
    return NGHTTP2_ERR_CALLBACK_FAILURE;  // feed(): GOAWAY PROTOCOL_ERROR
  }
  return 0;
}

int Session::on_begin_headers(const nghttp2_frame& frame) {
  if (frame.hd.type != NGHTTP2_HEADERS || frame.headers.cat != NGHTTP2_HCAT_REQUEST) return 0;
  if (terminated_) return 0;
  // nghttp2 enforces max_concurrent_streams on open streams (REFUSED_STREAM before the client
  // acknowledged our SETTINGS, RFC 9113 §5.1.2). Streams the client already closed or reset may
  // still be finishing here: those are bounded too (twice the limit), so a client cannot pile up
  // work by resetting streams faster than they end.
  if (closing_ || goaway_sent_ || live_ >= 2 * limits_.max_concurrent_streams) {
    nghttp2_submit_rst_stream(session_, NGHTTP2_FLAG_NONE, frame.hd.stream_id,
                              NGHTTP2_REFUSED_STREAM);
    return 0;
  }
  Stream& stream = acquire(frame.hd.stream_id);
  nghttp2_session_set_stream_user_data(session_, frame.hd.stream_id, &stream);
  return 0;
}

int Session::on_header(const nghttp2_frame& frame, std::string_view name, std::string_view value) {
  Stream* stream = stream_of(frame.hd.stream_id);
  if (!stream) return 0;
  if (stream->headers_done) {
    // A request's trailers (nghttp2 checked the HEADERS came after DATA, with END_STREAM): kept
    // for the upstream's last chunk when allowed there; the rest is dropped.
    if (frame.headers.cat == NGHTTP2_HCAT_HEADERS && !stream->tunnel) {
      append_trailer(stream->trailers, name, value, Stream::kTrailerRoom);
    }
    return 0;
  }
  if (frame.headers.cat != NGHTTP2_HCAT_REQUEST) return 0;
  stream->head.add(name, value);
  return 0;
}

int Session::on_frame_recv(const nghttp2_frame& frame) {
  if (terminated_) return 0;
  const auto now = net::coarse_now();
  switch (frame.hd.type) {
    case NGHTTP2_HEADERS: {
      Stream* stream = stream_of(frame.hd.stream_id);
      if (!stream) break;
      const bool end = (frame.hd.flags & NGHTTP2_FLAG_END_STREAM) != 0;
      if (!stream->headers_done && frame.headers.cat == NGHTTP2_HCAT_REQUEST) {
        stream->headers_done = true;
        stream->end_stream = end;
        // An extended CONNECT's DATA is the tunnel's, not a body for the upgrade request.
        stream->tunnel = stream->head.extended_connect();
        stream->no_body = end || stream->tunnel;
        if (stream->tunnel && stream->head.websocket()) {
          const auto key = websocket_key(nonce(), nonce());
          stream->head_size = stream->head.finish(end, {key.data(), key.size()});
        } else {
          stream->head_size = stream->head.finish(end);
        }
        start(*stream);
      } else if (end) {
        stream->end_stream = true;  // after trailers
        stream->body_event.notify();
      }
      break;
    }
    case NGHTTP2_DATA: {
      const bool end = (frame.hd.flags & NGHTTP2_FLAG_END_STREAM) != 0;
      if (frame.hd.length == 0 && !end && !empty_data_.take(now)) {
        terminate(Http2Event::empty_data_flood, NGHTTP2_ENHANCE_YOUR_CALM);
        break;
      }
      Stream* stream = stream_of(frame.hd.stream_id);
      if (stream && end) {
        stream->end_stream = true;
        stream->body_event.notify();
      }
      break;
    }
    case NGHTTP2_PING:
      if ((frame.hd.flags & NGHTTP2_FLAG_ACK) == 0 && !pings_.take(now)) {
        terminate(Http2Event::ping_flood, NGHTTP2_ENHANCE_YOUR_CALM);
      }
      break;
    case NGHTTP2_SETTINGS:
      if ((frame.hd.flags & NGHTTP2_FLAG_ACK) == 0 && !settings_.take(now)) {
        terminate(Http2Event::settings_flood, NGHTTP2_ENHANCE_YOUR_CALM);
      }
      break;
    case NGHTTP2_WINDOW_UPDATE:
      if (!window_updates_.take(now)) {
        terminate(Http2Event::window_update_flood, NGHTTP2_ENHANCE_YOUR_CALM);
      }
      break;
    case NGHTTP2_RST_STREAM:
      // CVE-2023-44487: streams opened and reset at once cost the server work each; a budget
      // of resets per connection, then GOAWAY.
      if (!resets_.take(now)) terminate(Http2Event::rapid_reset, NGHTTP2_ENHANCE_YOUR_CALM);
      break;
    default:
      break;
  }
  return 0;
}

int Session::on_frame_send(const nghttp2_frame& frame) {
  // Each DATA frame sent may be answered by WINDOW_UPDATEs: they earn their budget.
  if (frame.hd.type == NGHTTP2_DATA) window_updates_.give(2);
  if (frame.hd.type == NGHTTP2_GOAWAY) goaway_sent_ = true;
  // Ours and nghttp2's own (a stream over the advertised limit before the client's ACK).
  if (frame.hd.type == NGHTTP2_RST_STREAM &&
      frame.rst_stream.error_code == NGHTTP2_REFUSED_STREAM) {
    count(Http2Event::stream_refused);
  }
  return 0;
}

int Session::on_data_chunk(std::int32_t stream_id, const std::uint8_t* data, std::size_t size) {
  // The connection's window reopens at once: only each stream's own window holds back bytes
  // its upstream has not taken, so one slow upstream never stalls the other streams (memory
  // stays bounded by max_concurrent_streams × initial_window).
  nghttp2_session_consume_connection(session_, size);
  Stream* stream = stream_of(stream_id);
  if (!stream || stream->gone || !stream->running || stream->body_error != 0 || terminated_) {
    // Nobody reads it (refused, reset, answered already, or over max_body): dropped.
    if (stream && stream->open) nghttp2_session_consume_stream(session_, stream_id, size);
    return 0;
  }
  if (!stream->receive(data, size, limits_.initial_window)) {
    nghttp2_submit_rst_stream(session_, NGHTTP2_FLAG_NONE, stream_id, NGHTTP2_FLOW_CONTROL_ERROR);
    return 0;
  }
  if (listener_.max_body != 0 && stream->body_bytes > listener_.max_body && !stream->tunnel) {
    stream->body_error = 413;
  }
  stream->body_event.notify();
  return 0;
}

int Session::on_stream_close(std::int32_t stream_id, std::uint32_t code) {
  Stream* stream = stream_of(stream_id);
  if (!stream) return 0;
  stream->open = false;
  stream->close_code = code;
  if (!stream->running) {
    recycle(*stream);
    return 0;
  }
  if (!stream->eof_queued || !stream->end_stream) stream->abort();
  return 0;
}

}  // namespace flotilla::gateway::h2
