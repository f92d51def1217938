// `headers:` rules on the request sent upstream and on every response: remove, then set
// (replacing received fields and earlier lines of the name), then add, values expanded with
// $host, $remote_addr, $request_id and $scheme; listener rules before the route's.
#include <gtest/gtest.h>

#include "../pipeline_test_support.hpp"
#include "gateway/pipeline/serve_request.hpp"
#include "gateway/stages/stages.hpp"

namespace flotilla::gateway {
namespace {

using testing::parse_response;
using testing::PipelineHarness;
using testing::value_template;

config::HeaderEdit edit(std::string name, std::string_view value) {
  return config::HeaderEdit{std::move(name), value_template(value)};
}

std::string names(std::span<const std::string_view> list) {
  std::string out;
  for (const std::string_view name : list) out += std::string(name) + ";";
  return out;
}

config::HeaderRuleSet every_variable() {
  config::HeaderRuleSet rules;
  rules.set.push_back(edit("X-Host", "$host"));
  rules.set.push_back(edit("X-Client", "$remote_addr"));
  rules.add.push_back(edit("X-Trace", "$request_id"));
  rules.add.push_back(edit("X-Proto", "$scheme"));
  rules.remove.push_back("X-Internal");
  return rules;
}

TEST(RequestHeaderRules, SetAddRemoveWithVariables) {
  PipelineHarness h;
  const auto stage = make_request_header_rules(every_variable());
  EXPECT_EQ(stage->name(), "request_headers");
  RequestContext& ctx = h.request(
      "GET / HTTP/1.1\r\nHost: api.test:8080\r\nX-Request-Id: rid-1\r\nX-Internal: 1\r\n\r\n",
      nullptr, "198.51.100.9");
  HeaderEdits& edits = ctx.scratch.upstream_edits;
  stage->on_upstream_request(ctx, edits);
  EXPECT_EQ(edits.lines(),
            "X-Host: api.test\r\nX-Client: 198.51.100.9\r\nX-Trace: rid-1\r\nX-Proto: http\r\n");
  // remove and set both drop the received fields of their names.
  EXPECT_EQ(names(edits.drop_names()), "X-Internal;X-Host;X-Client;");
}

// set replaces what the proxy (or an outer rule) added before; add appends beside it.
TEST(RequestHeaderRules, SetReplacesEarlierLinesAddAppends) {
  PipelineHarness h;
  config::HeaderRuleSet rules;
  rules.set.push_back(edit("X-Forwarded-Proto", "https"));
  rules.add.push_back(edit("X-Tag", "route"));
  rules.remove.push_back("Via");
  const auto stage = make_request_header_rules(rules);
  RequestContext& ctx = h.request("GET / HTTP/1.1\r\nHost: h\r\n\r\n");
  HeaderEdits edits;
  edits.add("Via", "1.1 flotilla");
  edits.add("X-Forwarded-Proto", "http");
  edits.add("X-Tag", "listener");
  stage->on_upstream_request(ctx, edits);
  EXPECT_EQ(edits.lines(), "X-Tag: listener\r\nX-Forwarded-Proto: https\r\nX-Tag: route\r\n");
  EXPECT_EQ(edits.drop_ids(), http::header_bit(http::HeaderId::kVia) |
                                  http::header_bit(http::HeaderId::kXForwardedProto));
}

TEST(RequestHeaderRules, RequestIdIsTheOneTheRequestKeeps) {
  PipelineHarness h;
  config::HeaderRuleSet rules;
  rules.add.push_back(edit("X-A", "$request_id"));
  rules.add.push_back(edit("X-B", "id=$request_id"));
  const auto stage = make_request_header_rules(rules);
  RequestContext& ctx = h.request("GET / HTTP/1.1\r\nHost: h\r\n\r\n");
  HeaderEdits edits;
  stage->on_upstream_request(ctx, edits);
  const std::string id(request_id(ctx));
  ASSERT_EQ(id.size(), 32u);
  EXPECT_EQ(edits.lines(), "X-A: " + id + "\r\nX-B: id=" + id + "\r\n");
}

TEST(ResponseHeaderRules, SetAddRemoveWithVariables) {
  PipelineHarness h;
  const auto stage = make_response_header_rules(every_variable());
  EXPECT_EQ(stage->name(), "response_headers");
  RequestContext& ctx = h.request("GET / HTTP/1.1\r\nHost: www.test\r\nX-Request-Id: rid-2\r\n\r\n",
                                  nullptr, "2001:db8::7");
  HeaderEdits edits;
  stage->on_response_head(ctx, 200, edits);
  EXPECT_EQ(edits.lines(),
            "X-Host: www.test\r\nX-Client: 2001:db8::7\r\nX-Trace: rid-2\r\nX-Proto: http\r\n");
  EXPECT_EQ(names(edits.drop_names()), "X-Internal;X-Host;X-Client;");
}

// On the wire, through serve_request: the listener's rules run first, then the route's (the
// inner rule wins, as in nginx); an answer's own headers can be replaced by a rule.
TEST(ResponseHeaderRules, ListenerThenRouteOnAnAnswer) {
  config::HeaderRuleSet listener_rules;
  listener_rules.set.push_back(edit("X-Frame-Options", "DENY"));
  listener_rules.add.push_back(edit("X-Served-By", "edge"));
  config::HeaderRuleSet route_rules;
  route_rules.set.push_back(edit("X-Frame-Options", "SAMEORIGIN"));
  route_rules.set.push_back(edit("Content-Type", "text/html"));
  route_rules.add.push_back(edit("X-Request", "$scheme://$host for $remote_addr"));

  GatewaySnapshot snapshot;
  snapshot.listeners.emplace_back();
  snapshot.listeners[0].chain.response_head.push_back(make_response_header_rules(listener_rules));
  config::RedirectAction to;
  to.to = value_template("https://$host/");
  snapshot.routes.emplace_back();
  snapshot.routes[0].proxy = false;
  snapshot.routes[0].chain.request.push_back(make_redirect_stage(to));
  snapshot.routes[0].chain.response_head.push_back(make_response_header_rules(route_rules));
  snapshot.table = RouteTable({RouteKey{"", "/"}});

  PipelineHarness h;
  RequestContext& ctx =
      h.request("GET /x HTTP/1.1\r\nHost: h.test\r\n\r\n", h.install(std::move(snapshot)));
  h.run(serve_request(ctx));
  const auto response = parse_response(h.written());
  ASSERT_TRUE(response.complete);
  EXPECT_EQ(response.status, 301);
  EXPECT_EQ(response.field("Location"), "https://h.test/");
  EXPECT_EQ(response.field("X-Frame-Options"), "SAMEORIGIN");
  EXPECT_EQ(response.count("X-Frame-Options"), 1);
  EXPECT_EQ(response.field("X-Served-By"), "edge");
  EXPECT_EQ(response.field("Content-Type"), "text/html");
  EXPECT_EQ(response.count("Content-Type"), 1);
  EXPECT_EQ(response.field("X-Request"), "http://h.test for 192.0.2.7");
}

// Server and Date of an answer the gateway makes are fields like any other: a rule that sets
// or removes them leaves one field or none, never two.
TEST(ResponseHeaderRules, ServerAndDateOfLocalAnswers) {
  config::HeaderRuleSet rules;
  rules.set.push_back(edit("Server", "edge"));
  rules.remove.push_back("Date");
  GatewaySnapshot snapshot;
  snapshot.listeners.emplace_back();
  snapshot.listeners[0].chain.response_head.push_back(make_response_header_rules(rules));

  PipelineHarness h;
  RequestContext& ctx =
      h.request("GET /none HTTP/1.1\r\nHost: h\r\n\r\n", h.install(std::move(snapshot)));
  h.run(serve_request(ctx));  // no route: 404
  const auto response = parse_response(h.written());
  ASSERT_TRUE(response.complete);
  EXPECT_EQ(response.status, 404);
  EXPECT_EQ(response.count("Server"), 1) << response.head;
  EXPECT_EQ(response.field("Server"), "edge");
  EXPECT_EQ(response.count("Date"), 0) << response.head;
}

}  // namespace
}  // namespace flotilla::gateway
