// The compression stage: which responses it compresses (types, wildcards, lengths, statuses,
// encoded, no-transform, HEAD), the head it leaves (Content-Encoding, Vary, no length, weak ETag,
// no Accept-Ranges), the negotiated coding, and a whole local answer through send_answer whose
// chunked body inflates to the original.
#include <gtest/gtest.h>
#include <zlib.h>

#include <string>

#include "../pipeline_test_support.hpp"
#include "gateway/pipeline/response_body.hpp"
#include "gateway/pipeline/serve_request.hpp"
#include "gateway/stages/stages.hpp"

namespace flotilla::gateway {
namespace {

using testing::parse_response;
using testing::PipelineHarness;

config::Compression defaults() {
  config::Compression c;
  c.enabled = true;
  return c;
}

struct Outcome {
  bool transformed = false;
  std::string lines;  // the edits' added lines
  BodyLength length = BodyLength::kKnown;
  bool drops_length = false;
};

// Runs the stage for a local answer whose head the producer made of `lines`.
Outcome run_stage(const config::Compression& config, std::string request, std::string lines,
                  int status = 200, std::uint64_t length = 5000,
                  BodyLength kind = BodyLength::kKnown) {
  PipelineHarness h;
  RequestContext& ctx = h.request(std::move(request));
  HeaderEdits& edits = ctx.scratch.response_edits;
  edits.add_lines(lines);
  ResponseHeadOut head;
  head.status = status;
  head.edits = &edits;
  head.length = kind;
  head.content_length = length;
  const auto stage = make_compression_stage(config);
  BodyTransformPtr transform = stage->start(ctx, head, edits);
  Outcome out;
  out.transformed = transform != nullptr;
  out.lines = std::string(edits.lines());
  out.length = head.length;
  out.drops_length = (edits.drop_ids() & http::header_bit(http::HeaderId::kContentLength)) != 0;
  return out;
}

const std::string kGzipGet = "GET / HTTP/1.1\r\nHost: h\r\nAccept-Encoding: gzip\r\n\r\n";
const std::string kJson = "Content-Type: application/json\r\n";

TEST(CompressionStage, CompressesAListedTypeAndEditsTheHead) {
  const Outcome out = run_stage(defaults(), kGzipGet, kJson + "ETag: \"v1\"\r\n");
  EXPECT_TRUE(out.transformed);
  EXPECT_EQ(out.length, BodyLength::kUnknown);
  EXPECT_TRUE(out.drops_length);
  EXPECT_EQ(out.lines, kJson +
                           "Vary: Accept-Encoding\r\n"
                           "Content-Encoding: gzip\r\n"
                           "ETag: W/\"v1\"\r\n");
}

TEST(CompressionStage, SkipRules) {
  const config::Compression c = defaults();
  // Not a listed type, no type at all: nothing, not even Vary.
  EXPECT_EQ(run_stage(c, kGzipGet, "Content-Type: image/png\r\n").lines,
            "Content-Type: image/png\r\n");
  EXPECT_FALSE(run_stage(c, kGzipGet, "").transformed);
  // Already encoded; no-transform.
  EXPECT_FALSE(run_stage(c, kGzipGet, kJson + "Content-Encoding: br\r\n").transformed);
  EXPECT_FALSE(
      run_stage(c, kGzipGet, kJson + "Cache-Control: public, no-transform\r\n").transformed);
  EXPECT_TRUE(run_stage(c, kGzipGet, kJson + "Content-Encoding: identity\r\n").transformed);
  // Statuses without a body to compress (or a partial one).
  for (const int status : {101, 204, 206, 304}) {
    EXPECT_FALSE(run_stage(c, kGzipGet, kJson, status).transformed) << status;
  }
  EXPECT_TRUE(run_stage(c, kGzipGet, kJson, 404).transformed);
  // Below min_length (known length) — but an unknown length is compressed.
  EXPECT_FALSE(run_stage(c, kGzipGet, kJson, 200, 999).transformed);
  EXPECT_TRUE(run_stage(c, kGzipGet, kJson, 200, 1000).transformed);
  EXPECT_TRUE(run_stage(c, kGzipGet, kJson, 200, 10, BodyLength::kUnknown).transformed);
  EXPECT_FALSE(run_stage(c, kGzipGet, kJson, 200, 0, BodyLength::kNone).transformed);
  // HEAD: the answer could differ (Vary), but there is no body to compress.
  const Outcome head =
      run_stage(c, "HEAD / HTTP/1.1\r\nHost: h\r\nAccept-Encoding: gzip\r\n\r\n", kJson);
  EXPECT_FALSE(head.transformed);
  EXPECT_EQ(head.lines, kJson + "Vary: Accept-Encoding\r\n");
}

// A 304 standing for a 200 the stage would compress: that 200's Vary and weak ETag, no coding.
TEST(CompressionStage, NotModifiedGetsTheVaryAndWeakTagOfItsTwoHundred) {
  const auto stage = make_compression_stage(defaults());
  const auto run = [&](const std::string& request, const std::string& lines) {
    PipelineHarness h;
    RequestContext& ctx = h.request(request);
    HeaderEdits& edits = ctx.scratch.response_edits;
    edits.add_lines(lines);
    ResponseHeadOut head;
    head.status = 200;
    head.edits = &edits;
    head.length = BodyLength::kKnown;
    head.content_length = 5000;
    compression_not_modified(*stage, ctx, head, edits);
    return std::string(edits.lines());
  };
  EXPECT_EQ(run(kGzipGet, kJson + "ETag: \"v1\"\r\n"),
            kJson + "Vary: Accept-Encoding\r\nETag: W/\"v1\"\r\n");
  EXPECT_EQ(run("GET / HTTP/1.1\r\nHost: h\r\n\r\n", kJson + "ETag: \"v1\"\r\n"),
            kJson + "ETag: \"v1\"\r\nVary: Accept-Encoding\r\n");
  EXPECT_EQ(run(kGzipGet, "Content-Type: image/png\r\nETag: \"v1\"\r\n"),
            "Content-Type: image/png\r\nETag: \"v1\"\r\n");
}

TEST(CompressionStage, VaryEvenWhenTheClientGetsIdentity) {
  const Outcome out = run_stage(defaults(), "GET / HTTP/1.1\r\nHost: h\r\n\r\n", kJson);
  EXPECT_FALSE(out.transformed);
  EXPECT_EQ(out.lines, kJson + "Vary: Accept-Encoding\r\n");
  // Not twice when the response already varies on it.
  const Outcome again =
      run_stage(defaults(), kGzipGet, kJson + "Vary: Origin, accept-encoding\r\n");
  EXPECT_TRUE(again.transformed);
  EXPECT_EQ(again.lines.find("Vary: Accept-Encoding"), std::string::npos);
}

TEST(CompressionStage, TypesWithParametersAndWildcards) {
  config::Compression c = defaults();
  c.types = {"text/*", "application/json"};
  EXPECT_TRUE(run_stage(c, kGzipGet, "Content-Type: text/csv; charset=utf-8\r\n").transformed);
  EXPECT_TRUE(run_stage(c, kGzipGet, "Content-Type: Application/JSON\r\n").transformed);
  EXPECT_FALSE(run_stage(c, kGzipGet, "Content-Type: application/xml\r\n").transformed);
  EXPECT_FALSE(run_stage(c, kGzipGet, "Content-Type: text\r\n").transformed);
}

TEST(CompressionStage, NegotiatesAmongTheEnabledCodings) {
  const std::string all =
      "GET / HTTP/1.1\r\nHost: h\r\nAccept-Encoding: gzip, deflate, br, zstd\r\n\r\n";
  EXPECT_NE(run_stage(defaults(), all, kJson).lines.find("Content-Encoding: br\r\n"),
            std::string::npos);
  config::Compression no_br = defaults();
  no_br.brotli = false;
  EXPECT_NE(run_stage(no_br, all, kJson).lines.find("Content-Encoding: zstd\r\n"),
            std::string::npos);
  config::Compression gzip_only = no_br;
  gzip_only.zstd = false;
  EXPECT_NE(run_stage(gzip_only, all, kJson).lines.find("Content-Encoding: gzip\r\n"),
            std::string::npos);
  const Outcome refused =
      run_stage(gzip_only, "GET / HTTP/1.1\r\nHost: h\r\nAccept-Encoding: br\r\n\r\n", kJson);
  EXPECT_FALSE(refused.transformed);
}

std::string gunzip(std::string_view in) {
  z_stream z{};
  inflateInit2(&z, 31);
  std::string out(1 << 20, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  const int rc = inflate(&z, Z_FINISH);
  EXPECT_EQ(rc, Z_STREAM_END);
  out.resize(out.size() - z.avail_out);
  inflateEnd(&z);
  return out;
}

// A local answer on a route with compression: the sink re-chunks the gzip stream.
TEST(CompressionStage, LocalAnswerGoesOutCompressedAndChunked) {
  PipelineHarness h;
  GatewaySnapshot snapshot;
  snapshot.listeners.emplace_back();
  snapshot.routes.emplace_back();
  snapshot.routes[0].proxy = false;
  snapshot.routes[0].chain.response_body.push_back(make_compression_stage(defaults()));
  snapshot.table = RouteTable({RouteKey{"", "/"}});
  RequestContext& ctx = h.request(kGzipGet, h.install(std::move(snapshot)));
  ctx.route = &ctx.snapshot->routes[0];
  std::string body;
  for (int i = 0; i < 400; ++i) body += "{\"n\":" + std::to_string(i) + ",\"v\":\"abc\"},";
  LocalAnswer answer;
  answer.status = 200;
  answer.body = body;
  answer.content_type = "application/json";
  h.run(send_answer(ctx, answer));
  const auto response = parse_response(h.written());
  ASSERT_TRUE(response.complete);
  EXPECT_EQ(response.field("Content-Encoding"), "gzip");
  EXPECT_EQ(response.field("Transfer-Encoding"), "chunked");
  EXPECT_FALSE(response.field("Content-Length"));
  EXPECT_EQ(response.field("Vary"), "Accept-Encoding");
  ASSERT_TRUE(response.body_complete);
  EXPECT_LT(response.body.size(), body.size() / 4);
  EXPECT_EQ(gunzip(response.body), body);
  EXPECT_EQ(h.worker().metrics().compression(http::ContentCoding::kGzip).responses, 1u);
  EXPECT_EQ(h.worker().metrics().compression(http::ContentCoding::kGzip).bytes_in, body.size());
  EXPECT_EQ(h.worker().metrics().compression(http::ContentCoding::kGzip).bytes_out,
            response.body.size());
}

TEST(CompressionStage, BuiltForRoutesByTheirOwnOrTheGlobalSetting) {
  const config::Spec spec = testing::load_spec(R"(
listen: [{ address: "127.0.0.1:8080" }]
upstreams: { app: { servers: ["127.0.0.1:1"] } }
compression: { min_length: 10 }
routes:
  - { match: { path: /off/ }, upstream: app, compression: false }
  - { match: { path: /gz/ }, upstream: app, compression: { brotli: false, zstd: false } }
  - { upstream: app }
)");
  std::vector<std::string> errors;
  EXPECT_TRUE(build_route(spec, spec.routes[0], errors).chain.response_body.empty());
  EXPECT_EQ(build_route(spec, spec.routes[1], errors).chain.response_body.size(), 1u);
  EXPECT_EQ(build_route(spec, spec.routes[2], errors).chain.response_body.size(), 1u);
  EXPECT_TRUE(errors.empty());
  ASSERT_TRUE(spec.routes[1].compression);
  EXPECT_EQ(spec.routes[1].compression->min_length, 10u);  // inherited
  EXPECT_FALSE(spec.routes[1].compression->brotli);
}

}  // namespace
}  // namespace flotilla::gateway
