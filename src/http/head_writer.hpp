// Serializes a parsed head for forwarding as a scatter/gather list of views into the read buffer.
// Owns a reusable piece list; must never copy header bytes or allocate once warmed up.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "http/message.hpp"

namespace flotilla::http {

// Same layout as struct iovec ({void*, size_t}); convertible to asio::const_buffer.
struct IoPiece {
  const void* data = nullptr;
  std::size_t size = 0;
};

struct ForwardOptions {
  // Field lines to append, each complete and ending in CRLF (`Via: 1.1 flotilla\r\n`), in a
  // buffer the caller keeps alive until the write completes.
  std::span<const std::string_view> added = {};
  // More headers to drop, as header_bit(HeaderId) bits (e.g. X-Forwarded-For to replace it).
  std::uint64_t drop = 0;
  // Headers to drop by name (case-insensitive), for names without a HeaderId (header rules).
  std::span<const std::string_view> drop_names = {};
  // Headers the proxy sets itself, as header_bit()s: a received field whose name only matches
  // one with `_` for `-` (`X_Real_IP`) is dropped too, or a CGI/WSGI-style upstream, which
  // folds both, would see the client's value beside ours. Checked only for names with `_`.
  std::uint64_t drop_underscore_aliases = 0;
  // The body will be re-framed: drop Content-Length and Transfer-Encoding (add the new framing
  // through `added`).
  bool reframe = false;
  // Forwarding an upgrade (WebSocket): keep Upgrade and emit `Connection: upgrade`.
  bool keep_upgrade = false;
  // Rewrite the start line's version to HTTP/1.1 (the proxy speaks 1.1 on both sides).
  bool force_http11 = false;
  // Requests only: a request-target to send instead of the parsed one (an absolute-form target
  // rewritten to origin-form); empty keeps it. Kept alive by the caller like `added`.
  std::string_view target = {};
};

// Always dropped (RFC 9110 §7.6.1 hop-by-hop fields, plus the obsolete Proxy-Connection), along
// with every header named in Connection; Upgrade too unless keep_upgrade.
inline constexpr std::uint64_t kHopByHopHeaders =
    header_bit(HeaderId::kConnection) | header_bit(HeaderId::kKeepAlive) |
    header_bit(HeaderId::kProxyConnection) | header_bit(HeaderId::kTe) |
    header_bit(HeaderId::kTrailer);

class HeadWriter {
 public:
  explicit HeadWriter(std::size_t reserve_pieces = 32);

  // Pieces of the head to send: start line, kept header runs (coalesced), added lines, final
  // CRLF. A head framed by Content-Length goes out with exactly one canonical Content-Length
  // line (RFC 9110 §8.6): a single canonical received line is kept, anything else replaced. Valid
  // until the next write(); they point into the parsed buffer and `options.added`.
  std::span<const IoPiece> write(const RequestHead& head, const ForwardOptions& options);
  std::span<const IoPiece> write(const ResponseHead& head, const ForwardOptions& options);

  // Bytes of the last write.
  std::size_t size() const noexcept { return size_; }

 private:
  void write_fields(std::span<const Header> headers, const char* fields_begin, const char* head_end,
                    std::optional<std::uint64_t> length, const ForwardOptions& options);
  void add(const char* data, std::size_t size);
  void add_content_length(std::uint64_t length);

  std::vector<IoPiece> pieces_;
  std::size_t size_ = 0;
  // A Content-Length line written here when the received ones were not one canonical line
  // (RFC 9110 §8.6: duplicates, a `2, 2` list, leading zeros); a piece may point into it.
  std::array<char, 40> content_length_{};
};

}  // namespace flotilla::http
