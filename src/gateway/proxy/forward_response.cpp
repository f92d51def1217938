#include "gateway/proxy/forward_response.hpp"

#include <cstring>

#include "gateway/downstream.hpp"
#include "gateway/pipeline/response_body.hpp"
#include "gateway/pipeline/response_sink.hpp"
#include "gateway/pipeline/serve_request.hpp"
#include "gateway/proxy/tunnel.hpp"
#include "http/body_reader.hpp"

namespace flotilla::gateway {
namespace {

using upstream::OutcomeKind;

bool has_header(const http::ResponseHead& head, http::HeaderId id) {
  for (const http::Header& header : head.headers) {
    if (header.id == id) return true;
  }
  return false;
}

// The lines flotilla puts on every forwarded response, then the stages' edits.
void edit_head(Exchange& exchange, const http::ResponseHead& head) {
  RequestContext& ctx = exchange.ctx;
  HeaderEdits& edits = ctx.scratch.response_edits;
  edits.add_lines(head.version == http::Version::kHttp10 ? "Via: 1.0 flotilla\r\n"
                                                         : "Via: 1.1 flotilla\r\n");
  // The request's id goes back to the client (unless the upstream answers with its own), so a
  // client can quote it when it reports a problem.
  if (!has_header(head, http::HeaderId::kXRequestId)) edits.add("X-Request-Id", request_id(ctx));
  run_response_head_stages(ctx, head.status);
}

BodyLength length_of(const http::ResponseHead& head, bool tunnel) {
  if (tunnel) return BodyLength::kNone;
  switch (head.framing) {
    case http::BodyFraming::kNone:
      return BodyLength::kNone;
    case http::BodyFraming::kContentLength:
      return BodyLength::kKnown;
    default:
      return BodyLength::kUnknown;
  }
}

// Decodes the body bytes in [offset, buffered) of the connection's buffer. The payload runs are
// moved together (in place: decoded bytes never outrun the raw ones), so one read yields one
// contiguous piece of payload whatever the upstream's chunking. False on broken framing.
bool decode(http::BodyReader& reader, char* buffer, std::size_t& offset, std::size_t buffered,
            std::string_view& payload) {
  char* out = nullptr;
  std::size_t size = 0;
  while (!reader.done() && offset < buffered) {
    const http::BodyStep step = reader.next({buffer + offset, buffered - offset});
    if (step.failed()) return false;
    if (!step.data.empty()) {
      char* run = const_cast<char*>(step.data.data());
      if (!out) {
        out = run;
      } else if (out + size != run) {
        std::memmove(out + size, run, step.data.size());
      }
      size += step.data.size();
    }
    offset += step.consumed;
    if (step.consumed == 0) break;
  }
  payload = out ? std::string_view(out, size) : std::string_view{};
  return true;
}

}  // namespace

net::Awaitable<ForwardEnd> forward_response(Exchange& exchange, HeadOutcome& attempt, bool tunnel) {
  RequestContext& ctx = exchange.ctx;
  ResponseSink& sink = ctx.sink;
  UpstreamConnection& connection = *attempt.connection;
  const http::ResponseHead& head = connection.parser().head();
  std::size_t& buffered = connection.buffered();
  ForwardEnd end;

  edit_head(exchange, head);
  ResponseHeadOut out;
  out.status = head.status;
  out.forwarded = &head;
  out.edits = &ctx.scratch.response_edits;
  out.length = length_of(head, tunnel);
  out.content_length = head.content_length;
  out.upgrade = tunnel;
  BodyStages stages = tunnel ? BodyStages{} : start_body_stages(ctx, out);
  sink.head(out);

  http::BodyReader reader;
  reader.start(tunnel ? http::BodyFraming::kNone : head.framing, head.content_length);
  // Chunked trailers reach a client that can take them (HTTP/2); the others drop them.
  if (head.framing == http::BodyFraming::kChunked && !tunnel) {
    reader.keep_trailers(sink.trailer_buffer());
  }
  std::size_t offset = attempt.head_size;
  for (;;) {
    std::string_view payload;
    if (!decode(reader, connection.buffer(), offset, buffered, payload)) {
      // Nothing reached the client yet: the response is as broken as a bad head.
      if (!sink.started()) {
        end.invalid_before_start = true;
        co_return end;
      }
      end.broke = OutcomeKind::invalid_header;
      co_return end;  // the client sees a truncated response (the sink closes the connection)
    }
    const bool last = reader.done();
    if (last && !reader.trailers().empty()) sink.trailers(reader.trailers());
    if (!payload.empty() || last || !sink.started()) {
      // A full buffer means the upstream likely has more at hand: a transform may keep
      // collecting; a short read is what the upstream had, so it leaves now.
      const bool flush = buffered < UpstreamConnection::kBufferSize;
      auto [ec, n] = co_await stages.body(sink, payload, last, flush);
      if (ec) {
        end.client_closed = true;
        co_return end;
      }
    }
    if (last) break;
    connection.watchdog().expires_after(exchange.route.timeouts.read);
    auto [ec, n] = co_await connection.stream().read_some(
        asio::buffer(connection.buffer(), UpstreamConnection::kBufferSize));
    buffered = ec ? 0 : n;
    offset = 0;
    if (ec) {
      if (reader.finish_at_eof() == http::ParseError::kNone) {  // until-close ended
        auto [write_error, written] = co_await stages.body(sink, {}, true);
        end.client_closed = static_cast<bool>(write_error);
        end.complete = !write_error;
        co_return end;
      }
      end.broke = connection.watchdog().expired() ? OutcomeKind::timeout : OutcomeKind::reset;
      co_return end;  // truncated: closing the client connection tells the client
    }
  }

  if (tunnel) {
    const ResponseSink::TunnelEnd client = sink.tunnel();
    connection.watchdog().disarm();
    const std::string_view to_client{connection.buffer() + offset, buffered - offset};
    if (client.downstream) {
      co_await run_tunnel(client.downstream->stream(), connection.stream(), client.early_bytes,
                          to_client, exchange.route.timeouts.read);
    } else if (client.peer) {
      co_await run_tunnel(*client.peer, connection.stream(), client.early_bytes, to_client,
                          exchange.route.timeouts.read);
    }
    end.complete = true;
    co_return end;
  }
  // Bytes after the end of the body mean a confused upstream: never reuse that connection.
  end.reusable = head.keep_alive && offset == buffered;
  buffered = 0;
  end.complete = true;
  co_return end;
}

}  // namespace flotilla::gateway
