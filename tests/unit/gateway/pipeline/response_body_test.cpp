// BodyStages between a producer and the real HTTP/1 sink: no stage is the sink itself; a
// transform's output pieces are written one by one, the last one carries `last`, a transform
// that holds everything back still lets the head go, a failed transform ends the body with an
// error; find_response_field sees added lines before forwarded fields and honours drops.
#include "gateway/pipeline/response_body.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "../pipeline_test_support.hpp"

namespace flotilla::gateway {
namespace {

using testing::parse_response;
using testing::PipelineHarness;

// Splits each input into two outputs ("<in>" as "<" + in + ">"), or holds everything back
// until `last` (`hold`), or fails.
class SplitTransform final : public BodyTransform {
 public:
  bool hold = false;
  bool fail = false;
  std::vector<std::string> calls;  // "in|flush|last"
  bool released = false;

  void feed(std::string_view in, bool flush, bool last) override {
    calls.push_back(std::string(in) + "|" + (flush ? "f" : "-") + "|" + (last ? "l" : "-"));
    pending_.clear();
    if (hold && !last) {
      held_ += in;
      return;
    }
    pending_.push_back("<" + held_ + std::string(in));
    pending_.push_back(">");
    held_.clear();
  }
  Output next() override {
    if (fail) return {{}, false, true};
    if (at_ >= pending_.size()) {
      pending_.clear();
      at_ = 0;
      return {};
    }
    current_ = pending_[at_++];
    const bool more = at_ < pending_.size();
    if (!more) {
      pending_.clear();
      at_ = 0;
    }
    return {current_, more, false};
  }
  void release() noexcept override { released = true; }

 private:
  std::vector<std::string> pending_;
  std::size_t at_ = 0;
  std::string held_;
  std::string current_;
};

ResponseHeadOut unknown_length_head(HeaderEdits& edits) {
  ResponseHeadOut head;
  head.status = 200;
  head.edits = &edits;
  head.length = BodyLength::kUnknown;
  return head;
}

TEST(BodyStages, WithoutAStageTheBytesGoAsTheyAre) {
  PipelineHarness h;
  RequestContext& ctx = h.request("GET / HTTP/1.1\r\nHost: h\r\n\r\n");
  BodyStages stages;
  EXPECT_FALSE(stages.active());
  ctx.sink.head(unknown_length_head(ctx.scratch.response_edits));
  h.run([&]() -> net::Awaitable<void> {
    co_await stages.body(ctx.sink, "abc", false);
    co_await stages.body(ctx.sink, "def", true);
  }());
  EXPECT_EQ(parse_response(h.written()).body, "abcdef");
}

TEST(BodyStages, WritesEachOutputPieceAndEndsWithTheLast) {
  PipelineHarness h;
  RequestContext& ctx = h.request("GET / HTTP/1.1\r\nHost: h\r\n\r\n");
  SplitTransform transform;
  {
    BodyStages stages{BodyTransformPtr(&transform)};
    ctx.sink.head(unknown_length_head(ctx.scratch.response_edits));
    h.run([&]() -> net::Awaitable<void> {
      co_await stages.body(ctx.sink, "abc", false, false);
      co_await stages.body(ctx.sink, "def", true);
    }());
  }
  EXPECT_TRUE(transform.released);
  EXPECT_EQ(transform.calls, (std::vector<std::string>{"abc|-|-", "def|f|l"}));
  const auto response = parse_response(h.written(), http::Method::kGet, false);
  EXPECT_TRUE(response.body_complete);
  EXPECT_EQ(response.body, "<abc><def>");
}

TEST(BodyStages, AHeldBackFirstPieceStillSendsTheHead) {
  PipelineHarness h;
  RequestContext& ctx = h.request("GET / HTTP/1.1\r\nHost: h\r\n\r\n");
  SplitTransform transform;
  transform.hold = true;
  BodyStages stages{BodyTransformPtr(&transform)};
  ctx.sink.head(unknown_length_head(ctx.scratch.response_edits));
  h.run([&]() -> net::Awaitable<void> { co_await stages.body(ctx.sink, "abc", false); }());
  EXPECT_TRUE(ctx.sink.started());
  const auto response = parse_response(h.written(), http::Method::kGet, false);
  EXPECT_TRUE(response.complete);
  EXPECT_FALSE(response.body_complete);
  h.run([&]() -> net::Awaitable<void> { co_await stages.body(ctx.sink, "def", true); }());
}

TEST(BodyStages, AFailedTransformIsAnError) {
  PipelineHarness h;
  RequestContext& ctx = h.request("GET / HTTP/1.1\r\nHost: h\r\n\r\n");
  SplitTransform transform;
  transform.fail = true;
  BodyStages stages{BodyTransformPtr(&transform)};
  ctx.sink.head(unknown_length_head(ctx.scratch.response_edits));
  std::error_code error;
  h.run([&]() -> net::Awaitable<void> {
    auto [ec, n] = co_await stages.body(ctx.sink, "abc", true);
    error = ec;
  }());
  EXPECT_TRUE(error);
}

TEST(FindResponseField, AddedLinesThenForwardedUnlessDropped) {
  http::ResponseParser parser;
  parser.reset(http::Method::kGet);
  const std::string raw =
      "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nX-Thing: up\r\nETag: \"a\"\r\n\r\n";
  ASSERT_TRUE(parser.parse(raw).complete());
  HeaderEdits edits;
  ResponseHeadOut head;
  head.forwarded = &parser.head();
  head.edits = &edits;
  std::string_view value;
  ASSERT_TRUE(find_response_field(head, http::HeaderId::kContentType, "Content-Type", value));
  EXPECT_EQ(value, "text/html");
  ASSERT_TRUE(find_response_field(head, http::HeaderId::kOther, "x-thing", value));
  EXPECT_EQ(value, "up");
  edits.add("Content-Type", " application/json ");
  ASSERT_TRUE(find_response_field(head, http::HeaderId::kContentType, "Content-Type", value));
  EXPECT_EQ(value, "application/json");
  edits.drop(http::HeaderId::kEtag);
  EXPECT_FALSE(find_response_field(head, http::HeaderId::kEtag, "ETag", value));
  edits.drop(std::string_view("X-Thing"));
  EXPECT_FALSE(find_response_field(head, http::HeaderId::kOther, "X-Thing", value));
  EXPECT_FALSE(find_response_field(head, http::HeaderId::kVary, "Vary", value));
}

}  // namespace
}  // namespace flotilla::gateway
