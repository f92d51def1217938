// The documented list of places where flotilla frames HTTP differently from llhttp on purpose.
// Owns the excuses, one named predicate each; must never excuse a difference it cannot justify.
//
// Each predicate checks the SHAPE of the divergence (who stopped where, with which error) AND
// independent evidence from the raw bytes or from llhttp's view of the message (evidence.cpp),
// never flotilla's error code alone: a flotilla bug that rejects a valid message with a
// plausible error must still abort. Almost all of them are "flotilla rejects, llhttp accepts":
// llhttp 8.1 in its default (non-strict) build is lenient in ways RFC 9112 forbids and that
// request smuggling feeds on. The places where flotilla accepts what llhttp rejects are
// method_outside_llhttp_table, target_grammar_wider_than_llhttp, identical_content_lengths,
// te_list_with_empty_elements, te_value_with_tabs, content_length_with_tabs,
// connection_persistence_per_rfc, connection_upgrade_with_tabs, upgrade_with_tabbed_chunked and
// chunk_extension_grammar, each an RFC-valid input.
#include "intended_differences.hpp"

#include <llhttp.h>

#include <array>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

#include "evidence.hpp"
#include "flotilla_driver.hpp"
#include "http/parse_error.hpp"
#include "known_findings.hpp"

namespace flotilla::fuzz {
namespace {

using evidence::any_list_element;
using evidence::count_headers;
using evidence::iequals;
using http::ParseError;

// ---- the shape of a divergence ----------------------------------------------------------------

// flotilla rejected message d.index (in its head unless `in_body`), with one of `errors`. A body
// rejection only counts where llhttp accepted that head too: flotilla would already have
// forwarded a head llhttp refuses, which no body-level excuse covers.
bool flotilla_rejected(const Divergence& d, std::initializer_list<ParseError> errors,
                       bool in_body = false) {
  if (d.flotilla->end != StreamEnd::kRejected || d.index != d.flotilla->messages.size() ||
      d.flotilla->tail_head_complete != in_body || (in_body && d.ll == nullptr)) {
    return false;
  }
  for (ParseError e : errors) {
    if (d.flotilla->error_code == static_cast<int>(e)) return true;
  }
  return false;
}

// flotilla refused the head of message d.index (any error) or still waits for its end.
bool flotilla_stopped_in_head(const Divergence& d) {
  return (d.flotilla->end == StreamEnd::kRejected || d.flotilla->end == StreamEnd::kIncomplete) &&
         d.index == d.flotilla->messages.size() && !d.flotilla->tail_head_complete;
}

// llhttp rejected message d.index in its head with `llhttp_errno`, where flotilla parsed it.
bool llhttp_rejected_head(const Divergence& d, std::initializer_list<int> errnos) {
  if (d.llhttp->end != StreamEnd::kRejected || d.index != d.llhttp->messages.size() ||
      d.llhttp->tail_head_complete || d.fl == nullptr) {
    return false;
  }
  for (int e : errnos) {
    if (d.llhttp->error_code == e) return true;
  }
  return false;
}

// The bytes flotilla looked at for the message it rejected: in its head, from where the message
// began through the first CRLF CRLF (its scanner stops there) or the end of the stream; in its
// body, from the end of the head to the end of the stream.
std::string_view rejected_bytes(const Divergence& d) {
  const std::string_view stream = d.input->stream;
  if (d.flotilla->tail_head_complete) return stream.substr(d.flotilla->tail_head.head_end);
  std::size_t begin = d.flotilla->tail_start;
  while (stream.substr(begin, 2) == "\r\n") begin += 2;  // leading empty lines
  const std::size_t end = stream.find("\r\n\r\n", begin);
  return stream.substr(begin, end == std::string_view::npos ? end : end + 4 - begin);
}

// Limits no fuzz input (at most a few KB) can reach, for re-runs that must not hit one.
const DriverLimits& roomy_limits() {
  static const DriverLimits roomy{
      .head = {.max_request_line = 1 << 20, .max_header_bytes = 1 << 20, .max_headers = 4096},
      .chunked = {.max_chunk_line = 1 << 20, .max_trailer_bytes = 1 << 20}};
  return roomy;
}

// A divergence found by a re-run is explained by another entry (or, when fuzzing past them, by a
// known codec bug).
bool explained_again(const Divergence& d, std::string_view except) {
  return explain(d, except) != nullptr ||
         (skipping_known_findings() && match_known_finding(d) != nullptr);
}

// ---- the intended differences -----------------------------------------------------------------

// Empty lines after the last message belong to no message (RFC 9112 §2.2 lets a server skip
// them before a request line). llhttp drops them and reports a clean end; flotilla keeps them as
// the start of the next head and waits for its request line. Nothing was framed differently.
bool idle_crlf_tail(const Divergence& d) {
  if (d.flotilla->end != StreamEnd::kIncomplete || d.llhttp->end != StreamEnd::kClean) return false;
  if (d.index != d.flotilla->messages.size() || d.index != d.llhttp->messages.size()) return false;
  std::string_view tail = d.input->stream.substr(d.flotilla->tail_start);
  while (tail.substr(0, 2) == "\r\n") tail.remove_prefix(2);
  return tail.empty() || tail == "\r";
}

// flotilla finds the end of a head first (a cheap incremental scan that checks only bare LF and
// limits) and validates it whole; llhttp validates byte by byte. So on a truncated head flotilla
// may still wait where llhttp already objects, or llhttp may end a head where flotilla sees no
// CRLF CRLF (llhttp takes a bare CR or LF as a line end). Evidence: complete the head (append
// CRLF CRLF) and re-run flotilla (limits out of the way: they are size_limits' business): it must
// now decide on that message, and the difference from llhttp on it must be explained by another
// entry (or vanish).
bool head_validated_when_complete(const Divergence& d) {
  if (d.flotilla->end != StreamEnd::kIncomplete || d.index != d.flotilla->messages.size() ||
      d.flotilla->tail_head_complete) {
    return false;
  }
  const std::string completed = std::string(d.input->stream) + "\r\n\r\n";
  FuzzCase c = *d.input;
  c.stream = completed;
  const StreamVerdict again = run_flotilla(c, {}, roomy_limits());
  if (again.messages.size() < d.index ||
      (again.messages.size() == d.index && again.end == StreamEnd::kIncomplete &&
       !again.tail_head_complete)) {
    return false;  // still no verdict on the message: the head did not end where it should
  }
  const std::optional<Divergence> d2 = first_divergence(*d.input, again, *d.llhttp);
  return !d2 || (d2->index == d.index && explained_again(*d2, "head_validated_when_complete"));
}

// RFC 9112 §3.2: a server MUST answer 400 to an HTTP/1.1 request without Host, to any request
// with more than one Host line, and to one with an invalid Host value. llhttp does not look at
// Host at all. Evidence: llhttp's own view of the head shows the missing / repeated / bad Host.
bool host_validated(const Divergence& d) {
  if (d.input->response_mode || d.ll == nullptr) return false;
  const std::size_t hosts = count_headers(*d.ll, "host");
  if (flotilla_rejected(d, {ParseError::kMissingHost})) {
    return hosts == 0 && d.ll->version_major == 1 && d.ll->version_minor == 1;
  }
  if (flotilla_rejected(d, {ParseError::kDuplicateHost})) return hosts > 1;
  if (!flotilla_rejected(d, {ParseError::kInvalidHost})) return false;
  // uri-host [":" port]: unreserved / pct-encoded / sub-delims, IP-literal brackets, ':'.
  for (const auto& [name, value] : d.ll->headers) {
    if (!iequals(name, "host")) continue;
    for (const char c : evidence::trim_ows(value)) {
      const bool alnum = (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z');
      if (!alnum && std::string_view("-._~!$&'()*+,;=:[]%").find(c) == std::string_view::npos) {
        return true;
      }
    }
  }
  return false;
}

// flotilla bounds what a peer can make it buffer (request line, header section, header count,
// chunk-size line, trailers); llhttp has no limits. The harness runs flotilla with tiny limits to
// reach those paths, so the evidence is a re-run with limits too large to matter: it must get past
// the point that hit a limit, and then agree with llhttp up to another intended difference.
bool size_limits(const Divergence& d) {
  if (!flotilla_rejected(d, {ParseError::kRequestLineTooLong, ParseError::kHeadersTooLarge,
                             ParseError::kTooManyHeaders}) &&
      !flotilla_rejected(d, {ParseError::kChunkLineTooLong, ParseError::kTrailersTooLarge}, true)) {
    return false;
  }
  const StreamVerdict relaxed = run_flotilla(*d.input, {}, roomy_limits());
  const bool same_stop = relaxed.messages.size() == d.index &&
                         relaxed.end == StreamEnd::kRejected &&
                         relaxed.error_code == d.flotilla->error_code;
  if (same_stop) return false;
  const std::optional<Divergence> again = first_divergence(*d.input, relaxed, *d.llhttp);
  return !again || explained_again(*again, "size_limits");
}

// RFC 9110 §9.1: a method is any token, and a proxy forwards methods it does not know.
// llhttp only knows a fixed table (RFC methods, WebDAV, a few others) and rejects any other
// token with HPE_INVALID_METHOD; RTSP names get HPE_INVALID_CONSTANT (it expects RTSP/1.0).
bool method_outside_llhttp_table(const Divergence& d) {
  if (d.input->response_mode ||
      !llhttp_rejected_head(d, {HPE_INVALID_METHOD, HPE_INVALID_CONSTANT})) {
    return false;
  }
  constexpr std::array<std::string_view, 34> kLlhttpRequestMethods{
      "DELETE",     "GET",      "HEAD",       "POST",     "PUT",    "CONNECT",   "OPTIONS",
      "TRACE",      "COPY",     "LOCK",       "MKCOL",    "MOVE",   "PROPFIND",  "PROPPATCH",
      "SEARCH",     "UNLOCK",   "BIND",       "REBIND",   "UNBIND", "ACL",       "REPORT",
      "MKACTIVITY", "CHECKOUT", "MERGE",      "M-SEARCH", "NOTIFY", "SUBSCRIBE", "UNSUBSCRIBE",
      "PATCH",      "PURGE",    "MKCALENDAR", "LINK",     "UNLINK", "SOURCE"};
  for (std::string_view m : kLlhttpRequestMethods) {
    if (d.fl->method == m) return false;
  }
  return evidence::is_token(d.fl->method);
}

// RFC 9112 §6.3 rule 1: a response to HEAD and any 1xx, 204 or 304 response ends at the empty
// line after its head, whatever Content-Length / Transfer-Encoding say. llhttp 8.1 reads a
// Content-Length or chunked body after a 1xx/204/304, which would desynchronise the upstream
// connection.
bool no_body_status(const Divergence& d) {
  if (!d.input->response_mode || d.fl == nullptr || d.ll == nullptr || !d.fl_complete) return false;
  const int status = d.fl->status;
  if (!(status < 200 || status == 204 || status == 304) || d.ll->status != status) return false;
  if (d.fl->body_length != 0 || d.fl->start != d.ll->start) return false;
  return count_headers(*d.ll, "content-length") + count_headers(*d.ll, "transfer-encoding") > 0;
}

// RFC 9112 §2.2: lines end with CRLF; a recipient MAY accept a bare LF, but a bare LF is how
// parsers are made to disagree on where a head ends, so flotilla never does. llhttp (loose)
// accepts LF alone as a line end in heads and after chunk data. Any refusal of a head that holds
// a bare LF is right, whichever error flotilla names first.
bool bare_lf(const Divergence& d) {
  return (flotilla_stopped_in_head(d) ||
          flotilla_rejected(d, {ParseError::kBareLf, ParseError::kMissingChunkCrlf}, true)) &&
         evidence::has_bare_lf(rejected_bytes(d));
}

// RFC 9112 §2.2: a bare CR must be rejected or replaced by SP. llhttp 8.1 (loose) ends a line
// (even the head's empty line) at "\r" followed by anything, so its head can end where flotilla
// sees none, and flotilla then names some later error or waits for CRLF CRLF.
bool bare_cr(const Divergence& d) {
  return (flotilla_stopped_in_head(d) ||
          flotilla_rejected(d, {ParseError::kBareCr, ParseError::kMissingChunkCrlf}, true)) &&
         evidence::has_bare_cr(rejected_bytes(d));
}

// HTTP/0.9 simple requests (`GET /path` with no version) are long dead and RFC 9112 has no place
// for them; llhttp still parses one as version 0.9 (and reads headers after it).
bool http09_request_line(const Divergence& d) {
  return !d.input->response_mode && d.ll != nullptr && d.ll->version_major == 0 &&
         d.ll->version_minor == 9 &&
         flotilla_rejected(d, {ParseError::kInvalidRequestLine, ParseError::kInvalidTarget,
                               ParseError::kInvalidVersion, ParseError::kBareCr});
}

// RFC 9112 §3: one SP between the request line's parts. A recipient MAY split on whitespace
// runs instead (llhttp does); flotilla does not, since a proxy that re-parses `GET  /a` differs
// from one that forwards it verbatim.
bool request_line_extra_space(const Divergence& d) {
  if (d.input->response_mode || d.ll == nullptr ||
      !flotilla_rejected(d, {ParseError::kInvalidRequestLine, ParseError::kInvalidMethod,
                             ParseError::kInvalidTarget, ParseError::kInvalidVersion})) {
    return false;
  }
  std::string_view line = rejected_bytes(d);
  while (line.substr(0, 2) == "\r\n") line.remove_prefix(2);
  line = line.substr(0, line.find("\r\n"));
  return line.find("  ") != std::string_view::npos || line.front() == ' ' || line.back() == ' ';
}

// flotilla speaks HTTP/1.0 and HTTP/1.1 only and answers 505 to other versions (RFC 9110
// §15.6.6); llhttp also accepts 0.9 and 2.0 in a start line.
bool unsupported_version(const Divergence& d) {
  return d.ll != nullptr && flotilla_rejected(d, {ParseError::kUnsupportedVersion}) &&
         !(d.ll->version_major == 1 && (d.ll->version_minor == 0 || d.ll->version_minor == 1));
}

// RFC 9112 §5.1 / RFC 9110 §5.1: a field name is a token, immediately followed by ':'; a server
// MUST reject whitespace before the colon. llhttp accepts empty names, spaces inside names and
// `Name :` for names it does not know — so `Transfer-Encoding : chunked` is invisible to it.
bool header_name_not_token(const Divergence& d) {
  if (d.ll == nullptr ||
      !flotilla_rejected(d, {ParseError::kInvalidHeaderName, ParseError::kWhitespaceBeforeColon,
                             ParseError::kEmptyHeaderName})) {
    return false;
  }
  for (const auto& h : d.ll->headers) {
    if (!evidence::is_token(h.first)) return true;
  }
  return false;
}

// RFC 9112 §5.2: obs-fold is deprecated; a server must reject it or unfold it. Folding is a
// classic way to hide a Transfer-Encoding from one parser, so flotilla rejects it (400);
// llhttp (loose) unfolds. Any refusal of a head with a folded line is right, whichever error
// flotilla names first (`Content-Length:` + ` 5` on the next line is an empty Content-Length).
bool obs_fold(const Divergence& d) {
  return d.flotilla->end == StreamEnd::kRejected && flotilla_stopped_in_head(d) &&
         evidence::has_obs_fold(rejected_bytes(d));
}

// RFC 9110 §7.6.1: Connection is a list of tokens. flotilla rejects other elements (it acts on
// them: close, keep-alive, upgrade, hop-by-hop names); llhttp ignores what it does not know.
bool connection_not_token_list(const Divergence& d) {
  return d.ll != nullptr && flotilla_rejected(d, {ParseError::kInvalidConnection}) &&
         any_list_element(*d.ll, "connection",
                          [](std::string_view e) { return !e.empty() && !evidence::is_token(e); });
}

// RFC 9112 §6.1/§6.3: flotilla accepts exactly `Transfer-Encoding: chunked` (once, on HTTP/1.1)
// and rejects everything else — 501 for codings it cannot decode, 400 for chunked not last or
// repeated, 400 on HTTP/1.0 (§6.1: such framing is faulty). llhttp 8.1 takes `gzip, chunked` as
// chunked, reads a response with a non-chunked coding until close, and ignores TE on 1.0.
bool transfer_coding_not_just_chunked(const Divergence& d) {
  if (d.ll == nullptr || !flotilla_rejected(d, {ParseError::kInvalidTransferEncoding,
                                                ParseError::kUnsupportedTransferCoding,
                                                ParseError::kTransferEncodingOnHttp10})) {
    return false;
  }
  if (d.ll->version_minor == 0 && count_headers(*d.ll, "transfer-encoding") > 0) return true;
  std::size_t chunked = 0;
  const bool other = any_list_element(*d.ll, "transfer-encoding", [&](std::string_view e) {
    if (iequals(e, "chunked")) ++chunked;
    return !e.empty() && !iequals(e, "chunked");
  });
  return other || chunked != 1;
}

// A Transfer-Encoding line with no coding in it is still a Transfer-Encoding to flotilla: with
// Content-Length it is rejected like any CL + TE (RFC 9112 §6.1 lets a server reject that, and
// the only safe reading of an ambiguous framing is none), alone it lacks `chunked` (400).
// llhttp ignores an empty Transfer-Encoding. Evidence: llhttp's view has TE lines, all empty.
bool transfer_encoding_empty(const Divergence& d) {
  if (d.ll == nullptr ||
      !flotilla_rejected(
          d, {ParseError::kContentLengthWithTransferEncoding, ParseError::kInvalidTransferEncoding,
              ParseError::kTransferEncodingOnHttp10}) ||
      count_headers(*d.ll, "transfer-encoding") == 0) {
    return false;
  }
  return !any_list_element(*d.ll, "transfer-encoding",
                           [](std::string_view e) { return !e.empty(); });
}

// RFC 9112 §4 / RFC 9110 §15: `HTTP-version SP 3DIGIT SP reason`, status 100..599, reason
// without control characters. llhttp reads any run of digits (`HTTP/1.1 0`, `0200`, `604`),
// several spaces, and any byte but CR/LF in the reason. Evidence: the raw status line.
bool status_line_malformed(const Divergence& d) {
  if (!d.input->response_mode ||
      !flotilla_rejected(d, {ParseError::kInvalidStatusCode, ParseError::kInvalidStatusLine,
                             ParseError::kInvalidVersion})) {
    return false;
  }
  const std::string_view head = rejected_bytes(d);
  return evidence::status_line_breaks_rfc9112(head.substr(0, head.find("\r\n")));
}

// A 101 switches the connection to the protocol in its Upgrade header: after it the bytes are
// not HTTP, so flotilla's ResponseParser treats every 101 as the end of HTTP on the connection.
// llhttp only does so when the 101 also carries Upgrade and `Connection: upgrade`, else it takes
// it as one more 1xx and reads another response. (RFC 9110 §15.2.2 requires the Upgrade header;
// a 101 without it is broken either way, and tunnelling is the reading that cannot smuggle.)
bool switching_protocols_is_a_tunnel(const Divergence& d) {
  // Both framed the 101 identically (message d.index - 1); flotilla stopped there, llhttp not.
  return d.input->response_mode && d.index > 0 && d.flotilla->end == StreamEnd::kUpgraded &&
         d.flotilla->messages.size() == d.index && d.flotilla->messages.back().status == 101 &&
         d.llhttp->messages.size() >= d.index && d.llhttp->messages[d.index - 1].status == 101;
}

// RFC 9110 §7.8: a server MUST ignore Upgrade in an HTTP/1.0 request; flotilla does (the
// request stays HTTP, and a 1.0 connection then closes unless keep-alive). llhttp upgrades any
// request with Upgrade + `Connection: upgrade`.
bool upgrade_ignored_on_http10(const Divergence& d) {
  if (d.input->response_mode || d.index == 0 || d.llhttp->end != StreamEnd::kUpgraded ||
      d.llhttp->messages.size() != d.index) {
    return false;
  }
  const MessageFraming& m = d.llhttp->messages[d.index - 1];
  return m.version_major == 1 && m.version_minor == 0 && count_headers(m, "upgrade") > 0 &&
         m.method != "CONNECT";
}

// RFC 9110 §8.6 makes Content-Length any 1*DIGIT; flotilla caps it at 2^63-1 (so it fits the
// signed offsets of the I/O layer), llhttp at 2^64-1.
bool content_length_above_2_63(const Divergence& d) {
  if (d.ll == nullptr || !flotilla_rejected(d, {ParseError::kInvalidContentLength})) return false;
  return any_list_element(*d.ll, "content-length", [](std::string_view v) {
    while (v.size() > 1 && v.front() == '0') v.remove_prefix(1);
    for (const char c : v) {
      if (c < '0' || c > '9') return false;
    }
    return v.size() > 19 || (v.size() == 19 && v > "9223372036854775807");
  });
}

// RFC 9110 §5.6.1: a recipient MUST ignore empty list elements, so `Transfer-Encoding: chunked,`
// or `, chunked` is chunked to flotilla. llhttp 8.1 does not find `chunked` last in such a
// value: it rejects the request, and reads such a response until close.
bool te_list_with_empty_elements(const Divergence& d) {
  if (d.fl == nullptr) return false;
  std::size_t chunked = 0;
  std::size_t empty = 0;
  const bool other = any_list_element(*d.fl, "transfer-encoding", [&](std::string_view e) {
    if (iequals(e, "chunked")) ++chunked;
    if (e.empty()) ++empty;
    return !e.empty() && !iequals(e, "chunked");
  });
  return !other && chunked == 1 && empty > 0;
}

// In llhttp's own view of a head: a Transfer-Encoding value holds an HTAB, and its OWS-trimmed
// elements are `chunked` once and nothing else (what flotilla reads as plain chunked framing).
bool tabbed_chunked(const MessageFraming& m) {
  bool tab = false;
  std::size_t chunked = 0;
  for (const auto& [field, value] : m.headers) {
    if (iequals(field, "transfer-encoding") && value.find('\t') != std::string::npos) tab = true;
  }
  const bool other = any_list_element(m, "transfer-encoding", [&](std::string_view e) {
    if (iequals(e, "chunked")) ++chunked;
    return !e.empty() && !iequals(e, "chunked");
  });
  return tab && !other && chunked == 1;
}

// RFC 9110 §5.5: a field value excludes leading and trailing whitespace (SP and HTAB alike), so
// `Transfer-Encoding: chunked<HTAB>...` is chunked to flotilla. llhttp 8.1 matches `chunked`
// followed by HTAB as some other coding: it rejects the request (HPE_INVALID_TRANSFER_ENCODING)
// and reads the response until the connection closes. Evidence: llhttp's own raw value holds an
// HTAB and, trimmed, is a list ending in one `chunked`.
bool te_value_with_tabs(const Divergence& d) {
  if (d.ll == nullptr || d.fl == nullptr) return false;
  const bool ll_rejected = d.llhttp->end == StreamEnd::kRejected &&
                           d.llhttp->error_code == HPE_INVALID_TRANSFER_ENCODING;
  const bool ll_until_close = d.input->response_mode && d.ll_complete && !d.ll->keep_alive &&
                              d.ll->end == d.input->stream.size() &&
                              d.llhttp->end == StreamEnd::kClosed;
  if (!ll_rejected && !ll_until_close) return false;
  return tabbed_chunked(*d.ll);
}

// RFC 9112 §9.3: `close` in Connection ends persistence; otherwise HTTP/1.1 persists and HTTP/1.0
// persists only with `keep-alive`. llhttp 8.1 misreads the tokens in two ways: one followed by an
// HTAB (RFC 9110 §5.5 trims it) is not recognised at all, and with several tokens or lines the
// last one it recognises wins (`close,k` then `,keep-alive` is keep-alive to it). Evidence:
// persistence computed by those rules from llhttp's own OWS-trimmed tokens is flotilla's, and
// the messages are otherwise the same.
bool connection_persistence_per_rfc(const Divergence& d) {
  if (!d.fl_complete || !d.ll_complete || d.fl->keep_alive == d.ll->keep_alive ||
      d.fl->end != d.ll->end || d.fl->body_length != d.ll->body_length) {
    return false;
  }
  bool close = false;
  bool keep_alive = false;
  any_list_element(*d.ll, "connection", [&](std::string_view e) {
    close = close || iequals(e, "close");
    keep_alive = keep_alive || iequals(e, "keep-alive");
    return false;
  });
  const bool http11 = d.ll->version_major == 1 && d.ll->version_minor == 1;
  return d.fl->keep_alive == (!close && (http11 || keep_alive));
}

// The same HTAB after `upgrade` in Connection: flotilla sees an upgrade request (Upgrade present,
// HTTP/1.1) and stops framing after it; llhttp does not and reads on. Evidence: in llhttp's own
// view of that request, a raw Connection value holds an HTAB and its OWS-trimmed tokens include
// `upgrade`, and an Upgrade field is present.
bool connection_upgrade_with_tabs(const Divergence& d) {
  if (d.input->response_mode || d.index == 0 || d.flotilla->end != StreamEnd::kUpgraded ||
      d.flotilla->messages.size() != d.index || d.llhttp->messages.size() < d.index) {
    return false;
  }
  const MessageFraming& m = d.llhttp->messages[d.index - 1];
  bool tab = false;
  for (const auto& [field, value] : m.headers) {
    if (iequals(field, "connection") && value.find('\t') != std::string::npos) tab = true;
  }
  const bool upgrade =
      any_list_element(m, "connection", [](std::string_view e) { return iequals(e, "upgrade"); });
  return tab && upgrade && count_headers(m, "upgrade") > 0;
}

// The same HTAB after `chunked` in the Transfer-Encoding of an Upgrade request: flotilla trims it
// (RFC 9110 §5.5), reads the chunked body and upgrades after it; llhttp 8.1 does not recognise
// `chunked<HTAB>`, sees no body and upgrades at the end of the head, so the body's bytes would be
// the tunnel's first bytes to a Node.js backend. Forwarded verbatim that is a smuggling vector;
// the gateway never forwards it verbatim: a chunked request body goes upstream re-framed, under
// `Transfer-Encoding: chunked` exactly (gateway/proxy/upstream_request.cpp), which llhttp frames
// as flotilla did (tests/integration/gateway/smuggling_test.py sends this request). Evidence: both
// upgrade on this message, llhttp at the end of the head where flotilla read on through a chunked
// body (perhaps an empty one: `0` CRLF CRLF), and llhttp's own
// view holds an Upgrade field and a Transfer-Encoding whose value has an HTAB and whose only
// OWS-trimmed element is `chunked`.
bool upgrade_with_tabbed_chunked(const Divergence& d) {
  if (d.input->response_mode || d.fl == nullptr || d.ll == nullptr || !d.ll_complete ||
      d.llhttp->end != StreamEnd::kUpgraded || d.llhttp->messages.size() != d.index + 1 ||
      d.ll->body_length != 0 || count_headers(*d.ll, "upgrade") == 0) {
    return false;
  }
  // flotilla upgraded after the body, or is still in that body (the input ends in it, or a
  // chunk in it is malformed: a 400, with only canonical chunks forwarded before it).
  const bool after_body = d.fl_complete && d.flotilla->end == StreamEnd::kUpgraded &&
                          d.flotilla->messages.size() == d.index + 1 && d.fl->end > d.ll->end;
  const bool in_body =
      !d.fl_complete && d.flotilla->tail_head_complete && d.flotilla->messages.size() == d.index &&
      (d.flotilla->end == StreamEnd::kIncomplete || d.flotilla->end == StreamEnd::kRejected);
  if (!after_body && !in_body) return false;
  return tabbed_chunked(*d.ll);
}

// RFC 9110 §5.5: a field value excludes leading and trailing whitespace, SP and HTAB alike, so
// `Content-Length: 0<HTAB>` is a length of 0 to flotilla. llhttp 8.1 allows a trailing SP after
// the digits but not an HTAB (HPE_INVALID_CONTENT_LENGTH). llhttp stops inside the head, so the
// evidence is the raw head: a Content-Length line whose value holds an HTAB, every value of every
// Content-Length line OWS-trimmed to the same digits, and no Transfer-Encoding.
bool content_length_with_tabs(const Divergence& d) {
  if (!llhttp_rejected_head(d, {HPE_INVALID_CONTENT_LENGTH}) ||
      count_headers(*d.fl, "transfer-encoding") > 0) {
    return false;
  }
  std::string_view head = d.input->stream.substr(d.fl->start, d.fl->head_end - d.fl->start);
  constexpr std::string_view kName = "content-length:";
  bool tab = false;
  std::optional<std::string_view> length;
  // The head may be cut short (head_validated_when_complete re-runs flotilla on it completed,
  // then asks here): its last line then has no CRLF.
  while (!head.empty()) {
    const std::size_t eol = head.find("\r\n");
    const std::string_view line = head.substr(0, eol);
    head.remove_prefix(eol == std::string_view::npos ? head.size() : eol + 2);
    if (line.size() < kName.size() || !iequals(line.substr(0, kName.size()), kName)) continue;
    const std::string_view value = line.substr(kName.size());
    tab = tab || value.find('\t') != std::string_view::npos;
    std::string_view rest = value;
    for (;;) {
      const std::size_t comma = rest.find(',');
      std::string_view element = evidence::trim_ows(rest.substr(0, comma));
      if (element.empty() || element.find_first_not_of("0123456789") != std::string_view::npos) {
        return false;
      }
      while (element.size() > 1 && element.front() == '0') element.remove_prefix(1);
      if (length && *length != element) return false;
      length = element;
      if (comma == std::string_view::npos) break;
      rest.remove_prefix(comma + 1);
    }
  }
  return tab && length.has_value();
}

// RFC 9112 §3.2: the target's form must suit the method (`*` for OPTIONS, authority-form for
// CONNECT, else origin- or absolute-form) and has no CTL, SP or DEL; flotilla also rejects
// userinfo (RFC 9110 §4.2.4). llhttp's URL grammar takes `*old`, `/\x0c`, `GET host:80`...
// Evidence: llhttp's own target checked against those rules.
bool target_form_checked(const Divergence& d) {
  return !d.input->response_mode && d.ll != nullptr &&
         flotilla_rejected(d, {ParseError::kInvalidTarget}) &&
         evidence::target_breaks_rfc9112(d.ll->method, d.ll->target);
}

// RFC 9110 §6.5.1: trailer fields must not be merged into the header section unless known safe,
// and framing fields (RFC 9110 §6.5.1: Transfer-Encoding, Content-Length, Connection...) cannot
// be. flotilla validates trailers and drops them; llhttp 8.1 lets a trailer `Transfer-Encoding`
// or `Connection` change its framing state (it rejects a second `chunked`, or stops keep-alive).
bool framing_fields_in_trailers(const Divergence& d) {
  // flotilla completed the chunked message, or still reads its trailers.
  const bool fl_in_body = d.flotilla->end == StreamEnd::kIncomplete &&
                          d.flotilla->messages.size() == d.index && d.flotilla->tail_head_complete;
  if (d.fl == nullptr || (!d.fl_complete && !fl_in_body) ||
      evidence::count_headers(*d.fl, "transfer-encoding") == 0) {
    return false;
  }
  const bool ll_rejected_body = d.llhttp->end == StreamEnd::kRejected &&
                                d.llhttp->messages.size() == d.index &&
                                d.llhttp->tail_head_complete;
  const bool ll_other_keep_alive = d.fl_complete && d.ll_complete && d.ll->end == d.fl->end &&
                                   d.ll->body_length == d.fl->body_length &&
                                   d.ll->keep_alive != d.fl->keep_alive;
  if (!ll_rejected_body && !ll_other_keep_alive) return false;
  const std::size_t end = d.fl_complete ? d.fl->end : d.input->stream.size();
  const std::string_view body = d.input->stream.substr(d.fl->head_end, end - d.fl->head_end);
  for (std::string_view name : {"transfer-encoding", "content-length", "connection"}) {
    if (evidence::chunked_trailers_have(body, name)) return true;
  }
  return false;
}

// RFC 9110 §8.6: a message with several Content-Length values that are all the same number may
// be accepted with that length (flotilla does: `5, 5` or two `5` lines); llhttp rejects any
// duplicate line (UNEXPECTED_CONTENT_LENGTH) or list (INVALID_CONTENT_LENGTH). Evidence:
// flotilla's head has 2+ Content-Length values, all equal, and no TE.
bool identical_content_lengths(const Divergence& d) {
  if (!llhttp_rejected_head(d, {HPE_UNEXPECTED_CONTENT_LENGTH, HPE_INVALID_CONTENT_LENGTH}) ||
      count_headers(*d.fl, "transfer-encoding") > 0) {
    return false;
  }
  std::size_t values = 0;
  std::string_view first;
  const bool differ = any_list_element(*d.fl, "content-length", [&](std::string_view v) {
    while (v.size() > 1 && v.front() == '0') v.remove_prefix(1);
    if (values++ == 0) first = v;
    return v != first || v.empty() || v.find_first_not_of("0123456789") != std::string_view::npos;
  });
  return !differ && values > 1;
}

// RFC 9112 §7.1: chunk-size is 1*HEXDIG, extensions follow a grammar, data ends with CRLF,
// trailers are field lines. llhttp 8.1 (loose) skips junk after chunk data, accepts spaces
// around the size and odd extensions. Evidence: a strict walk of the raw body finds the breach.
bool chunked_framing_violation(const Divergence& d) {
  if (!flotilla_rejected(d,
                         {ParseError::kInvalidChunkSize, ParseError::kChunkSizeOverflow,
                          ParseError::kInvalidChunkExtension, ParseError::kMissingChunkCrlf,
                          ParseError::kInvalidTrailer, ParseError::kBareLf, ParseError::kBareCr},
                         true)) {
    return false;
  }
  const MessageFraming& head = d.flotilla->tail_head;
  return count_headers(head, "transfer-encoding") > 0 &&
         evidence::chunked_body_violates_rfc(d.input->stream.substr(head.head_end));
}

// RFC 9112 §7.1.1: chunk-ext = *( BWS ";" BWS name [ BWS "=" BWS value ] ). llhttp 8.1 rejects
// valid extensions: another `;` right after an unquoted value (`1;a=b;c`) and BWS (`1 ;a`,
// `1; a`). flotilla follows the grammar. Evidence: a strict walk finds the body valid so far.
bool chunk_extension_grammar(const Divergence& d) {
  if (d.fl == nullptr || d.llhttp->end != StreamEnd::kRejected ||
      d.llhttp->messages.size() != d.index || !d.llhttp->tail_head_complete ||
      (d.llhttp->error_code != HPE_INVALID_CHUNK_SIZE && d.llhttp->error_code != HPE_STRICT)) {
    return false;
  }
  const bool fl_in_body = d.flotilla->messages.size() == d.index &&
                          d.flotilla->end == StreamEnd::kIncomplete &&
                          d.flotilla->tail_head_complete;
  if (!d.fl_complete && !fl_in_body) return false;
  const std::size_t end = d.fl_complete ? d.fl->end : d.input->stream.size();
  return count_headers(*d.fl, "transfer-encoding") > 0 &&
         evidence::chunked_body_valid_with_extensions(
             d.input->stream.substr(d.fl->head_end, end - d.fl->head_end));
}

// RFC 9112 §3.2: flotilla checks a target only as far as framing and routing need (no CTL, SP or
// DEL, the form the method calls for, an authority of host characters) and forwards it as is.
// llhttp's URL grammar is narrower: schemes of letters only followed by `//` (it rejects
// `ht4p://a/`, `http:8080/p`, `urn:x`), fewer characters in an authority. The target does not
// frame anything. Evidence: the independent RFC 9112 §3.2 check finds flotilla's target valid.
bool target_grammar_wider_than_llhttp(const Divergence& d) {
  return !d.input->response_mode && llhttp_rejected_head(d, {HPE_INVALID_URL}) &&
         !evidence::target_breaks_rfc9112(d.fl->method, d.fl->target);
}

constexpr std::array kIntended{
    IntendedDifference{"idle_crlf_tail", idle_crlf_tail},
    IntendedDifference{"head_validated_when_complete", head_validated_when_complete},
    IntendedDifference{"host_validated", host_validated},
    IntendedDifference{"size_limits", size_limits},
    IntendedDifference{"method_outside_llhttp_table", method_outside_llhttp_table},
    IntendedDifference{"no_body_status", no_body_status},
    IntendedDifference{"bare_lf", bare_lf},
    IntendedDifference{"bare_cr", bare_cr},
    IntendedDifference{"http09_request_line", http09_request_line},
    IntendedDifference{"request_line_extra_space", request_line_extra_space},
    IntendedDifference{"unsupported_version", unsupported_version},
    IntendedDifference{"header_name_not_token", header_name_not_token},
    IntendedDifference{"obs_fold", obs_fold},
    IntendedDifference{"connection_not_token_list", connection_not_token_list},
    IntendedDifference{"transfer_coding_not_just_chunked", transfer_coding_not_just_chunked},
    IntendedDifference{"transfer_encoding_empty", transfer_encoding_empty},
    IntendedDifference{"status_line_malformed", status_line_malformed},
    IntendedDifference{"target_form_checked", target_form_checked},
    IntendedDifference{"framing_fields_in_trailers", framing_fields_in_trailers},
    IntendedDifference{"identical_content_lengths", identical_content_lengths},
    IntendedDifference{"switching_protocols_is_a_tunnel", switching_protocols_is_a_tunnel},
    IntendedDifference{"upgrade_ignored_on_http10", upgrade_ignored_on_http10},
    IntendedDifference{"content_length_above_2_63", content_length_above_2_63},
    IntendedDifference{"te_list_with_empty_elements", te_list_with_empty_elements},
    IntendedDifference{"te_value_with_tabs", te_value_with_tabs},
    IntendedDifference{"content_length_with_tabs", content_length_with_tabs},
    IntendedDifference{"connection_persistence_per_rfc", connection_persistence_per_rfc},
    IntendedDifference{"connection_upgrade_with_tabs", connection_upgrade_with_tabs},
    IntendedDifference{"upgrade_with_tabbed_chunked", upgrade_with_tabbed_chunked},
    IntendedDifference{"chunked_framing_violation", chunked_framing_violation},
    IntendedDifference{"chunk_extension_grammar", chunk_extension_grammar},
    IntendedDifference{"target_grammar_wider_than_llhttp", target_grammar_wider_than_llhttp},
};

}  // namespace

std::span<const IntendedDifference> intended_differences() {
  return kIntended;
}

const IntendedDifference* explain(const Divergence& d, std::string_view except) {
  for (const IntendedDifference& i : kIntended) {
    if (i.name != except && i.applies(d)) return &i;
  }
  return nullptr;
}

}  // namespace flotilla::fuzz
