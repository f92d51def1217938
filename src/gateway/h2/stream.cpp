#include "gateway/h2/stream.hpp"

#include <cstring>

#include "gateway/downstream.hpp"
#include "gateway/error_response.hpp"
#include "gateway/h2/request_body.hpp"
#include "gateway/h2/response_sink.hpp"
#include "gateway/h2/session.hpp"
#include "gateway/pipeline/serve_request.hpp"
#include "gateway/request_end.hpp"
#include "gateway/request_target.hpp"
#include "gateway/route_path.hpp"
#include "gateway/worker.hpp"

namespace flotilla::gateway::h2 {

void Stream::reset(std::int32_t stream_id) noexcept {
  id = stream_id;
  head_size = 0;
  headers_done = false;
  end_stream = false;
  no_body = false;
  open = false;
  running = false;
  gone = false;
  tunnel = false;
  close_code = 0;
  trailers.clear();
  held_size = 0;
  handed = 0;
  body_bytes = 0;
  body_error = 0;
  out = {};
  out_last = false;
  eof_queued = false;
  deferred = false;
  trailers_out = false;
  upstream_wait = nullptr;
}

void Stream::abort() noexcept {
  gone = true;
  if (upstream_wait) upstream_wait->close();  // ends the exchange's wait for the upstream
  body_event.notify();
  send_event.notify();
}

bool Stream::receive(const std::uint8_t* data, std::size_t size, std::size_t capacity) {
  if (held_capacity < capacity) {
    // One window: the client cannot send more before we consume (allocated once per stream
    // object, which the session recycles; only streams with a body ever get one).
    held_capacity = capacity;
    held = std::make_unique_for_overwrite<char[]>(held_capacity);
  }
  if (held_size + size > held_capacity) return false;
  std::memcpy(held.get() + held_size, data, size);
  held_size += size;
  body_bytes += size;
  return true;
}

void Stream::release(std::size_t size) noexcept {
  size = std::min(size, held_size);
  std::memmove(held.get(), held.get() + size, held_size - size);
  held_size -= size;
  handed = 0;
}

namespace {

// Answers a request the codec refused before the pipeline (431, or what the parser said).
net::Awaitable<void> reject(RequestContext& ctx, int status) {
  ErrorBody error;
  error.status = status;
  error.json = ctx.json_errors;
  const std::string_view body = write_error_body(ctx.scratch.text, error);
  HeaderEdits& edits = ctx.scratch.response_edits;
  edits.clear();
  edits.add("Content-Type", ctx.json_errors ? "application/json" : "text/plain; charset=utf-8");
  ResponseHeadOut out;
  out.status = status;
  out.edits = &edits;
  out.length = BodyLength::kKnown;
  out.content_length = body.size();
  ctx.sink.head(out);
  co_await ctx.sink.body(body, true);
}

}  // namespace

net::Awaitable<void> serve_stream(Session& session, Stream& stream) {
  if (stream.gone) co_return;  // reset before it started: not a request
  Worker& worker = session.worker();
  Workspace& ws = *stream.ws;
  const ListenerSettings& listener = session.listener();
  const SnapshotPtr snapshot = worker.snapshot();  // keeps this request's view alive

  observe::RequestRecord& record = ws.record;
  record.open = true;
  record.protocol = observe::ClientProtocol::http2;
  worker.metrics().request_started();
  record.scheme = session.downstream().scheme();

  // The rebuilt HTTP/1.1 head goes through the same parser (and so the same limits and checks)
  // as an HTTP/1 client's.
  int refused = 0;
  if (stream.head_size == 0) {
    refused = 431;
    session.count(observe::Http2Event::header_list_too_large);
  } else {
    ws.parser.reset();
    const http::ParseResult parsed = ws.parser.parse({ws.buffer.get(), stream.head_size});
    if (!parsed.complete()) refused = parsed.failed() ? parsed.http_status : 400;
    if (refused == 431) session.count(observe::Http2Event::header_list_too_large);
    // RFC 8441: only WebSocket has an HTTP/1.1 upgrade to map an extended CONNECT to.
    if (refused == 0 && stream.tunnel && !stream.head.websocket()) refused = 501;
  }
  static const http::RequestHead kEmpty{};
  const http::RequestHead& head = refused == 0 ? ws.parser.head() : kEmpty;
  if (refused == 0) {
    record.method = head.method;
    record.bytes_in = stream.head_size;
    if (worker.access_log_enabled()) {
      record.method_text.assign(head.method_text);
      record.target.assign(head.target);
    }
  }

  H2RequestBody body(session, stream, head);
  H2ResponseSink sink(session, stream, head.method == http::Method::kHead, &record);
  RequestScratch& scratch = ws.scratch;
  scratch.request_id.clear();
  scratch.upstream_edits.clear();
  scratch.response_edits.clear();
  const net::IpAddress client = refused == 0
                                    ? resolve_request_client(session.downstream(), snapshot.get(),
                                                             session.listener_index(), head, ws)
                                    : session.downstream().peer();
  const std::string_view client_ip(ws.client_ip.data(), ws.client_ip_size);
  RequestContext ctx{
      .worker = worker,
      .listener = listener,
      .snapshot = snapshot.get(),
      .listener_index = session.listener_index(),
      .head = head,
      .path = refused == 0 ? route_path(request_path(head), ws.route_path) : std::string_view{},
      .downstream = session.downstream(),
      .client_ip = client_ip,
      .client = client,
      .body = body,
      .sink = sink,
      .presence = stream,
      .ws = ws,
      .scratch = scratch,
      .record = record,
      .json_errors = refused == 0 && prefers_json(head),
      .route = nullptr,
      .route_index = UINT32_MAX,
      .answer = {}};
  if (refused != 0) {
    co_await reject(ctx, refused);
  } else {
    co_await serve_request(ctx);
  }
  finish_request(worker, record, client_ip);
}

}  // namespace flotilla::gateway::h2
