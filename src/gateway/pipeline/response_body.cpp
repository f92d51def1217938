// Drives a response's body transform between its producer and the sink: feed one piece, then
// write each output piece before asking for the next (back-pressure, bounded buffers). No stage:
// the sink's own awaitable, no frame of ours.
#include "gateway/pipeline/response_body.hpp"

#include "gateway/pipeline/request_context.hpp"
#include "gateway/snapshot.hpp"

namespace flotilla::gateway {

net::Awaitable<tls::IoResult> BodyStages::body(ResponseSink& sink, std::string_view data, bool last,
                                               bool flush) {
  if (!transform_) return sink.body(data, last);
  return transformed(sink, data, last, flush);
}

net::Awaitable<tls::IoResult> BodyStages::transformed(ResponseSink& sink, std::string_view data,
                                                      bool last, bool flush) {
  transform_->feed(data, flush, last);
  bool wrote = false;
  for (;;) {
    const BodyTransform::Output out = transform_->next();
    if (out.failed) co_return tls::IoResult{std::make_error_code(std::errc::not_enough_memory), 0};
    const bool final = last && !out.more;
    if (!out.data.empty() || final) {
      auto [ec, n] = co_await sink.body(out.data, final);
      if (ec) co_return tls::IoResult{ec, n};
      wrote = true;
    }
    if (!out.more) break;
  }
  // Nothing came out yet (the encoder holds the bytes): the head still goes now, as it would
  // without a transform.
  if (!wrote && !sink.started()) {
    auto [ec, n] = co_await sink.body({}, false);
    co_return tls::IoResult{ec, n};
  }
  co_return tls::IoResult{};
}

BodyStages start_body_stages(RequestContext& ctx, ResponseHeadOut& head) {
  if (!ctx.route || ctx.route->chain.response_body.empty()) return {};
  for (const auto& stage : ctx.route->chain.response_body) {
    BodyTransformPtr transform = stage->start(ctx, head, ctx.scratch.response_edits);
    if (transform) return BodyStages(std::move(transform));
  }
  return {};
}

void not_modified_body_stages(RequestContext& ctx, ResponseHeadOut& head) {
  if (!ctx.route) return;
  for (const auto& stage : ctx.route->chain.response_body) {
    compression_not_modified(*stage, ctx, head, ctx.scratch.response_edits);
  }
}

bool find_response_field(const ResponseHeadOut& head, http::HeaderId id, std::string_view name,
                         std::string_view& value) noexcept {
  if (head.edits && head.edits->added_value(name, value)) return true;
  if (!head.forwarded) return false;
  if (head.edits) {
    if (id != http::HeaderId::kOther && (head.edits->drop_ids() & http::header_bit(id)) != 0) {
      return false;
    }
    for (const std::string_view dropped : head.edits->drop_names()) {
      if (same_header_name(dropped, name)) return false;
    }
  }
  for (const http::Header& field : head.forwarded->headers) {
    if (id != http::HeaderId::kOther ? field.id == id : same_header_name(field.name, name)) {
      value = field.value;
      return true;
    }
  }
  return false;
}

}  // namespace flotilla::gateway
