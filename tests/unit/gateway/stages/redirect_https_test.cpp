// `redirect_https: true` on a plain listener: 301 for GET/HEAD, 308 for every other method, to
// https://host[:port]/target with the first TLS listener's port (443 left out), the host's own
// port dropped, IPv6 literals kept in brackets; the listener's health and ready paths first.
#include <gtest/gtest.h>

#include "../../tls/tls_test_support.hpp"
#include "../pipeline_test_support.hpp"
#include "gateway/pipeline/serve_request.hpp"
#include "gateway/stages/stages.hpp"

namespace flotilla::gateway {
namespace {

using testing::load_spec;
using testing::parse_response;
using testing::PipelineHarness;

struct Redirected {
  Verdict verdict;
  int status;
  std::string location;
};

Redirected ask_redirect(PipelineHarness& h, const RequestStage& stage, std::string raw) {
  RequestContext& ctx = h.request(std::move(raw));
  const Verdict verdict = stage.on_request(ctx);
  return {verdict, ctx.answer.status, std::string(ctx.answer.location)};
}

TEST(RedirectHttpsStage, SafeMethods301OthersKeepTheirMethodWith308) {
  PipelineHarness h;
  const auto stage = make_redirect_https_stage(8443);
  EXPECT_EQ(stage->name(), "redirect_https");
  const std::string target = " /a/b?x=1 HTTP/1.1\r\nHost: example.com\r\n";
  for (const char* method : {"GET", "HEAD"}) {
    const Redirected r = ask_redirect(h, *stage, method + target + "\r\n");
    EXPECT_EQ(r.verdict, Verdict::kAnswer) << method;
    EXPECT_EQ(r.status, 301) << method;
    EXPECT_EQ(r.location, "https://example.com:8443/a/b?x=1") << method;
  }
  for (const char* method : {"POST", "PUT", "DELETE", "PATCH", "OPTIONS", "PROPFIND"}) {
    const Redirected r = ask_redirect(h, *stage, method + target + "Content-Length: 0\r\n\r\n");
    EXPECT_EQ(r.verdict, Verdict::kAnswer) << method;
    EXPECT_EQ(r.status, 308) << method;  // RFC 9110 §15.4.9: method and body kept
    EXPECT_EQ(r.location, "https://example.com:8443/a/b?x=1") << method;
  }
}

TEST(RedirectHttpsStage, PortsAndHosts) {
  PipelineHarness h;
  const auto standard = make_redirect_https_stage(443);
  const auto other = make_redirect_https_stage(8443);
  // The port the client used is the plain listener's: it never carries over.
  EXPECT_EQ(
      ask_redirect(h, *standard, "GET /p HTTP/1.1\r\nHost: example.com:8080\r\n\r\n").location,
      "https://example.com/p");
  EXPECT_EQ(ask_redirect(h, *other, "GET /p HTTP/1.1\r\nHost: example.com:80\r\n\r\n").location,
            "https://example.com:8443/p");
  EXPECT_EQ(ask_redirect(h, *standard, "GET / HTTP/1.1\r\nHost: example.com.\r\n\r\n").location,
            "https://example.com/");
  EXPECT_EQ(
      ask_redirect(h, *other, "GET /v6 HTTP/1.1\r\nHost: [2001:db8::1]:8080\r\n\r\n").location,
      "https://[2001:db8::1]:8443/v6");
  EXPECT_EQ(ask_redirect(h, *standard, "GET /v6 HTTP/1.1\r\nHost: [::1]\r\n\r\n").location,
            "https://[::1]/v6");
  EXPECT_EQ(ask_redirect(h, *standard, "GET /ip HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n\r\n").location,
            "https://127.0.0.1/ip");
}

TEST(RedirectHttpsStage, AbsoluteFormTargetsGoInOriginForm) {
  PipelineHarness h;
  const auto stage = make_redirect_https_stage(8443);
  EXPECT_EQ(ask_redirect(h, *stage,
                         "GET http://origin.test:8080/p?q=1 HTTP/1.1\r\nHost: origin.test\r\n\r\n")
                .location,
            "https://origin.test:8443/p?q=1");
  EXPECT_EQ(ask_redirect(h, *stage, "GET http://origin.test HTTP/1.1\r\nHost: origin.test\r\n\r\n")
                .location,
            "https://origin.test:8443/");
}

// HTTP/1.0 may come without a Host: nowhere to redirect to.
TEST(RedirectHttpsStage, NoHostIs400) {
  PipelineHarness h;
  const auto stage = make_redirect_https_stage(443);
  RequestContext& ctx = h.request("GET /p HTTP/1.0\r\n\r\n");
  ASSERT_EQ(stage->on_request(ctx), Verdict::kAnswer);
  EXPECT_EQ(ctx.answer.status, 400);
  EXPECT_TRUE(ctx.answer.error);
  EXPECT_TRUE(ctx.answer.location.empty());
}

TEST(RedirectHttpsStage, OnTheWire) {
  PipelineHarness h;
  const auto stage = make_redirect_https_stage(8443);
  RequestContext& ctx = h.request("HEAD /a HTTP/1.1\r\nHost: h.test\r\n\r\n");
  ASSERT_EQ(stage->on_request(ctx), Verdict::kAnswer);
  h.run(send_answer(ctx, ctx.answer));
  const auto response = parse_response(h.written(), http::Method::kHead);
  ASSERT_TRUE(response.complete);
  EXPECT_EQ(response.status, 301);
  EXPECT_EQ(response.field("Location"), "https://h.test:8443/a");
  EXPECT_TRUE(response.rest.empty());
}

// The listener's chain: its own paths answered first, the rest redirected to the first TLS
// listener's port (its bound port for `:0` listeners); no TLS listener, no redirect.
TEST(RedirectHttpsStage, ListenerChainUsesTheTlsListenersPort) {
  config::Spec spec = load_spec(R"(
listen:
  - address: "127.0.0.1:0"
    health: /health
    ready: /ready
routes:
  - match: { path: / }
    redirect: { to: "https://elsewhere.test/" }
)");
  ASSERT_EQ(spec.listeners.size(), 1u);
  spec.listeners[0].redirect_https = true;
  config::Listener tls_listener;
  tls_listener.address.host = "127.0.0.1";
  tls_listener.address.port = 8443;
  // A certificate that loads: the builder makes the listener's TLS context.
  tls_listener.tls =
      tls::testing::server_settings({tls::testing::entry(tls::testing::pki().ecdsa)});
  spec.listeners.push_back(tls_listener);

  std::vector<std::string> errors;
  SnapshotBuilder builder(spec, errors);
  ASSERT_TRUE(errors.empty()) << errors.front();
  PipelineHarness h;
  auto snapshot = builder.build();
  ASSERT_EQ(snapshot->listeners.size(), 2u);
  const StageChain& plain = snapshot->listeners[0].chain;
  ASSERT_EQ(plain.request.size(), 3u);
  EXPECT_EQ(plain.request[0]->name(), "health");
  EXPECT_EQ(plain.request[1]->name(), "ready");
  EXPECT_EQ(plain.request[2]->name(), "redirect_https");
  EXPECT_TRUE(snapshot->listeners[1].chain.request.empty());
  EXPECT_EQ(ask_redirect(h, *plain.request[2], "GET /x HTTP/1.1\r\nHost: h\r\n\r\n").location,
            "https://h:8443/x");

  // Bound ports replace the configured ones.
  builder.set_bound_endpoints(
      {asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 40080),
       asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 40443)});
  snapshot = builder.build();
  h.install(snapshot);
  EXPECT_EQ(ask_redirect(h, *snapshot->listeners[0].chain.request[2],
                         "GET /x HTTP/1.1\r\nHost: h\r\n\r\n")
                .location,
            "https://h:40443/x");

  // The health path is answered, not redirected: through the whole pipeline.
  RequestContext& ctx = h.request("GET /health HTTP/1.1\r\nHost: h\r\n\r\n", snapshot.get());
  h.run(serve_request(ctx));
  const auto health = parse_response(h.written());
  EXPECT_EQ(health.status, 200);
  EXPECT_EQ(health.body, "healthy\n");
  RequestContext& other = h.request("GET /y HTTP/1.1\r\nHost: h\r\n\r\n", snapshot.get());
  h.run(serve_request(other));
  const auto redirected = parse_response(h.written());
  EXPECT_EQ(redirected.status, 301);
  EXPECT_EQ(redirected.field("Location"), "https://h:40443/y");

  // Without a TLS listener there is nowhere to redirect to.
  EXPECT_EQ(build_listener(spec.listeners[0], 0, nullptr).chain.request.size(), 2u);
}

}  // namespace
}  // namespace flotilla::gateway
