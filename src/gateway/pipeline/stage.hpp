// The stages of a request, as Pingora's phases and h2o's handlers: what the control thread
// builds into the snapshot for each listener and route, and the order the pipeline calls them.
//   request stages   — look at the request; continue, or answer it (health, ready, redirects,
//                      TRACE; later rate limits, static files, cache lookup)
//   terminal         — the proxy (or a request stage that always answers)
//   upstream-request — change the request the proxy sends (header rules)
//   response-head    — change the response head (header rules, HSTS; later cache store)
//   response-body    — transform the streamed body (compression), run by
//                      pipeline/response_body.cpp for every producer
// Stages are immutable and shared by every worker; per-request state lives in RequestContext.
// Never does I/O of its own except through the context's sink and body.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "gateway/pipeline/header_edits.hpp"
#include "net/async.hpp"

namespace flotilla::gateway {

struct RequestContext;
struct ResponseHeadOut;

enum class Verdict : std::uint8_t {
  kContinue,  // the next stage (or the terminal) handles the request
  kAnswer,    // the stage filled ctx.answer: the pipeline sends it and the request ends
  kAsync,     // call on_request_async, which returns one of the two above
  kDone,      // the stage wrote the whole response through the sink itself
};

class RequestStage {
 public:
  virtual ~RequestStage() = default;
  virtual std::string_view name() const noexcept = 0;
  // Decides from the request head (no I/O): most stages answer here without a coroutine.
  virtual Verdict on_request(RequestContext& ctx) const = 0;
  // For kAsync: the part that waits (a shared rate limit, a file, a cache entry).
  virtual net::Awaitable<Verdict> on_request_async(RequestContext& ctx) const;
};

class UpstreamRequestStage {
 public:
  virtual ~UpstreamRequestStage() = default;
  virtual std::string_view name() const noexcept = 0;
  // `edits` are the changes to the request head sent upstream.
  virtual void on_upstream_request(RequestContext& ctx, HeaderEdits& edits) const = 0;
};

class ResponseHeadStage {
 public:
  virtual ~ResponseHeadStage() = default;
  virtual std::string_view name() const noexcept = 0;
  // `status` is the response's; `edits` the changes to its head (upstream answers and local
  // answers alike: like nginx's `add_header ... always`).
  virtual void on_response_head(RequestContext& ctx, int status, HeaderEdits& edits) const = 0;
};

// A streaming transformation of one response's body, made by a ResponseBodyStage for the
// responses it applies to (pipeline/response_body.cpp drives it). Pull-style, so its output
// buffer stays bounded whatever the input: feed() one input piece, then next() until `more` is
// false, writing each output before asking for the next.
class BodyTransform {
 public:
  struct Output {
    std::string_view data;  // valid until the next call
    bool more = false;      // false: everything fed so far is out (and, after `last`, the end)
    bool failed = false;    // the transform broke (out of memory): the body cannot continue
  };
  // `flush`: the producer has nothing more at hand, so what was fed must leave now (at some cost
  // in ratio); `last`: the body ends with `in`.
  virtual void feed(std::string_view in, bool flush, bool last) = 0;
  virtual Output next() = 0;
  // Hands the transform back to whoever made it (a per-worker pool); called once per response,
  // finished or not.
  virtual void release() noexcept = 0;

 protected:
  ~BodyTransform() = default;
};

struct BodyTransformRelease {
  void operator()(BodyTransform* transform) const noexcept { transform->release(); }
};
using BodyTransformPtr = std::unique_ptr<BodyTransform, BodyTransformRelease>;

class ResponseBodyStage {
 public:
  virtual ~ResponseBodyStage() = default;
  virtual std::string_view name() const noexcept = 0;
  // A transform for this response (after the head stages ran), or null when it does not apply.
  // It may edit the head: `edits` (e.g. Content-Encoding, Vary — also when it does not apply)
  // and `head` (it must then make the length unknown).
  virtual BodyTransformPtr start(RequestContext& ctx, ResponseHeadOut& head,
                                 HeaderEdits& edits) const = 0;
};

// One listener's or one route's stages, in order. Shared pointers: the builder reuses stage
// objects across the snapshots it publishes.
struct StageChain {
  std::vector<std::shared_ptr<const RequestStage>> request;
  std::vector<std::shared_ptr<const UpstreamRequestStage>> upstream_request;
  std::vector<std::shared_ptr<const ResponseHeadStage>> response_head;
  std::vector<std::shared_ptr<const ResponseBodyStage>> response_body;
};

}  // namespace flotilla::gateway
