// The reference verdict: llhttp (Node.js's HTTP parser, Debian node-llhttp 8.1) run on a stream.
// Owns only the glue to llhttp's C API; must never be linked into flotilla, only into the fuzzer.
#include "llhttp_oracle.hpp"

#include <llhttp.h>

#include <string>

namespace flotilla::fuzz {
namespace {

// llhttp reports no offsets to on_message_begin / on_message_complete, so those callbacks pause
// the parser: llhttp_execute then returns HPE_PAUSED with error_pos at the exact byte, which
// gives each message's start and end offsets; the loop resumes right there.
enum class Pending : unsigned char { kNone, kBegin, kComplete };

struct Oracle {
  const FuzzCase* input = nullptr;
  StreamVerdict verdict;
  MessageFraming current;
  bool in_message = false;
  bool headers_done = false;
  bool upgrade = false;
  std::size_t final_responses = 0;  // responses other than 1xx seen so far
  Pending pending = Pending::kNone;
};

Oracle& oracle_of(llhttp_t* p) {
  return *static_cast<Oracle*>(p->data);
}

int on_message_begin(llhttp_t* p) {
  Oracle& o = oracle_of(p);
  o.current = MessageFraming{};
  o.in_message = true;
  o.headers_done = false;
  o.pending = Pending::kBegin;
  return HPE_PAUSED;
}

int on_method(llhttp_t* p, const char* at, std::size_t n) {
  oracle_of(p).current.method.append(at, n);
  return 0;
}

int on_url(llhttp_t* p, const char* at, std::size_t n) {
  oracle_of(p).current.target.append(at, n);
  return 0;
}

// Trailer fields come through the same callbacks after on_headers_complete: not counted.
int on_header_field(llhttp_t* p, const char* at, std::size_t n) {
  Oracle& o = oracle_of(p);
  if (!o.headers_done) {
    if (o.current.headers.size() == o.current.header_count) o.current.headers.emplace_back();
    o.current.headers.back().first.append(at, n);
  }
  return 0;
}

int on_header_field_complete(llhttp_t* p) {
  Oracle& o = oracle_of(p);
  if (!o.headers_done) {
    if (o.current.headers.size() == o.current.header_count) o.current.headers.emplace_back();
    ++o.current.header_count;
  }
  return 0;
}

int on_header_value(llhttp_t* p, const char* at, std::size_t n) {
  Oracle& o = oracle_of(p);
  if (!o.headers_done && !o.current.headers.empty()) o.current.headers.back().second.append(at, n);
  return 0;
}

int on_headers_complete(llhttp_t* p) {
  Oracle& o = oracle_of(p);
  o.headers_done = true;
  o.current.version_major = p->http_major;
  o.current.version_minor = p->http_minor;
  if (o.input->response_mode) {
    o.current.status = p->status_code;
    // Return value 1 = "no body follows" (F_SKIPBODY), llhttp's way of learning about HEAD.
    if (p->status_code >= 200 && o.input->answers_head(o.final_responses)) return 1;
  }
  return 0;
}

int on_body(llhttp_t* p, const char*, std::size_t n) {
  oracle_of(p).current.body_length += n;
  return 0;
}

int on_message_complete(llhttp_t* p) {
  Oracle& o = oracle_of(p);
  o.current.keep_alive = llhttp_should_keep_alive(p) != 0;
  o.upgrade = p->upgrade != 0;
  if (o.input->response_mode && o.current.status >= 200) ++o.final_responses;
  o.pending = Pending::kComplete;
  return HPE_PAUSED;
}

const llhttp_settings_t& settings() {
  static const llhttp_settings_t s = [] {
    llhttp_settings_t st;
    llhttp_settings_init(&st);
    st.on_message_begin = on_message_begin;
    st.on_method = on_method;
    st.on_url = on_url;
    st.on_header_field = on_header_field;
    st.on_header_field_complete = on_header_field_complete;
    st.on_header_value = on_header_value;
    st.on_headers_complete = on_headers_complete;
    st.on_body = on_body;
    st.on_message_complete = on_message_complete;
    return st;
  }();
  return s;
}

void stop_with_error(Oracle& o, llhttp_t& parser, llhttp_errno_t err) {
  o.verdict.end = StreamEnd::kRejected;
  o.verdict.error_code = err;
  o.verdict.error_name =
      std::string(llhttp_errno_name(err)) + ": " + (parser.reason != nullptr ? parser.reason : "");
}

// Handles a pause; returns false when the stream is over (closed or upgraded).
bool on_pause(Oracle& o, std::size_t offset) {
  const Pending what = o.pending;
  o.pending = Pending::kNone;
  if (what == Pending::kBegin) {
    o.current.start = offset;
    o.verdict.tail_start = offset;
    return true;
  }
  o.current.end = offset;
  o.in_message = false;
  o.verdict.messages.push_back(std::move(o.current));
  o.current = MessageFraming{};
  o.headers_done = false;
  o.verdict.tail_start = offset;
  if (o.upgrade) {
    o.verdict.end = StreamEnd::kUpgraded;
    return false;
  }
  if (!o.verdict.messages.back().keep_alive) {
    o.verdict.end = StreamEnd::kClosed;
    return false;
  }
  return true;
}

}  // namespace

StreamVerdict run_llhttp(const FuzzCase& c) {
  Oracle o;
  o.input = &c;
  llhttp_t parser;
  llhttp_init(&parser, c.response_mode ? HTTP_RESPONSE : HTTP_REQUEST, &settings());
  parser.data = &o;
  // Every lenient flag stays off (llhttp_init clears them): the strict llhttp is the oracle.

  const char* const base = c.stream.data();
  const char* p = base;
  const char* const end = base + c.stream.size();
  for (;;) {
    const llhttp_errno_t err = llhttp_execute(&parser, p, static_cast<std::size_t>(end - p));
    if (err == HPE_OK) break;
    if (err == HPE_PAUSED) {
      const char* at = llhttp_get_error_pos(&parser);
      llhttp_resume(&parser);
      if (!on_pause(o, static_cast<std::size_t>(at - base))) return std::move(o.verdict);
      p = at;
      continue;
    }
    if (err == HPE_PAUSED_UPGRADE) {  // on_message_complete already ended the stream otherwise
      o.verdict.end = StreamEnd::kUpgraded;
      return std::move(o.verdict);
    }
    stop_with_error(o, parser, err);
    o.verdict.tail_head_complete = o.headers_done;
    if (o.headers_done) o.verdict.tail_head = std::move(o.current);
    return std::move(o.verdict);
  }

  if (!o.in_message) {
    o.verdict.end = StreamEnd::kClean;
    return std::move(o.verdict);
  }
  // The peer closed: a body delimited by the close ends here, anything else is truncated.
  const llhttp_errno_t err = llhttp_finish(&parser);
  if (err == HPE_PAUSED && o.pending == Pending::kComplete) {
    on_pause(o, c.stream.size());
    if (o.verdict.end == StreamEnd::kClean) o.verdict.end = StreamEnd::kClosed;
    return std::move(o.verdict);
  }
  o.verdict.end = StreamEnd::kIncomplete;
  o.verdict.error_code = err;
  o.verdict.tail_head_complete = o.headers_done;
  if (o.headers_done) o.verdict.tail_head = std::move(o.current);
  return std::move(o.verdict);
}

}  // namespace flotilla::fuzz
