// Mapping between HTTP/2 header lists and the HTTP/1.1 heads the rest of the gateway speaks
// (RFC 9113 §8.3 and §8.2.2): a request's pseudo-headers and fields become an HTTP/1.1 head text
// that the same request parser reads (:authority wins over Host, cookie crumbs joined, TE and
// framing re-made); a response head becomes an nghttp2 name/value list (names lower-cased,
// connection-specific fields dropped). Pure: no session, no socket, no allocation once warm.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nghttp2/nghttp2.h>

#include "gateway/trailer_fields.hpp"
#include "http/message.hpp"

namespace flotilla::gateway::h2 {

class RequestHeadBuilder {
 public:
  RequestHeadBuilder();

  // Starts a head in `buffer` (the request's workspace buffer).
  void start(char* buffer, std::size_t capacity) noexcept;
  // One field as nghttp2 delivers it (validated: lower-case names, pseudo-headers first, no
  // connection-specific fields, TE only "trailers").
  void add(std::string_view name, std::string_view value);
  // Ends the head: the framing the upstream needs (none with END_STREAM, the client's
  // Content-Length, else chunked) and the final CRLF. Returns the head's size, 0 when too large.
  // An extended CONNECT (RFC 8441 §4: `:protocol`) becomes the HTTP/1.1 upgrade request a
  // WebSocket upstream expects (RFC 6455 §4.1): `GET :path` with Upgrade, `Connection: Upgrade`,
  // `Sec-WebSocket-Key: websocket_key` (the caller's nonce) and a Sec-WebSocket-Version, and no
  // body framing: the stream's DATA is the tunnel's.
  std::size_t finish(bool end_stream, std::string_view websocket_key = {});

  bool too_large() const noexcept { return too_large_; }
  // `:protocol` was sent (RFC 8441 extended CONNECT).
  bool extended_connect() const noexcept { return !protocol_.empty(); }
  // ...for `websocket`, the one protocol mapped to an HTTP/1.1 upgrade.
  bool websocket() const noexcept;
  std::string_view method() const noexcept { return method_; }
  std::string_view path() const noexcept { return path_; }
  std::size_t field_bytes() const noexcept { return field_bytes_; }

 private:
  void append(std::string_view text) noexcept;
  void start_line() noexcept;

  char* buffer_ = nullptr;
  std::size_t capacity_ = 0;
  std::size_t size_ = 0;
  std::size_t field_bytes_ = 0;  // RFC 9113 §6.5.2 accounting: name + value + 32 per field
  std::string method_;
  std::string path_;
  std::string authority_;
  std::string protocol_;
  std::string cookie_;
  bool line_written_ = false;
  bool has_host_ = false;
  bool content_length_ = false;
  bool websocket_version_ = false;
  bool too_large_ = false;
};

// A Sec-WebSocket-Key (RFC 6455 §4.1): the base64 of 16 nonce bytes, 24 characters.
std::array<char, 24> websocket_key(std::uint64_t high, std::uint64_t low) noexcept;

// A response head as nghttp2 name/value pairs. Values are views (the caller keeps them alive
// until the list is submitted; nghttp2 copies them then); names are lower-cased into storage.
class ResponseFields {
 public:
  ResponseFields();

  void clear() noexcept;
  void status(int status) noexcept;
  void add(std::string_view name, std::string_view value);
  // Every `Name: value\r\n` line of `lines` (HeaderEdits lines).
  void add_lines(std::string_view lines);
  // Removes the fields named `lower_name` added so far.
  void drop(std::string_view lower_name) noexcept;
  // The lines of a trailer section that trailer_allowed (an upstream's chunked trailers).
  void add_trailer_lines(std::string_view lines);
  // The fields of a forwarded head that HTTP/2 may carry: not connection-specific
  // (RFC 9113 §8.2.2), not named by Connection, not Content-Length (re-made from the length the
  // sink knows), nor dropped by the edits.
  void add_forwarded(const http::ResponseHead& head, std::uint64_t drop_ids,
                     std::span<const std::string_view> drop_names);
  std::span<const nghttp2_nv> list() noexcept;

 private:
  std::vector<nghttp2_nv> nv_;
  std::vector<std::uint32_t> name_at_;  // offset of each name in names_
  std::string names_;
  std::array<char, 4> status_{};
};

// Whether a forwarded response field must not go out over HTTP/2.
bool connection_specific(const http::Header& field) noexcept;

}  // namespace flotilla::gateway::h2
