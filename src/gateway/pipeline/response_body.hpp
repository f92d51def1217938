// The one place a route's response-body stages are applied, for every producer of a response
// (the proxy, local answers, static files, later the cache): start them once the head stages ran
// (they may change the head), then send each body piece through them to the sink.
// Never decides whether a transform applies (the stages do) and never frames bytes (the sink does).
#pragma once

#include <string_view>

#include "gateway/pipeline/response_sink.hpp"
#include "gateway/pipeline/stage.hpp"
#include "net/async.hpp"
#include "tls/stream.hpp"

namespace flotilla::gateway {

struct RequestContext;

// The response-body stages of one response. Default: none (bytes go straight to the sink).
class BodyStages {
 public:
  BodyStages() = default;
  explicit BodyStages(BodyTransformPtr transform) : transform_(std::move(transform)) {}

  bool active() const noexcept { return transform_ != nullptr; }

  // Sends payload `data` (`last`: the body ends with it) through the stages to `sink`, writing
  // each output piece before the next is made (one bounded buffer in flight). `flush`: the
  // producer has no more bytes at hand now (a short read), so whatever the stages hold leaves
  // now; a producer that is about to give more passes false. Without a stage this is
  // sink.body(data, last) itself (no coroutine of its own). An empty, non-last call before the
  // head was written writes the head, as sink.body does.
  net::Awaitable<tls::IoResult> body(ResponseSink& sink, std::string_view data, bool last,
                                     bool flush = true);

 private:
  net::Awaitable<tls::IoResult> transformed(ResponseSink& sink, std::string_view data, bool last,
                                            bool flush);
  BodyTransformPtr transform_;
};

// Runs the route's response-body stages for the response `head` describes, after the head
// stages: the first stage that applies transforms the body (a second sees the head the first
// changed, e.g. Content-Encoding, and must not apply on top of it). May change `head` (the length
// becomes unknown) and ctx.scratch.response_edits. Call before sink.head(head).
BodyStages start_body_stages(RequestContext& ctx, ResponseHeadOut& head);

// For a 304 that stands for the 200 `head` describes (a static file's): the route's body stages
// add what that 200 would carry (Vary, a weakened ETag). Call before the 304 head is made.
void not_modified_body_stages(RequestContext& ctx, ResponseHeadOut& head);
// The compression stage's part of it (stages/compression.cpp; nothing for another stage).
void compression_not_modified(const ResponseBodyStage& stage, RequestContext& ctx,
                              ResponseHeadOut& head, HeaderEdits& edits);

// A field of the response as it will go out: the last line the stages or the producer added,
// else the forwarded head's first field of that name unless the edits drop it. `name` must be
// the field's standard spelling (matched case-insensitively). False when there is none.
bool find_response_field(const ResponseHeadOut& head, http::HeaderId id, std::string_view name,
                         std::string_view& value) noexcept;

}  // namespace flotilla::gateway
