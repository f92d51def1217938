// Fixtures for the request pipeline's unit tests: a real Worker on its own io_context, a real
// Downstream over a socketpair whose other end the test reads, a parsed request and the
// RequestContext H1Connection would build for it, with the real H1ResponseSink. Only the body
// source and the client-presence watch are stand-ins; nothing here imitates code under test.
#pragma once

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>
#include <chrono>
#include <exception>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "config/loader.hpp"
#include "config/value_template.hpp"
#include "gateway/downstream.hpp"
#include "gateway/h1/response_sink.hpp"
#include "gateway/pipeline/header_edits.hpp"
#include "gateway/pipeline/request_body.hpp"
#include "gateway/pipeline/request_context.hpp"
#include "gateway/request_target.hpp"
#include "gateway/route_path.hpp"
#include "gateway/snapshot_builder.hpp"
#include "gateway/worker.hpp"
#include "gateway/workspace.hpp"
#include "http/body_reader.hpp"
#include "http/response_parser.hpp"

namespace flotilla::gateway::testing {

// A request body in a fixed state: none (what most stage tests need), or one the client
// declared and nobody read (an answer made before the body closes the connection).
class FixedBody final : public RequestBody {
 public:
  bool unread = false;
  bool empty() const noexcept override { return !unread; }
  std::optional<std::uint64_t> length() const noexcept override {
    return unread ? std::optional<std::uint64_t>(5) : std::optional<std::uint64_t>(0);
  }
  net::Awaitable<int> prefetch() override { co_return 0; }
  std::string_view buffered() const noexcept override { return {}; }
  bool complete() const noexcept override { return !unread; }
  net::Awaitable<bool> begin_stream() override { co_return true; }
  net::Awaitable<BodyChunk> stream() override { co_return BodyChunk{{}, true, 0}; }
  void cancel_stream() noexcept override {}
  bool streamed() const noexcept override { return false; }
  bool consumed() const noexcept override { return !unread; }
  std::uint64_t bytes() const noexcept override { return 0; }
};

class StayingClient final : public ClientPresence {
 public:
  void watch_while_waiting(tls::Stream*) noexcept override {}
  bool client_gone() const noexcept override { return false; }
};

// A config value template, e.g. "$scheme://$host$request_uri".
inline config::ValueTemplate value_template(std::string_view text) {
  auto parsed = config::parse_value_template(text);
  if (!parsed) throw std::invalid_argument(std::string(text) + ": " + parsed.error());
  return std::move(parsed).value();
}

inline config::Spec load_spec(std::string_view yaml) {
  auto result = config::load_string(yaml, "test.yaml", "/tmp",
                                    [](std::string_view) { return std::optional<std::string>(); });
  for (const auto& e : result.errors) ADD_FAILURE() << config::format_diagnostic(e);
  if (!result.spec) throw std::invalid_argument("config did not load");
  return std::move(*result.spec);
}

inline bool same_name(std::string_view a, std::string_view b) {
  return same_header_name(a, b);
}

// One response as a client reads it, copied out of the bytes (views would dangle).
struct ParsedResponse {
  bool complete = false;  // the head parsed
  int status = 0;
  http::Version version = http::Version::kHttp11;
  http::BodyFraming framing = http::BodyFraming::kNone;
  std::string head;  // the raw head, final CRLF included
  std::vector<std::pair<std::string, std::string>> fields;
  std::string body;            // decoded payload
  bool body_complete = false;  // the framing ended within the bytes (or at the close)
  std::string rest;            // bytes after this message

  std::optional<std::string> field(std::string_view name) const {
    for (const auto& [n, v] : fields) {
      if (same_name(n, name)) return v;
    }
    return std::nullopt;
  }
  int count(std::string_view name) const {
    int n = 0;
    for (const auto& field : fields) n += same_name(field.first, name) ? 1 : 0;
    return n;
  }
};

// Parses one response out of `raw` with the repo's own parsers (the head with ResponseParser,
// the body with BodyReader); `closed`: the sender closed after `raw` (ends a close-delimited
// body). `method`: the request's (HEAD responses carry no body).
inline ParsedResponse parse_response(std::string_view raw, http::Method method = http::Method::kGet,
                                     bool closed = true) {
  ParsedResponse out;
  http::ResponseParser parser;
  parser.reset(method);
  const http::ParseResult parsed = parser.parse(raw);
  if (!parsed.complete()) return out;
  const http::ResponseHead& head = parser.head();
  out.complete = true;
  out.status = head.status;
  out.version = head.version;
  out.framing = head.framing;
  out.head.assign(raw.substr(0, parsed.consumed));
  for (const http::Header& h : head.headers) out.fields.emplace_back(h.name, h.value);
  std::string_view rest = raw.substr(parsed.consumed);
  http::BodyReader reader;
  reader.start(head.framing, head.content_length);
  while (!reader.done() && !rest.empty()) {
    const http::BodyStep step = reader.next(rest);
    if (step.failed()) return out;
    out.body.append(step.data);
    rest.remove_prefix(step.consumed);
    if (step.consumed == 0) break;
  }
  out.body_complete =
      reader.done() || (closed && reader.finish_at_eof() == http::ParseError::kNone);
  out.rest.assign(rest);
  return out;
}

// One request's world on one worker: the request path as H1Connection::begin_request sets it up.
class PipelineHarness {
 public:
  explicit PipelineHarness(ListenerSettings listener = {})
      : listener_(std::move(listener)), worker_(io_, 0, {}), ws_(listener_.limits) {
    int fds[2] = {-1, -1};
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds) != 0) {
      throw std::runtime_error("socketpair failed");
    }
    net::Socket socket(io_);
    socket.assign(asio::ip::tcp::v4(), fds[0]);
    peer_fd_ = fds[1];
    downstream_.emplace(std::move(socket),
                        asio::ip::tcp::endpoint(asio::ip::make_address("192.0.2.7"), 40000));
    sink_.emplace(*downstream_, ws_, worker_, listener_);
  }
  PipelineHarness(const PipelineHarness&) = delete;
  PipelineHarness& operator=(const PipelineHarness&) = delete;
  ~PipelineHarness() {
    ctx_.reset();
    if (peer_fd_ >= 0) ::close(peer_fd_);
  }

  // Parses `raw` (a whole request head, nothing after it) and makes the request's context as
  // H1Connection::begin_request does; the sink is started for the request's version and keep-alive.
  RequestContext& request(std::string raw, const GatewaySnapshot* snapshot = nullptr,
                          std::string_view client_ip = "192.0.2.7") {
    ctx_.reset();
    raw_ = std::move(raw);
    client_ip_.assign(client_ip);
    ws_.parser.reset();
    const http::ParseResult parsed = ws_.parser.parse(raw_);
    if (!parsed.complete()) throw std::invalid_argument("request did not parse: " + raw_);
    const http::RequestHead& head = ws_.parser.head();
    sink_->start(head.version, head.keep_alive, head.method == http::Method::kHead, &ws_.record);
    ws_.record.begin(std::chrono::steady_clock::now());
    ws_.scratch.request_id.clear();
    ws_.scratch.upstream_edits.clear();
    ws_.scratch.response_edits.clear();
    ctx_.emplace(
        RequestContext{.worker = worker_,
                       .listener = listener_,
                       .snapshot = snapshot,
                       .listener_index = 0,
                       .head = head,
                       .path = route_path(request_path(head), ws_.route_path),
                       .downstream = *downstream_,
                       .client_ip = client_ip_,
                       .client = net::IpAddress::parse(client_ip_).value_or(net::IpAddress{}),
                       .body = body_,
                       .sink = *sink_,
                       .presence = presence_,
                       .ws = ws_,
                       .scratch = ws_.scratch,
                       .record = ws_.record,
                       .json_errors = false,
                       .route = nullptr,
                       .route_index = UINT32_MAX,
                       .answer = {}});
    return *ctx_;
  }

  // Installs `snapshot` in the worker (which keeps per-route state for it) and returns it, for
  // request(): what serve_request routes by.
  const GatewaySnapshot* install(GatewaySnapshot snapshot) {
    worker_.install(std::make_shared<const GatewaySnapshot>(std::move(snapshot)));
    return worker_.snapshot().get();
  }
  const GatewaySnapshot* install(SnapshotPtr snapshot) {
    worker_.install(std::move(snapshot));
    return worker_.snapshot().get();
  }

  // Runs `work` on the worker's io_context to its end (at most 5 s).
  void run(net::Awaitable<void> work) {
    bool done = false;
    std::exception_ptr error;
    asio::co_spawn(io_.get_executor(), std::move(work), [&](std::exception_ptr e) {
      error = e;
      done = true;
    });
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (!done && std::chrono::steady_clock::now() < deadline) {
      io_.run_one_for(std::chrono::milliseconds(50));
    }
    if (!done) throw std::runtime_error("the coroutine did not finish within 5 s");
    if (error) std::rethrow_exception(error);
  }

  // Everything the gateway wrote to the client so far (consumed: the next call starts after).
  std::string written() {
    std::string out;
    char buffer[4096];
    for (int i = 0; i < 4096; ++i) {
      const ssize_t n = ::read(peer_fd_, buffer, sizeof buffer);
      if (n <= 0) break;
      out.append(buffer, static_cast<std::size_t>(n));
    }
    return out;
  }

  asio::io_context& io() noexcept { return io_; }
  Worker& worker() noexcept { return worker_; }
  Workspace& ws() noexcept { return ws_; }
  H1ResponseSink& sink() noexcept { return *sink_; }
  FixedBody& body() noexcept { return body_; }
  RequestContext& ctx() { return *ctx_; }
  const ListenerSettings& listener() const noexcept { return listener_; }

 private:
  asio::io_context io_;  // first in, last out: everything below is bound to it
  ListenerSettings listener_;
  Worker worker_;
  Workspace ws_;
  std::optional<Downstream> downstream_;
  std::optional<H1ResponseSink> sink_;
  FixedBody body_;
  StayingClient presence_;
  std::string raw_;
  std::string client_ip_;
  std::optional<RequestContext> ctx_;
  int peer_fd_ = -1;
};

}  // namespace flotilla::gateway::testing
