// The static-files stage end to end on one worker, through the real HTTP/1 sink over a socket
// pair (a small file from memory, a larger one by sendfile): answers, headers, directories, the
// fallback, ranges.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "../pipeline_test_support.hpp"
#include "gateway/pipeline/serve_request.hpp"
#include "gateway/stages/stages.hpp"

namespace flotilla::gateway {
namespace {

namespace fs = std::filesystem;
using testing::parse_response;
using testing::ParsedResponse;
using testing::PipelineHarness;

class StaticFilesStageTest : public ::testing::Test {
 protected:
  static constexpr std::size_t kBig = 20000;  // above files::kSmallFile: not kept in memory

  void SetUp() override {
    root_ = fs::temp_directory_path() / ("flotilla-static-" + std::to_string(::getpid()));
    fs::remove_all(root_);
    fs::create_directories(root_ / "docs");
    fs::create_directories(root_ / "empty");
    std::ofstream(root_ / "a.css") << "body{}";
    std::ofstream(root_ / "docs" / "index.html") << "<h1>docs</h1>";
    std::ofstream(root_ / "index.html") << "<app/>";
    std::ofstream(root_ / ".env") << "SECRET=1";
    std::ofstream(root_ / "digits.txt") << "0123456789";
    std::ofstream(root_ / "big.bin") << std::string(kBig, 'b');
    action_.root = root_;
  }
  void TearDown() override { fs::remove_all(root_); }

  // Runs the stage on `raw` as the pipeline would; returns the response the client reads.
  ParsedResponse serve(std::string raw, http::Method method = http::Method::kGet) {
    const auto stage = make_static_files_stage(action_, "/s/");
    RequestContext& ctx = h_.request(std::move(raw));
    const Verdict verdict = stage->on_request(ctx);
    if (verdict == Verdict::kAnswer) {
      h_.run(send_answer(ctx, ctx.answer));
    } else {
      EXPECT_EQ(verdict, Verdict::kAsync);
      h_.run([&]() -> net::Awaitable<void> {
        const Verdict last = co_await stage->on_request_async(ctx);
        if (last == Verdict::kAnswer) co_await send_answer(ctx, ctx.answer);
      }());
    }
    return parse_response(h_.written(), method, false);
  }

  PipelineHarness h_;
  fs::path root_;
  config::StaticAction action_;
};

TEST_F(StaticFilesStageTest, ServesALargerFileBySendfile) {
  const auto stage = make_static_files_stage(action_, "/s/");
  RequestContext& ctx = h_.request("GET /s/big.bin HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(stage->on_request(ctx), Verdict::kAsync);
  h_.run([&]() -> net::Awaitable<void> { co_await stage->on_request_async(ctx); }());
  const ParsedResponse r = parse_response(h_.written(), http::Method::kGet, false);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, std::string(kBig, 'b'));
  EXPECT_EQ(r.field("Content-Length"), std::to_string(kBig));
  EXPECT_EQ(h_.worker().metrics().static_file_bytes(observe::FileSend::sendfile), kBig);
}

// A small file is answered at once (no coroutine of the stage's), from memory.
TEST_F(StaticFilesStageTest, ServesASmallFileFromMemory) {
  {
    PipelineHarness h;
    const auto stage = make_static_files_stage(action_, "/s/");
    RequestContext& ctx = h.request("GET /s/a.css HTTP/1.1\r\nHost: x\r\n\r\n");
    EXPECT_EQ(stage->on_request(ctx), Verdict::kAnswer);
    EXPECT_EQ(ctx.answer.body, "body{}");
  }
  const ParsedResponse r = serve("GET /s/a.css HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "body{}");
  EXPECT_EQ(r.field("Content-Type"), "text/css; charset=utf-8");
  EXPECT_EQ(r.field("Content-Length"), "6");
  EXPECT_EQ(r.field("X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(r.field("Accept-Ranges"), "bytes");
  ASSERT_TRUE(r.field("ETag"));
  EXPECT_TRUE(r.field("ETag")->ends_with("-6\""));
  EXPECT_TRUE(r.field("Last-Modified"));
  EXPECT_FALSE(r.field("Cache-Control"));
  EXPECT_EQ(h_.worker().metrics().static_file_bytes(observe::FileSend::copy), 6u);
}

TEST_F(StaticFilesStageTest, ExpiresAndImmutable) {
  action_.expires = std::chrono::hours(24 * 365);
  action_.immutable = true;
  const ParsedResponse r = serve("GET /s/a.css HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(r.field("Cache-Control"), "public, max-age=31536000, immutable");
  EXPECT_TRUE(r.field("Expires"));
}

TEST_F(StaticFilesStageTest, HeadHasTheLengthAndNoBody) {
  const ParsedResponse r = serve("HEAD /s/a.css HTTP/1.1\r\nHost: x\r\n\r\n", http::Method::kHead);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.field("Content-Length"), "6");
  EXPECT_EQ(r.body, "");
  EXPECT_EQ(h_.worker().metrics().static_file_bytes(observe::FileSend::sendfile), 0u);
}

TEST_F(StaticFilesStageTest, OtherMethodsAre405WithAllow) {
  const ParsedResponse r = serve("DELETE /s/a.css HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(r.field("Allow"), "GET, HEAD");
}

TEST_F(StaticFilesStageTest, DirectoriesRedirectThenServeTheirIndex) {
  const ParsedResponse moved = serve("GET /s/docs?x=1 HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(moved.status, 301);
  EXPECT_EQ(moved.field("Location"), "/s/docs/?x=1");
  const ParsedResponse index = serve("GET /s/docs/ HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(index.status, 200);
  EXPECT_EQ(index.body, "<h1>docs</h1>");
  EXPECT_EQ(index.field("Content-Type"), "text/html; charset=utf-8");
  EXPECT_EQ(serve("GET /s/empty/ HTTP/1.1\r\nHost: x\r\n\r\n").status, 403);  // no listing
}

TEST_F(StaticFilesStageTest, HiddenMissingAndHostile) {
  EXPECT_EQ(serve("GET /s/.env HTTP/1.1\r\nHost: x\r\n\r\n").status, 404);
  EXPECT_EQ(serve("GET /s/nope HTTP/1.1\r\nHost: x\r\n\r\n").status, 404);
  EXPECT_EQ(serve("GET /s/a.css/ HTTP/1.1\r\nHost: x\r\n\r\n").status, 404);
  EXPECT_EQ(serve("GET /s/%2e%2e/x HTTP/1.1\r\nHost: x\r\n\r\n").status, 400);
  action_.show_hidden = true;
  EXPECT_EQ(serve("GET /s/.env HTTP/1.1\r\nHost: x\r\n\r\n").body, "SECRET=1");
}

TEST_F(StaticFilesStageTest, FallbackServesTheAppForMissingPaths) {
  action_.fallback = "index.html";
  const ParsedResponse r = serve("GET /s/users/42 HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "<app/>");
  EXPECT_EQ(r.field("Content-Type"), "text/html; charset=utf-8");
  EXPECT_EQ(serve("GET /s/.env HTTP/1.1\r\nHost: x\r\n\r\n").status, 404);  // hidden stays hidden
}

TEST_F(StaticFilesStageTest, ConditionalAndRanges) {
  const ParsedResponse first = serve("GET /s/digits.txt HTTP/1.1\r\nHost: x\r\n\r\n");
  const std::string etag = first.field("ETag").value();
  const ParsedResponse not_modified =
      serve("GET /s/digits.txt HTTP/1.1\r\nHost: x\r\nIf-None-Match: " + etag + "\r\n\r\n");
  EXPECT_EQ(not_modified.status, 304);
  EXPECT_EQ(not_modified.field("ETag"), etag);
  EXPECT_FALSE(not_modified.field("Content-Type"));
  EXPECT_EQ(serve("GET /s/digits.txt HTTP/1.1\r\nHost: x\r\nIf-Match: \"x\"\r\n\r\n").status, 412);
  const ParsedResponse part =
      serve("GET /s/digits.txt HTTP/1.1\r\nHost: x\r\nRange: bytes=2-4\r\n\r\n");
  EXPECT_EQ(part.status, 206);
  EXPECT_EQ(part.body, "234");
  EXPECT_EQ(part.field("Content-Range"), "bytes 2-4/10");
  const ParsedResponse none =
      serve("GET /s/digits.txt HTTP/1.1\r\nHost: x\r\nRange: bytes=20-\r\n\r\n");
  EXPECT_EQ(none.status, 416);
  EXPECT_EQ(none.field("Content-Range"), "bytes */10");
  const ParsedResponse stale = serve(
      "GET /s/digits.txt HTTP/1.1\r\nHost: x\r\nRange: bytes=2-4\r\n"
      "If-Range: \"old\"\r\n\r\n");
  EXPECT_EQ(stale.status, 200);
  EXPECT_EQ(stale.body, "0123456789");
  const ParsedResponse multi =
      serve("GET /s/digits.txt HTTP/1.1\r\nHost: x\r\nRange: bytes=0-1,8-\r\n\r\n");
  EXPECT_EQ(multi.status, 206);
  const std::string type = multi.field("Content-Type").value();
  ASSERT_TRUE(type.starts_with("multipart/byteranges; boundary="));
  const std::string boundary = type.substr(type.find('=') + 1);
  EXPECT_EQ(multi.body, "--" + boundary +
                            "\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Range: bytes "
                            "0-1/10\r\n\r\n01\r\n--" +
                            boundary +
                            "\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Range: bytes "
                            "8-9/10\r\n\r\n89\r\n--" +
                            boundary + "--\r\n");
}

}  // namespace
}  // namespace flotilla::gateway
