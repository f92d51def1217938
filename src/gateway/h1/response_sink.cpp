#include "gateway/h1/response_sink.hpp"

#include <sys/socket.h>

#include <algorithm>
#include <charconv>

#include <fmt/format.h>

#include "gateway/error_response.hpp"
#include "gateway/trailer_fields.hpp"
#include "gateway/worker.hpp"
#include "http/char_class.hpp"
#include "http/chunked_encoder.hpp"

namespace flotilla::gateway {
namespace {

net::Awaitable<tls::IoResult> nothing_to_write() {
  co_return tls::IoResult{};
}

bool status_has_no_body(int status) noexcept {
  return (status >= 100 && status < 200) || status == 204 || status == 304;
}

}  // namespace

void H1ResponseSink::start(http::Version version, bool keep_alive, bool head_request,
                           observe::RequestRecord* record) noexcept {
  record_ = record;
  version_ = version;
  client_keep_alive_ = keep_alive;
  head_request_ = head_request;
  head_pieces_ = {};
  lines_size_ = 0;
  early_bytes_ = {};
  request_ = nullptr;
  trailers_ = {};
  bytes_sent_ = 0;
  status_ = 0;
  head_pending_ = false;
  started_ = false;
  complete_ = false;
  keep_alive_ = false;
  close_after_ = false;
  no_body_ = false;
  chunked_ = false;
  after_chunk_ = false;
}

void H1ResponseSink::add_line(std::string_view line) noexcept {
  std::copy(line.begin(), line.end(), lines_.data() + lines_size_);
  lines_size_ += line.size();
}

net::Awaitable<tls::IoResult> H1ResponseSink::interim(const http::ResponseHead& head,
                                                      std::string_view raw) {
  // 1xx (103 Early Hints...) exist since HTTP/1.1; a 1.0 client would take one for the answer.
  // 100 Continue is the gateway's own to send (when the request body is first read).
  if (version_ != http::Version::kHttp11 || started_ || head.status == 100) {
    return nothing_to_write();
  }
  return downstream_.write(raw, listener_.send_timeout);
}

namespace {

constexpr std::size_t kTrailerRoom = 8 * 1024;  // as much as the chunked decoder accepts

// `TE: trailers` among the request's TE fields (RFC 9110 §10.1.4).
bool takes_trailers(const http::RequestHead& request) noexcept {
  for (const http::Header& field : request.headers) {
    if (field.id != http::HeaderId::kTe) continue;
    std::string_view rest = field.value;
    while (!rest.empty()) {
      const std::size_t comma = rest.find(',');
      std::string_view item = rest.substr(0, comma);
      rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
      item = item.substr(0, item.find(';'));
      while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) item.remove_prefix(1);
      while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) item.remove_suffix(1);
      if (http::detail::iequals(item, "trailers")) return true;
    }
  }
  return false;
}

}  // namespace

std::span<char> H1ResponseSink::trailer_buffer() noexcept {
  trailers_ = {};
  if (!chunked_ || no_body_ || !request_ || !takes_trailers(*request_)) return {};
  if (!trailer_room_) trailer_room_ = std::make_unique_for_overwrite<char[]>(kTrailerRoom);
  return {trailer_room_.get(), kTrailerRoom};
}

void H1ResponseSink::trailers(std::string_view lines) noexcept {
  // The lines are in trailer_room_ (the decoder kept them there): filtered in place.
  if (!trailer_room_ || lines.data() != trailer_room_.get()) return;
  trailers_ = {trailer_room_.get(), keep_allowed_trailers(trailer_room_.get(), lines.size())};
}

void H1ResponseSink::head(const ResponseHeadOut& out) {
  status_ = out.status;
  lines_size_ = 0;
  no_body_ = head_request_ || out.length == BodyLength::kNone || status_has_no_body(out.status);
  chunked_ = false;
  keep_alive_ = client_keep_alive_ && !out.upgrade && !worker_.draining();

  bool reframe = false;
  char length_line[40];
  std::size_t length_size = 0;
  if (out.length == BodyLength::kKnown) {
    const bool same = out.forwarded &&
                      out.forwarded->framing == http::BodyFraming::kContentLength &&
                      out.forwarded->content_length == out.content_length;
    if (!same) {
      reframe = true;
      const std::string_view name = "Content-Length: ";
      std::copy(name.begin(), name.end(), length_line);
      char* end = std::to_chars(length_line + name.size(), length_line + sizeof length_line - 2,
                                out.content_length)
                      .ptr;
      *end++ = '\r';
      *end++ = '\n';
      length_size = static_cast<std::size_t>(end - length_line);
    }
  } else if (out.length == BodyLength::kUnknown) {
    reframe = true;
    // A body of unknown length is chunked for an HTTP/1.1 client, so the connection survives
    // it; a 1.0 client reads it to the close.
    if (version_ == http::Version::kHttp11 && !no_body_) {
      chunked_ = true;
    } else if (!no_body_) {
      keep_alive_ = false;
    }
  }
  if (length_size > 0) add_line({length_line, length_size});
  if (chunked_) add_line("Transfer-Encoding: chunked\r\n");
  // A 101 carries `Connection: upgrade` (the head writer adds it) and nothing else: the
  // connection is not kept for HTTP, but it does not close either, it becomes the tunnel.
  if (!out.upgrade) {
    if (!keeps_connection()) {
      add_line("Connection: close\r\n");
    } else if (version_ == http::Version::kHttp10) {
      add_line("Connection: keep-alive\r\n");
    }
  }

  const std::string_view edit_lines = out.edits ? out.edits->lines() : std::string_view{};
  if (out.forwarded) {
    ws_.response_lines[0] = edit_lines;
    ws_.response_lines[1] = {lines_.data(), lines_size_};
    http::ForwardOptions options;
    options.added = ws_.response_lines;
    if (out.edits) {
      options.drop = out.edits->drop_ids();
      options.drop_names = out.edits->drop_names();
    }
    options.reframe = reframe;
    options.keep_upgrade = out.upgrade;
    options.force_http11 = true;
    head_pieces_ = ws_.response_writer.write(*out.forwarded, options);
  } else {
    std::string& text = ws_.response;
    text.clear();
    // Appended piece by piece: a local answer (a static file from memory) is hot enough that
    // fmt's format parsing showed in its instruction profile.
    char status[8];
    const char* status_end = std::to_chars(status, status + sizeof status, out.status).ptr;
    const auto status_size = static_cast<std::size_t>(status_end - status);
    text += "HTTP/1.1 ";
    text.append(status, status_size);
    text += ' ';
    text += reason_phrase(out.status);
    text += "\r\n";
    // Server and Date are fields like any other: a header rule that sets or removes one has
    // dropped ours (its own line, if any, is among the edits).
    const std::uint64_t dropped = out.edits ? out.edits->drop_ids() : 0;
    if ((dropped & http::header_bit(http::HeaderId::kServer)) == 0) text += "Server: flotilla\r\n";
    if ((dropped & http::header_bit(http::HeaderId::kDate)) == 0) {
      text += "Date: ";
      text += worker_.http_date();
      text += "\r\n";
    }
    text += edit_lines;
    text.append(lines_.data(), lines_size_);
    text += "\r\n";
    ws_.local_head = {text.data(), text.size()};
    head_pieces_ = {&ws_.local_head, 1};
  }
  head_pending_ = true;
}

net::Awaitable<tls::IoResult> H1ResponseSink::body(std::string_view data, bool last) {
  std::vector<asio::const_buffer>& iov = ws_.iov;
  iov.clear();
  if (head_pending_) {
    for (const http::IoPiece& piece : head_pieces_) iov.emplace_back(piece.data, piece.size);
  }
  if (!no_body_) {
    if (chunked_) {
      if (!data.empty()) {
        const std::size_t n = http::write_chunk_header(ws_.framing, data.size(), after_chunk_);
        iov.emplace_back(ws_.framing.data(), n);
        iov.emplace_back(data.data(), data.size());
        after_chunk_ = true;
      }
      if (last) {
        if (after_chunk_) iov.emplace_back(http::kChunkDataEnd.data(), http::kChunkDataEnd.size());
        if (trailers_.empty()) {
          iov.emplace_back(http::kLastChunk.data(), http::kLastChunk.size());
        } else {  // `0\r\n`, the trailer lines, the final CRLF
          iov.emplace_back(http::kLastChunk.data(), 3);
          iov.emplace_back(trailers_.data(), trailers_.size());
          iov.emplace_back(http::kChunkDataEnd.data(), http::kChunkDataEnd.size());
          trailers_ = {};
        }
        after_chunk_ = false;
      }
    } else if (!data.empty()) {
      iov.emplace_back(data.data(), data.size());
    }
  }
  if (iov.empty()) {
    complete_ = complete_ || last;
    co_return tls::IoResult{};
  }
  const bool first = head_pending_;
  head_pending_ = false;
  started_ = true;
  downstream_.write_deadline().expires_after(listener_.send_timeout);
  // Most responses fit the socket's send buffer: written at once, without an Asio operation.
  const std::span<const asio::const_buffer> pieces(iov);
  std::error_code now_error;
  const std::size_t now = downstream_.stream().write_now(pieces, now_error);
  tls::IoResult result{now_error, now};
  if (now_error == asio::error::would_block) {  // nothing written (or TLS): the whole write
    result = co_await downstream_.stream().write(pieces);
  } else if (!now_error && now < asio::buffer_size(pieces)) {
    result = co_await downstream_.stream().write_rest(pieces, now);
  }
  downstream_.write_deadline().disarm();
  bytes_sent_ += std::get<1>(result);
  if (last && !std::get<0>(result)) complete_ = true;
  if (record_) {
    record_->bytes_out += std::get<1>(result);
    if (first) record_->status = static_cast<std::uint16_t>(status_);
  }
  co_return result;
}

net::Awaitable<tls::IoResult> H1ResponseSink::file(int fd, std::uint64_t offset,
                                                   std::uint64_t length, bool last) {
  if (downstream_.secure() || chunked_ || no_body_) {
    co_return co_await ResponseSink::file(fd, offset, length, last);
  }
  // The send deadline covers one slice: a slow reader that keeps taking bytes is not cut off
  // in the middle of a large file, one that stops is.
  constexpr std::uint64_t kSlice = 4 * 1024 * 1024;
  if (length == 0) {
    auto [error, written] = co_await body({}, last);
    co_return tls::IoResult{error, 0};
  }
  if (head_pending_) {
    // The head with MSG_MORE: the kernel holds it until the file's first bytes join it, so a
    // small file leaves in one segment (nginx corks with two setsockopt calls for the same).
    std::vector<asio::const_buffer>& iov = ws_.iov;
    iov.clear();
    for (const http::IoPiece& piece : head_pieces_) iov.emplace_back(piece.data, piece.size);
    head_pending_ = false;
    started_ = true;
    const std::span<const asio::const_buffer> pieces(iov);
    // (The socket directly, as Stream::write_now would: only in the clear and non-blocking.)
    net::Socket& socket = downstream_.stream().socket();
    std::error_code now_error = asio::error::would_block;
    const std::size_t now = socket.non_blocking() ? socket.send(pieces, MSG_MORE, now_error) : 0;
    tls::IoResult result{now_error, now};
    downstream_.write_deadline().expires_after(listener_.send_timeout);
    if (now_error == asio::error::would_block) {
      result = co_await downstream_.stream().write(pieces);
    } else if (!now_error && now < asio::buffer_size(pieces)) {
      result = co_await downstream_.stream().write_rest(pieces, now);
    }
    downstream_.write_deadline().disarm();
    bytes_sent_ += std::get<1>(result);
    if (record_) {
      record_->bytes_out += std::get<1>(result);
      record_->status = static_cast<std::uint16_t>(status_);
    }
    if (std::get<0>(result)) co_return tls::IoResult{std::get<0>(result), 0};
  }
  std::uint64_t done = 0;
  while (done < length) {
    const std::uint64_t want = std::min(length - done, kSlice);
    downstream_.write_deadline().expires_after(listener_.send_timeout);
    auto [error, sent] = co_await downstream_.stream().send_file(fd, offset + done, want);
    downstream_.write_deadline().disarm();
    done += sent;
    bytes_sent_ += sent;
    if (record_) record_->bytes_out += sent;
    if (error) co_return tls::IoResult{error, static_cast<std::size_t>(done)};
  }
  if (last) complete_ = true;
  co_return tls::IoResult{std::error_code{}, static_cast<std::size_t>(done)};
}

}  // namespace flotilla::gateway
