// Builds the forwarded head as views: runs of kept lines coalesced, hop-by-hop fields skipped.
// Must never copy header bytes; only the few constant strings below and a re-written canonical
// Content-Length line are not from the buffer.
#include "http/head_writer.hpp"

#include <algorithm>
#include <charconv>
#include <cstring>

#include "http/header_names.hpp"

namespace flotilla::http {
namespace {

constexpr std::string_view kHttp11 = "HTTP/1.1";
constexpr std::string_view kConnectionUpgrade = "Connection: upgrade\r\n";
constexpr std::string_view kCrlf = "\r\n";
constexpr std::string_view kContentLength = "Content-Length: ";

bool same_name(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const char x = a[i] >= 'A' && a[i] <= 'Z' ? static_cast<char>(a[i] + 32) : a[i];
    const char y = b[i] >= 'A' && b[i] <= 'Z' ? static_cast<char>(b[i] + 32) : b[i];
    if (x != y) return false;
  }
  return true;
}

bool named_in(std::string_view name, std::span<const std::string_view> names) noexcept {
  for (const std::string_view candidate : names) {
    if (same_name(name, candidate)) return true;
  }
  return false;
}

// The parser already checked every Content-Length value against the others; a line is forwarded
// as is only if it is plain digits without leading zeros, the one form every recipient agrees on.
bool canonical_length(std::string_view value) noexcept {
  if (value.empty() || (value.size() > 1 && value[0] == '0')) return false;
  for (const char c : value) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

}  // namespace

HeadWriter::HeadWriter(std::size_t reserve_pieces) {
  pieces_.reserve(reserve_pieces);
}

void HeadWriter::add_content_length(std::uint64_t length) {
  char* out = content_length_.data();
  std::copy(kContentLength.begin(), kContentLength.end(), out);
  char* end =
      std::to_chars(out + kContentLength.size(), out + content_length_.size() - 2, length).ptr;
  *end++ = '\r';
  *end++ = '\n';
  add(out, static_cast<std::size_t>(end - out));
}

void HeadWriter::add(const char* data, std::size_t size) {
  if (size == 0) return;
  pieces_.push_back(IoPiece{data, size});
  size_ += size;
}

std::span<const IoPiece> HeadWriter::write(const RequestHead& head, const ForwardOptions& options) {
  pieces_.clear();
  size_ = 0;
  const std::string_view line = head.request_line;
  const char* run = line.data();
  if (!options.target.empty()) {
    // Method and SP, the new target, then the rest of the line from the SP before the version.
    const char* target_end = head.target.data() + head.target.size();
    add(run, static_cast<std::size_t>(head.target.data() - run));
    add(options.target.data(), options.target.size());
    run = target_end;
  }
  if (options.force_http11 && head.version != Version::kHttp11) {
    const char* version = line.data() + line.size() - kHttp11.size();
    add(run, static_cast<std::size_t>(version - run));
    add(kHttp11.data(), kHttp11.size());
    run = line.data() + line.size();  // the run restarts at the request line's CRLF
  }
  std::optional<std::uint64_t> length;
  if (head.framing == BodyFraming::kContentLength) length = head.content_length;
  write_fields(head.headers, run, line.data() + head.head_size, length, options);
  return pieces_;
}

std::span<const IoPiece> HeadWriter::write(const ResponseHead& head,
                                           const ForwardOptions& options) {
  pieces_.clear();
  size_ = 0;
  const std::string_view line = head.status_line;
  const char* run = line.data();
  if (options.force_http11 && head.version != Version::kHttp11) {
    add(kHttp11.data(), kHttp11.size());
    run = line.data() + kHttp11.size();
  }
  // A response declares its length even when it has no body (HEAD, 304): rewritten alike.
  write_fields(head.headers, run, line.data() + head.head_size, head.content_length, options);
  return pieces_;
}

// `run` starts the pending run of kept bytes (start line, possibly partial); field lines are
// contiguous after it, so a run only breaks where a header is dropped.
void HeadWriter::write_fields(std::span<const Header> headers, const char* run,
                              const char* head_end, std::optional<std::uint64_t> length,
                              const ForwardOptions& options) {
  std::uint64_t drop = kHopByHopHeaders | options.drop;
  if (options.reframe) {
    drop |= header_bit(HeaderId::kContentLength) | header_bit(HeaderId::kTransferEncoding);
  }
  if (!options.keep_upgrade) drop |= header_bit(HeaderId::kUpgrade);

  const char* final_crlf = head_end - kCrlf.size();
  const char* run_end = headers.empty() ? final_crlf : headers.front().name.data();
  // Content-Length lines: the first is kept when canonical, every other one dropped, and a
  // canonical line added at the end when none was kept.
  bool length_seen = false;
  bool length_kept = false;
  for (const Header& h : headers) {
    const bool kept_upgrade = options.keep_upgrade && h.id == HeaderId::kUpgrade;
    bool dropped = (drop & header_bit(h.id)) != 0 || (h.connection_option && !kept_upgrade);
    // Unknown names only, and memchr first: the lookup itself runs only for names with `_`.
    if (h.id == HeaderId::kOther && options.drop_underscore_aliases != 0 && !dropped &&
        std::memchr(h.name.data(), '_', h.name.size()) != nullptr) {
      dropped = (options.drop_underscore_aliases & header_bit(underscore_alias_of(h.name))) != 0;
    }
    if (!dropped && h.id == HeaderId::kOther && !options.drop_names.empty()) {
      dropped = named_in(h.name, options.drop_names);
    }
    if (h.id == HeaderId::kContentLength && !dropped && length) {
      dropped = length_seen || !canonical_length(h.value);
      length_kept = length_kept || !dropped;
      length_seen = true;
    }
    const char* line = h.name.data();
    if (dropped || line != run_end) {
      add(run, static_cast<std::size_t>(run_end - run));
      run = line;
    }
    run_end = line + h.line_size;
    if (dropped) run = run_end;
  }

  const bool add_length = length_seen && !length_kept;
  const bool appends = options.keep_upgrade || !options.added.empty() || add_length;
  if (!appends && run_end == final_crlf) {
    add(run, static_cast<std::size_t>(head_end - run));  // one piece when nothing changed
    return;
  }
  add(run, static_cast<std::size_t>(run_end - run));
  if (add_length) add_content_length(*length);
  if (options.keep_upgrade) add(kConnectionUpgrade.data(), kConnectionUpgrade.size());
  for (const std::string_view line : options.added) add(line.data(), line.size());
  add(kCrlf.data(), kCrlf.size());
}

}  // namespace flotilla::http
