// A route's `rate_limit`: counts the request under its key in the limit's shared table and lets
// it through, holds it (delay mode) or answers `status` with Retry-After and the IETF RateLimit
// headers. Never locks: the table is lock-free; the delay is a timer on the request's own worker.
#include <asio/this_coro.hpp>

#include <fmt/format.h>

#include "gateway/hash_key.hpp"
#include "gateway/pipeline/request_context.hpp"
#include "gateway/stages/stages.hpp"
#include "http/ascii.hpp"
#include "ratelimit/client_key.hpp"
#include "ratelimit/limiter.hpp"

namespace flotilla::gateway {
namespace {

using config::RateLimitKeyKind;
using ratelimit::Micros;

constexpr Micros kSecond = 1'000'000;

std::string_view header_value(const http::RequestHead& head, std::string_view name) {
  for (const http::Header& header : head.headers) {
    if (http::ascii_iequals(header.name, name)) return header.value;
  }
  return {};
}

std::string_view cookie_value(const http::RequestHead& head, std::string_view name) {
  for (const http::Header& header : head.headers) {
    if (header.id != http::HeaderId::kCookie) continue;
    if (const auto value = find_cookie(header.value, name); !value.empty()) return value;
  }
  return {};
}

// `Authorization: Bearer TOKEN`, else `X-Api-Key`.
std::string_view api_key(const http::RequestHead& head) {
  constexpr std::string_view kBearer = "bearer ";
  for (const http::Header& header : head.headers) {
    if (header.id != http::HeaderId::kAuthorization || header.value.size() <= kBearer.size()) {
      continue;
    }
    if (http::ascii_iequals(header.value.substr(0, kBearer.size()), kBearer)) {
      return header.value.substr(kBearer.size());
    }
  }
  return header_value(head, "x-api-key");
}

// A structured-field string: the limit's name in RateLimit-Policy and RateLimit.
std::string sf_string(std::string_view text) {
  std::string out = "\"";
  for (const char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    if (c >= 0x20 && c < 0x7f) out += c;
  }
  out += '"';
  return out;
}

std::string json_string(std::string_view text) {
  std::string out = "\"";
  for (const char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    if (c >= 0x20 && c < 0x7f) out += c;
  }
  out += '"';
  return out;
}

Micros seconds_up(Micros us) {
  return (us + kSecond - 1) / kSecond;
}

// Gives the delay queue's place back however the waiting coroutine ends (timer or teardown).
struct DelaySlot {
  ratelimit::Limiter* limiter;
  ~DelaySlot() { limiter->leave_delay(); }
};

class RateLimitStage final : public RequestStage {
 public:
  RateLimitStage(const config::RateLimit& config, std::string name,
                 std::shared_ptr<ratelimit::Limiter> limiter)
      : config_(config), name_(std::move(name)), limiter_(std::move(limiter)) {
    const Micros period =
        std::chrono::duration_cast<std::chrono::microseconds>(config.per_client.period).count();
    policy_line_ = fmt::format("RateLimit-Policy: {};q={};w={}\r\n", sf_string(name_),
                               config.per_client.count, std::max<Micros>(seconds_up(period), 1));
    quoted_name_ = sf_string(name_);
    json_name_ = json_string(name_);
    client_only_ = config.key.size() == 1 && config.key[0].kind == RateLimitKeyKind::client;
  }

  std::string_view name() const noexcept override { return "rate_limit"; }

  Verdict on_request(RequestContext& ctx) const override {
    std::string& key = ctx.scratch.text;
    key.clear();
    build_key(ctx, key);
    const ratelimit::Decision decision =
        limiter_->acquire(ratelimit::hash_key(key), ratelimit::monotonic_micros());
    if (decision.allowed && decision.delay == 0) return Verdict::kContinue;
    ctx.record.rate_limit = name_;
    if (config_.dry_run) return Verdict::kContinue;
    if (decision.allowed) {
      if (limiter_->enter_delay()) {
        ctx.scratch.delay_us = decision.delay;
        return Verdict::kAsync;
      }
      // The queue is full: refuse, telling the client when its turn would have been.
      ratelimit::Decision refused = decision;
      refused.retry_after = decision.delay;
      refused.remaining = 0;
      return refuse(ctx, refused);
    }
    return refuse(ctx, decision);
  }

  net::Awaitable<Verdict> on_request_async(RequestContext& ctx) const override {
    const DelaySlot slot{limiter_.get()};
    net::Timer timer(co_await asio::this_coro::executor);
    timer.expires_after(std::chrono::microseconds(ctx.scratch.delay_us));
    auto [ec] = co_await timer.async_wait(net::use_nothrow_io);
    (void)ec;
    co_return Verdict::kContinue;
  }

 private:
  void build_key(const RequestContext& ctx, std::string& key) const {
    if (client_only_) {
      ratelimit::append_client_address(key, ctx.client_ip);
      return;
    }
    for (const config::RateLimitKeyPart& part : config_.key) {
      switch (part.kind) {
        case RateLimitKeyKind::client:
          ratelimit::append_client_address(key, ctx.client_ip);
          break;
        case RateLimitKeyKind::header:
          ratelimit::append_text(key, header_value(ctx.head, part.name));
          break;
        case RateLimitKeyKind::cookie:
          ratelimit::append_text(key, cookie_value(ctx.head, part.name));
          break;
        case RateLimitKeyKind::api_key:
          ratelimit::append_text(key, api_key(ctx.head));
          break;
      }
    }
  }

  // The answer: header lines first, then the body, both in the request's scratch text.
  Verdict refuse(RequestContext& ctx, const ratelimit::Decision& decision) const {
    const Micros retry_after = std::max<Micros>(seconds_up(decision.retry_after), 1);
    std::string& text = ctx.scratch.text;
    text.clear();
    text += policy_line_;
    fmt::format_to(std::back_inserter(text), "RateLimit: {};r={};t={}\r\n", quoted_name_,
                   decision.remaining, retry_after);
    const std::size_t lines = text.size();
    if (config_.format == config::RateLimitFormat::json) {
      fmt::format_to(
          std::back_inserter(text),
          "{{\"error\":\"rate limited\",\"status\":{},\"limit\":{},\"retry_after\":{}}}\n",
          config_.status, json_name_, retry_after);
    } else {
      fmt::format_to(
          std::back_inserter(text),
          "Too many requests: limit {} allows {} per {}s; retry after {}s\n", quoted_name_,
          config_.per_client.count,
          std::chrono::duration_cast<std::chrono::seconds>(config_.per_client.period).count(),
          retry_after);
    }
    ctx.answer = LocalAnswer{};
    ctx.answer.status = config_.status;
    ctx.answer.retry_after_seconds = static_cast<int>(retry_after);
    ctx.answer.extra_lines = std::string_view(text).substr(0, lines);
    ctx.answer.body = std::string_view(text).substr(lines);
    ctx.answer.content_type = config_.format == config::RateLimitFormat::json
                                  ? std::string_view("application/json")
                                  : std::string_view("text/plain; charset=utf-8");
    return Verdict::kAnswer;
  }

  config::RateLimit config_;
  std::string name_;
  std::shared_ptr<ratelimit::Limiter> limiter_;
  std::string policy_line_;
  std::string quoted_name_;
  std::string json_name_;
  bool client_only_ = true;
};

}  // namespace

std::shared_ptr<const RequestStage> make_rate_limit_stage(const config::RateLimit& config,
                                                          std::string name) {
  const Micros period =
      std::chrono::duration_cast<std::chrono::microseconds>(config.per_client.period).count();
  const ratelimit::GcraParams params = ratelimit::make_params(
      config.per_client.count, period, config.burst, config.mode == config::RateLimitMode::delay);
  auto limiter = ratelimit::shared_limiter(name, params);
  return std::make_shared<RateLimitStage>(config, std::move(name), std::move(limiter));
}

}  // namespace flotilla::gateway
