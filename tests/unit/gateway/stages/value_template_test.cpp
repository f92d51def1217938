// Expanding value templates per request: each variable as nginx means it ($host without port,
// $request_uri in origin-form), literals kept, appended to the caller's string; the request id
// kept from the client or generated once per request.
#include "gateway/stages/value_template.hpp"

#include <gtest/gtest.h>

#include "../pipeline_test_support.hpp"

namespace flotilla::gateway {
namespace {

using testing::PipelineHarness;
using testing::value_template;

std::string expand(RequestContext& ctx, std::string_view text) {
  std::string out;
  append_expanded(out, value_template(text), ctx);
  return out;
}

bool is_hex32(std::string_view id) {
  return id.size() == 32 && id.find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

TEST(ExpandValueTemplate, EachVariable) {
  PipelineHarness h;
  RequestContext& ctx =
      h.request("GET /a/b?x=1&y=2 HTTP/1.1\r\nHost: example.com:8080\r\n\r\n", nullptr, "10.1.2.3");
  EXPECT_EQ(expand(ctx, "$scheme"), "http");  // a plain listener
  EXPECT_EQ(expand(ctx, "$host"), "example.com");
  EXPECT_EQ(expand(ctx, "$remote_addr"), "10.1.2.3");
  EXPECT_EQ(expand(ctx, "$request_uri"), "/a/b?x=1&y=2");
  EXPECT_TRUE(is_hex32(expand(ctx, "$request_id"))) << expand(ctx, "$request_id");
}

TEST(ExpandValueTemplate, LiteralsAroundVariablesAndAppending) {
  PipelineHarness h;
  RequestContext& ctx = h.request("GET /p HTTP/1.1\r\nHost: h.test\r\n\r\n");
  EXPECT_EQ(expand(ctx, "$scheme://$host$request_uri#top"), "http://h.test/p#top");
  EXPECT_EQ(expand(ctx, "for=$remote_addr; cost=$5"), "for=192.0.2.7; cost=$5");
  EXPECT_EQ(expand(ctx, "plain"), "plain");
  EXPECT_EQ(expand(ctx, ""), "");
  std::string out = "kept:";
  append_expanded(out, value_template("$host"), ctx);
  EXPECT_EQ(out, "kept:h.test");
}

// RFC 9112 §3.2.2: the authority of an absolute-form target wins over Host, and the upstream
// (and $request_uri) see origin-form.
TEST(ExpandValueTemplate, AbsoluteFormTargets) {
  PipelineHarness h;
  RequestContext& ctx =
      h.request("GET http://origin.test:81/x/y?q=1 HTTP/1.1\r\nHost: origin.test:81\r\n\r\n");
  EXPECT_EQ(expand(ctx, "$host|$request_uri"), "origin.test|/x/y?q=1");
  RequestContext& bare =
      h.request("GET http://origin.test?q=1 HTTP/1.1\r\nHost: origin.test\r\n\r\n");
  EXPECT_EQ(expand(bare, "$request_uri"), "/?q=1");
  RequestContext& root =
      h.request("OPTIONS http://origin.test HTTP/1.1\r\nHost: origin.test\r\n\r\n");
  EXPECT_EQ(expand(root, "$request_uri"), "/");
}

// nginx's $host is lowercase (config/value_template.hpp promises the same).
TEST(ExpandValueTemplate, HostIsLowercase) {
  PipelineHarness h;
  RequestContext& ctx = h.request("GET / HTTP/1.1\r\nHost: WWW.Example.COM:8080\r\n\r\n");
  EXPECT_EQ(expand(ctx, "$host"), "www.example.com");
  RequestContext& absolute =
      h.request("GET http://Origin.TEST/ HTTP/1.1\r\nHost: Origin.TEST\r\n\r\n");
  EXPECT_EQ(expand(absolute, "$host"), "origin.test");
}

TEST(ExpandValueTemplate, RequestIdIsTheClientsOrOneGeneratedOnce) {
  PipelineHarness h;
  RequestContext& generated = h.request("GET / HTTP/1.1\r\nHost: h\r\n\r\n");
  const std::string first = expand(generated, "$request_id");
  EXPECT_TRUE(is_hex32(first)) << first;
  EXPECT_EQ(expand(generated, "$request_id"), first);  // the same for the whole request
  EXPECT_EQ(request_id(generated), first);
  EXPECT_EQ(generated.record.request_id, first);  // and the access log's

  RequestContext& next = h.request("GET / HTTP/1.1\r\nHost: h\r\n\r\n");
  EXPECT_NE(expand(next, "$request_id"), first);  // a new request, a new id

  RequestContext& kept = h.request("GET / HTTP/1.1\r\nHost: h\r\nX-Request-Id: abc-123\r\n\r\n");
  EXPECT_EQ(expand(kept, "id=$request_id"), "id=abc-123");

  // Named in Connection it is hop-by-hop: dropped, so the upstream needs a generated one.
  RequestContext& hop = h.request(
      "GET / HTTP/1.1\r\nHost: h\r\nConnection: X-Request-Id\r\nX-Request-Id: abc\r\n\r\n");
  EXPECT_TRUE(is_hex32(expand(hop, "$request_id")));
  RequestContext& empty = h.request("GET / HTTP/1.1\r\nHost: h\r\nX-Request-Id: \r\n\r\n");
  EXPECT_TRUE(is_hex32(expand(empty, "$request_id")));
}

TEST(HostWithoutPort, Forms) {
  EXPECT_EQ(host_without_port("example.com"), "example.com");
  EXPECT_EQ(host_without_port("example.com:8080"), "example.com");
  EXPECT_EQ(host_without_port("example.com."), "example.com");  // the root's dot
  EXPECT_EQ(host_without_port("example.com.:80"), "example.com");
  EXPECT_EQ(host_without_port("127.0.0.1:80"), "127.0.0.1");
  EXPECT_EQ(host_without_port("[::1]:8443"), "[::1]");
  EXPECT_EQ(host_without_port("[2001:db8::1]"), "[2001:db8::1]");
  EXPECT_EQ(host_without_port("[::1"), "[::1");  // malformed: left alone
  EXPECT_EQ(host_without_port("."), ".");
  EXPECT_EQ(host_without_port(""), "");
}

}  // namespace
}  // namespace flotilla::gateway
