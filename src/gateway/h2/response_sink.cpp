#include "gateway/h2/response_sink.hpp"

#include <charconv>

#include "gateway/h2/session.hpp"
#include "gateway/h2/stream.hpp"
#include "gateway/worker.hpp"

namespace flotilla::gateway::h2 {
namespace {

bool status_has_no_body(int status) noexcept {
  return (status >= 100 && status < 200) || status == 204 || status == 304;
}

tls::IoResult gone() {
  return {std::make_error_code(std::errc::connection_reset), 0};
}

}  // namespace

net::Awaitable<tls::IoResult> H2ResponseSink::interim(const http::ResponseHead& head,
                                                      std::string_view) {
  // 100 Continue is the gateway's own (begin_stream); 101 never comes here.
  if (head.status == 100 || started_ || stream_.gone) co_return tls::IoResult{};
  ResponseFields& fields = stream_.fields;
  fields.clear();
  fields.status(head.status);
  fields.add_forwarded(head, 0, {});
  session_.submit_interim(stream_, fields.list());
  co_return tls::IoResult{};
}

void H2ResponseSink::head(const ResponseHeadOut& out) {
  head_ = out;
  head_pending_ = true;
  // RFC 8441 §5: the upstream's 101 is a 2xx to the extended CONNECT; the stream stays open.
  tunnel_ = out.upgrade && stream_.tunnel;
  if (tunnel_) head_.status = 200;
  no_body_ = !tunnel_ &&
             (head_request_ || out.length == BodyLength::kNone || status_has_no_body(head_.status));
}

std::span<char> H2ResponseSink::trailer_buffer() noexcept {
  if (head_request_ || tunnel_) return {};
  if (!stream_.trailer_room) {
    stream_.trailer_room = std::make_unique_for_overwrite<char[]>(Stream::kTrailerRoom);
  }
  return {stream_.trailer_room.get(), Stream::kTrailerRoom};
}

void H2ResponseSink::submit_head(bool with_body) {
  ResponseFields& fields = stream_.fields;
  fields.clear();
  fields.status(head_.status);
  const HeaderEdits* edits = head_.edits;
  const std::uint64_t drop_ids = edits ? edits->drop_ids() : 0;
  if (head_.forwarded) {
    fields.add_forwarded(*head_.forwarded, drop_ids,
                         edits ? edits->drop_names() : std::span<const std::string_view>{});
  } else {
    // Server and Date are fields like any other: a rule that drops one drops ours.
    Worker& worker = session_.worker();
    if ((drop_ids & http::header_bit(http::HeaderId::kServer)) == 0)
      fields.add("server", "flotilla");
    if ((drop_ids & http::header_bit(http::HeaderId::kDate)) == 0) {
      fields.add("date", worker.http_date());
    }
  }
  if (edits) fields.add_lines(edits->lines());
  if (tunnel_) fields.drop("sec-websocket-accept");  // not used over HTTP/2 (RFC 8441 §5)
  // (Unless a stage dropped it: a compressed body has no length.)
  if (head_.forwarded && head_.length != BodyLength::kKnown && head_.status != 204 &&
      (drop_ids & http::header_bit(http::HeaderId::kContentLength)) == 0) {
    // A response to HEAD (or a 304) keeps the length the upstream declared for the body.
    for (const http::Header& field : head_.forwarded->headers) {
      if (field.id == http::HeaderId::kContentLength) {
        fields.add("content-length", field.value);
        break;
      }
    }
  }
  if (head_.length == BodyLength::kKnown && head_.status != 204 && head_.status >= 200) {
    const auto [end, ec] =
        std::to_chars(length_.data(), length_.data() + length_.size(), head_.content_length);
    (void)ec;
    fields.add("content-length", {length_.data(), static_cast<std::size_t>(end - length_.data())});
  }
  session_.submit_response(stream_, fields.list(), with_body);
  head_pending_ = false;
  started_ = true;
  if (record_) record_->status = static_cast<std::uint16_t>(head_.status);
}

net::Awaitable<tls::IoResult> H2ResponseSink::body(std::string_view data, bool last) {
  if (stream_.gone || !stream_.open) co_return gone();
  if (head_pending_) {
    // A body that is empty and ends here goes as HEADERS with END_STREAM.
    // (A tunnel's stream stays open; trailers need a stream still open after the head.)
    const bool with_body = !no_body_ && (tunnel_ || !(last && data.empty() && trailers_.empty()));
    submit_head(with_body);
    if (!with_body) {
      complete_ = last;
      co_return tls::IoResult{};
    }
  }
  if (no_body_) {
    complete_ = complete_ || last;
    co_return tls::IoResult{};
  }
  if (tunnel_) co_return tls::IoResult{};  // the tunnel writes what follows (tunnel_peer.cpp)
  if (last && !trailers_.empty()) {
    // The head went out already: `fields` holds the trailers now, for the read callback.
    ResponseFields& fields = stream_.fields;
    fields.clear();
    fields.add_trailer_lines(trailers_);
    stream_.trailers_out = !fields.list().empty();
  }
  stream_.out = data;
  stream_.out_last = last;
  session_.resume_data(stream_);
  // Wait until nghttp2 copied the piece into DATA frames (the window allowing): `data` belongs
  // to the producer, who reuses its buffer once this returns.
  const std::chrono::milliseconds timeout = session_.listener().send_timeout;
  while (!stream_.out.empty() || (last && !stream_.eof_queued)) {
    if (stream_.gone || !stream_.open) co_return gone();
    const bool woken = co_await stream_.send_event.wait_for(timeout);
    if (!woken && (!stream_.out.empty() || (last && !stream_.eof_queued))) {
      session_.reset(stream_, NGHTTP2_CANCEL);  // the client stopped reading
      co_return tls::IoResult{std::make_error_code(std::errc::timed_out), 0};
    }
  }
  bytes_sent_ += data.size();
  if (record_) record_->bytes_out += data.size();
  complete_ = last;
  co_return tls::IoResult{std::error_code{}, data.size()};
}

}  // namespace flotilla::gateway::h2
