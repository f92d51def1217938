// Drives flotilla's HTTP/1.1 codec over a stream the way the proxy does, and checks its contracts.
// Owns the read loop of the fuzz harness; must never look at llhttp's verdict.
#include "flotilla_driver.hpp"

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "http/body_reader.hpp"
#include "http/request_parser.hpp"
#include "http/response_parser.hpp"

namespace flotilla::fuzz {
namespace {

using http::BodyFraming;
using http::ParseError;
using http::ParseResult;

[[noreturn]] void contract_broken(const char* what) {
  std::fprintf(stderr, "\n=== flotilla codec contract broken: %s ===\n", what);
  std::fflush(stderr);
  __builtin_trap();
}

void expect(bool ok, const char* what) {
  if (!ok) contract_broken(what);
}

// The bytes received so far: grows to the next split offset on each read.
class Feed {
 public:
  Feed(std::string_view stream, std::span<const std::size_t> splits)
      : stream_(stream), splits_(splits) {
    grow();
  }
  // Received bytes from `pos` on.
  std::string_view from(std::size_t pos) const { return stream_.substr(pos, available_ - pos); }
  bool at_eof() const { return available_ == stream_.size(); }
  void grow() {
    while (next_ < splits_.size() && splits_[next_] <= available_) ++next_;
    available_ = next_ < splits_.size() ? splits_[next_++] : stream_.size();
  }

 private:
  std::string_view stream_;
  std::span<const std::size_t> splits_;
  std::size_t next_ = 0;
  std::size_t available_ = 0;
};

// What the read loop needs from a parsed head, copied out of the parser (whose views die on reset).
struct HeadInfo {
  MessageFraming message;
  BodyFraming framing = BodyFraming::kNone;
  std::uint64_t content_length = 0;
  bool tunnel_after_head = false;  // CONNECT, 101: nothing after the head is HTTP
  bool tunnel_after_body = false;  // Upgrade request: the body (if any) first
  bool informational = false;      // 1xx: the final response to the same request follows
  std::size_t head_size = 0;       // without the leading empty lines
};

int minor_of(http::Version v) {
  return v == http::Version::kHttp10 ? 0 : 1;
}

void copy_headers(std::span<const http::Header> headers, MessageFraming& m) {
  m.header_count = headers.size();
  for (const http::Header& h : headers) m.headers.emplace_back(h.name, h.value);
}

HeadInfo info_of(const http::RequestHead& h) {
  HeadInfo info;
  info.message.method = h.method_text;
  info.message.target = h.target;
  info.message.version_major = 1;
  info.message.version_minor = minor_of(h.version);
  info.message.keep_alive = h.keep_alive;
  copy_headers(h.headers, info.message);
  info.framing = h.framing;
  info.content_length = h.content_length;
  info.head_size = h.head_size;
  info.tunnel_after_head = h.method == http::Method::kConnect;
  info.tunnel_after_body = h.upgrade;
  return info;
}

HeadInfo info_of(const http::ResponseHead& h) {
  HeadInfo info;
  info.message.status = h.status;
  info.message.version_major = 1;
  info.message.version_minor = minor_of(h.version);
  info.message.keep_alive = h.keep_alive;
  copy_headers(h.headers, info.message);
  info.framing = h.framing;
  info.content_length = h.content_length;
  info.head_size = h.head_size;
  info.tunnel_after_head = h.upgrade;
  info.informational = h.informational;
  return info;
}

template <typename Head>
void check_head(const Head& head, std::string_view buffer, const ParseResult& r,
                const http::Limits& limits) {
  expect(r.consumed > 0 && r.consumed <= buffer.size(), "head consumed outside the buffer");
  expect(head.head_size > 0 && head.head_size <= r.consumed, "head_size beyond consumed");
  const std::size_t skipped = r.consumed - head.head_size;
  expect(skipped % 2 == 0, "odd number of skipped leading bytes");
  for (std::size_t i = 0; i < skipped; i += 2) {
    expect(buffer.substr(i, 2) == "\r\n", "skipped leading bytes are not empty lines");
  }
  expect(buffer.substr(r.consumed - 4, 4) == "\r\n\r\n", "head does not end with an empty line");
  expect(head.headers.size() <= limits.max_headers, "more headers than max_headers");
  for (const http::Header& h : head.headers) {
    expect(!h.name.empty(), "empty header name accepted");
    expect(h.name.data() >= buffer.data() + skipped &&
               h.value.data() + h.value.size() <= buffer.data() + r.consumed,
           "header view outside the head");
  }
  if (head.framing != BodyFraming::kContentLength) return;
  expect(head.content_length <= (std::uint64_t{1} << 63) - 1, "Content-Length above 2^63-1");
}

#ifdef FLOTILLA_FUZZ_PLANT_CL_TE_BUG
// PLANTED BUG (only in the fuzz_planted binary): pretend the parser let Transfer-Encoding win
// over Content-Length, the classic request-smuggling hole, by re-parsing the head with the
// Content-Length name defaced (same length, so every offset stays right). The harness must catch
// this against llhttp, which rejects CL + TE.
template <typename Parser>
bool plant_te_wins(Parser fresh, std::string_view received, ParseResult& r, HeadInfo& info) {
  if (!r.failed() || r.error != ParseError::kContentLengthWithTransferEncoding) return false;
  std::string copy(received);
  for (std::size_t at = copy.find('\n'); at != std::string::npos; at = copy.find('\n', at + 1)) {
    constexpr std::string_view kName = "content-length:";
    if (copy.size() - at - 1 < kName.size()) break;
    bool match = true;
    for (std::size_t i = 0; i < kName.size() && match; ++i) {
      match = (copy[at + 1 + i] | 0x20) == kName[i];
    }
    if (match) copy[at + 1] = 'X';
  }
  const ParseResult again = fresh.parse(copy);
  if (!again.complete()) return false;
  r = again;
  info = info_of(fresh.head());
  return true;
}
#endif

// The proxy's read loop over one stream: head, body, next message, until the stream stops.
class StreamReader {
 public:
  StreamReader(const FuzzCase& c, std::span<const std::size_t> splits, const DriverLimits& limits)
      : c_(c),
        limits_(limits),
        feed_(c.stream, splits),
        requests_(limits.head),
        responses_(limits.head),
        body_(limits.chunked) {}

  StreamVerdict run() {
    for (;;) {
      if (pos_ == c_.stream.size()) return stop(StreamEnd::kClean);
      v_.tail_start = pos_;
      v_.tail_head_complete = false;
      HeadInfo info;
      if (!read_head(info)) return std::move(v_);
      v_.tail_head_complete = true;
      v_.tail_head = info.message;
      if (info.tunnel_after_head) {
        info.message.end = pos_;
        v_.messages.push_back(std::move(info.message));
        return stop(StreamEnd::kUpgraded);
      }
      if (!read_body(info)) return std::move(v_);

      info.message.end = pos_;
      const bool keep_alive = info.message.keep_alive;
      v_.messages.push_back(std::move(info.message));
      v_.tail_head_complete = false;
      v_.tail_head = MessageFraming{};
      if (info.tunnel_after_body) return stop(StreamEnd::kUpgraded);
      if (c_.response_mode && !info.informational) ++final_responses_;
      if (info.framing == BodyFraming::kUntilClose) {
        expect(!keep_alive, "a body delimited by close on a persistent connection");
        expect(pos_ == c_.stream.size(), "a body delimited by close ended before the close");
      }
      if (!keep_alive) return stop(StreamEnd::kClosed);
    }
  }

 private:
  // Records how the stream stopped.
  void finish(StreamEnd end, ParseError error = ParseError::kNone) {
    v_.end = end;
    if (error != ParseError::kNone) {
      v_.error_code = static_cast<int>(error);
      v_.error_name = std::string(http::to_string(error));
    }
  }

  StreamVerdict stop(StreamEnd end) {
    finish(end);
    return std::move(v_);
  }

  http::Method request_method() const {
    return c_.answers_head(final_responses_) ? http::Method::kHead : http::Method::kGet;
  }

  // Re-parses the grown buffer until the head is complete (true), failed or the input ended.
  bool read_head(HeadInfo& info) {
    requests_.reset();
    responses_.reset(request_method());
    for (;;) {
      const std::string_view received = feed_.from(pos_);
      ParseResult r = c_.response_mode ? responses_.parse(received) : requests_.parse(received);
      if (r.complete()) {
        if (c_.response_mode) {
          check_head(responses_.head(), received, r, limits_.head);
          info = info_of(responses_.head());
        } else {
          check_head(requests_.head(), received, r, limits_.head);
          info = info_of(requests_.head());
        }
        return accept_head(info, r);
      }
      if (r.failed()) {
        const ParseResult again =
            c_.response_mode ? responses_.parse(received) : requests_.parse(received);
        expect(again.failed() && again.error == r.error, "parse error is not sticky");
        expect(r.error != ParseError::kNone, "failed without an error code");
#ifdef FLOTILLA_FUZZ_PLANT_CL_TE_BUG
        http::ResponseParser fresh_response(limits_.head);
        fresh_response.reset(request_method());
        if (c_.response_mode
                ? plant_te_wins(std::move(fresh_response), received, r, info)
                : plant_te_wins(http::RequestParser(limits_.head), received, r, info)) {
          return accept_head(info, r);
        }
#endif
        finish(StreamEnd::kRejected, r.error);
        return false;
      }
      expect(r.error == ParseError::kNone, "incomplete with an error code");
      if (feed_.at_eof()) {
        finish(StreamEnd::kIncomplete);
        return false;
      }
      feed_.grow();
    }
  }

  bool accept_head(HeadInfo& info, const ParseResult& r) {
    info.message.start = pos_ + r.consumed - info.head_size;
    pos_ += r.consumed;
    info.message.head_end = pos_;
    return true;
  }

  // Reads the body as the head frames it until done (true), failed or the input ended.
  bool read_body(HeadInfo& info) {
    body_.start(info.framing, info.content_length);
    std::uint64_t body_bytes = 0;
    while (!body_.done()) {
      const std::string_view in = feed_.from(pos_);
      if (in.empty()) {
        if (!feed_.at_eof()) {
          feed_.grow();
          continue;
        }
        const ParseError eof = body_.finish_at_eof();
        if (eof == ParseError::kNone) break;
        v_.tail_head.body_length = body_bytes;
        finish(StreamEnd::kIncomplete, eof);
        return false;
      }
      const http::BodyStep step = body_.next(in);
      expect(step.consumed <= in.size(), "body step consumed beyond its input");
      expect(
          step.data.empty() || (step.data.data() >= in.data() &&
                                step.data.data() + step.data.size() <= in.data() + step.consumed),
          "body data outside the consumed input");
      expect(step.consumed > 0 || step.done || step.failed(), "body step made no progress");
      pos_ += step.consumed;
      body_bytes += step.data.size();
      if (step.failed()) {
        v_.tail_head.body_length = body_bytes;
        finish(StreamEnd::kRejected, step.error);
        return false;
      }
      expect(step.done == body_.done(), "BodyStep::done disagrees with BodyReader::done");
    }
    expect(body_.body_bytes() == body_bytes, "body_bytes() differs from the delivered bytes");
    if (info.framing == BodyFraming::kContentLength) {
      expect(body_bytes == info.content_length, "Content-Length body of another length");
    }
    info.message.body_length = body_bytes;
    return true;
  }

  const FuzzCase& c_;
  const DriverLimits& limits_;
  Feed feed_;
  http::RequestParser requests_;
  http::ResponseParser responses_;
  http::BodyReader body_;
  StreamVerdict v_;
  std::size_t pos_ = 0;
  std::size_t final_responses_ = 0;
};

}  // namespace

StreamVerdict run_flotilla(const FuzzCase& c, std::span<const std::size_t> splits,
                           const DriverLimits& limits) {
  return StreamReader(c, splits, limits).run();
}

}  // namespace flotilla::fuzz
