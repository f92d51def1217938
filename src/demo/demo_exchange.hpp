// One request/response exchange on a demo connection: the request, its body as it arrives, and
// the ways a handler answers (a small Reply, or a head then a streamed body). Owns the HTTP/1.1
// bookkeeping of one exchange (HEAD, 100-continue, keep-alive, framing); never picks a handler.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <system_error>

#include <asio.hpp>

#include "demo/demo_context.hpp"
#include "demo/demo_request.hpp"
#include "demo/demo_stream.hpp"
#include "demo/reply.hpp"
#include "http/body_reader.hpp"
#include "http/query_string.hpp"
#include "http/simple_response_head.hpp"

namespace flotilla::demo {

// The demo speaks the small-server vocabulary it shares with the admin API.
using http::FieldView;
using http::format_response_head;
using http::parse_fraction;
using http::parse_uint;
using http::query_value;
using http::ResponseFraming;
using http::ResponseHeadSpec;
using http::split_target;
using http::TargetParts;
using http::uint_param;

inline constexpr std::string_view kServerName = "flotilla-demo";

struct BodyPiece {
  std::string_view data;  // a view into the read buffer, valid until the next read_body()
  bool done = false;      // the body ended (data may still hold its last bytes)
  bool failed = false;    // malformed framing, truncated body, timeout or transport error
};

class Exchange {
 public:
  Exchange(DemoStream& stream, Request request, DemoContext& context);

  const Request& request() const noexcept { return request_; }
  TargetParts target() const noexcept { return split_target(request_.target); }
  DemoContext& context() noexcept { return context_; }
  DemoStream& stream() noexcept { return stream_; }

  bool head_only() const noexcept { return request_.method == http::Method::kHead; }
  bool can_chunk() const noexcept { return request_.version == http::Version::kHttp11; }
  bool responded() const noexcept { return responded_; }
  bool keep_alive() const noexcept { return keep_alive_; }
  bool body_done() const noexcept { return body_.done(); }
  void close_after() noexcept { keep_alive_ = false; }
  // The connection now speaks another protocol (101 sent); the HTTP loop must not resume.
  void mark_upgraded() noexcept { upgraded_ = true; }
  bool upgraded() const noexcept { return upgraded_; }

  // A complete small response, head and body in one gather write (never a head alone on the
  // wire: a process killed between two writes would leave a truncated response). False when
  // the connection failed (the caller just returns).
  asio::awaitable<bool> reply(const Reply& reply);

  // Streaming: the head, then body pieces (wrapped as chunks when kChunked), then end().
  // For HEAD the head declares the framing and the body calls do nothing.
  asio::awaitable<bool> begin(int status, ResponseFraming framing, std::uint64_t content_length,
                              std::string_view content_type,
                              std::span<const FieldView> fields = {});
  asio::awaitable<bool> write_body(std::string_view piece);
  // Ends a chunked body with the last chunk and `trailer_fields` (complete lines with CRLF).
  asio::awaitable<bool> end(std::string_view trailer_fields = {});

  // The request body, piece by piece; sends `100 Continue` first when the client asked for it.
  asio::awaitable<BodyPiece> read_body();
  // Reads and drops what is left of the request body, so the next request can be parsed.
  asio::awaitable<bool> discard_body();

 private:
  // The head of the response, with the exchange's keep-alive/framing bookkeeping done.
  std::string start_response(int status, ResponseFraming framing, std::uint64_t content_length,
                             std::string_view content_type, std::span<const FieldView> fields);
  // Writes; on failure the connection is done (keep_alive_ cleared). True when all was sent.
  asio::awaitable<bool> send(std::span<const asio::const_buffer> buffers);
  asio::awaitable<bool> send(std::string_view bytes);

  DemoStream& stream_;
  Request request_;
  DemoContext& context_;
  http::BodyReader body_;
  bool responded_ = false;
  bool keep_alive_ = false;
  bool continue_sent_ = false;
  bool chunked_response_ = false;
  bool upgraded_ = false;
};

}  // namespace flotilla::demo
