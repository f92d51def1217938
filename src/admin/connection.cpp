// The admin connection's request loop, top to bottom: read a head, check who is asking, read a
// bounded body, route, answer, repeat. Timeouts race each read and write against one timer
// (Asio's awaitable `||`), so every wait has a deadline and close() ends them all at once.
#include "admin/connection.hpp"

#include <algorithm>
#include <cstring>

#include <spdlog/spdlog.h>
#include <asio/experimental/as_tuple.hpp>
#include <asio/experimental/awaitable_operators.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>

#include "http/body_reader.hpp"
#include "http/char_class.hpp"
#include "http/query_string.hpp"
#include "http/simple_response_head.hpp"

namespace flotilla::admin {
namespace {

using namespace asio::experimental::awaitable_operators;

constexpr auto kNoThrow = asio::experimental::as_tuple(asio::use_awaitable);
// Holds a whole head (the parser's limits are 8 KiB + 8 KiB) and body bytes as they arrive.
constexpr std::size_t kBufferSize = 64 * 1024;
constexpr std::string_view kServerName = "flotilla";
// After an answer that closes the connection, unread request bytes are discarded for this long
// so that the close does not become a reset that could destroy the answer (lingering close).
constexpr std::chrono::seconds kLingerTime{1};
constexpr std::size_t kLingerBytes = 256 * 1024;

std::map<std::string, std::string> parse_query(std::string_view query) {
  std::map<std::string, std::string> params;
  while (!query.empty()) {
    const std::size_t amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
    if (pair.empty()) continue;
    const std::size_t eq = pair.find('=');
    auto name = http::percent_decode(pair.substr(0, eq));
    auto value = http::percent_decode(eq == std::string_view::npos ? "" : pair.substr(eq + 1));
    if (!name || !value) continue;  // a malformed escape: as if the parameter were absent
    params.emplace(std::move(*name), std::move(*value));
  }
  return params;
}

AdminRequest make_request(const http::RequestHead& head) {
  AdminRequest request;
  request.method = std::string(head.method_text);
  const http::TargetParts target = http::split_target(head.target);
  request.path = std::string(target.path);
  request.query = parse_query(target.query);
  request.headers.reserve(head.headers.size());
  for (const http::Header& header : head.headers) {
    request.headers.emplace_back(std::string(header.name), std::string(header.value));
  }
  return request;
}

}  // namespace

Connection::Connection(Socket socket, bool unix_socket, std::string peer,
                       std::shared_ptr<ServerContext> context)
    : socket_(std::move(socket)),
      timer_(socket_.get_executor()),
      context_(std::move(context)),
      buffer_(kBufferSize),
      peer_(std::move(peer)),
      unix_socket_(unix_socket) {}

asio::awaitable<void> Connection::run() {
  Outcome outcome = Outcome::kKeepAlive;
  while (outcome == Outcome::kKeepAlive) {
    try {
      outcome = co_await serve_one();
    } catch (const std::exception& e) {
      spdlog::debug("admin: connection error: {}", e.what());
      outcome = Outcome::kClose;
    }
  }
  if (outcome == Outcome::kLingerClose) co_await linger_close();
  close();
}

void Connection::close() noexcept {
  closed_ = true;
  std::error_code ignored;
  timer_.cancel();
  socket_.shutdown(Socket::shutdown_both, ignored);
  socket_.close(ignored);
}

// g++ 12 miscompiles a co_await that is itself an `if`/`while` condition: every awaited result
// in this file is named first, then tested.
asio::awaitable<Connection::Outcome> Connection::serve_one() {
  const ServerOptions& options = context_->options;
  parser_.reset();
  http::ParseResult result = parser_.parse(buffered());
  Clock::time_point head_deadline = Clock::time_point::max();
  while (result.incomplete()) {
    if (context_->stopping || closed_) co_return Outcome::kClose;
    const bool idle = buffered().empty();
    if (!idle && head_deadline == Clock::time_point::max()) {
      head_deadline = Clock::now() + options.header_timeout;
    }
    const std::error_code ec =
        co_await read_more(idle ? Clock::now() + options.idle_timeout : head_deadline);
    if (ec) co_return Outcome::kClose;  // EOF, reset, timeout or close(): nothing to answer
    result = parser_.parse(buffered());
  }
  if (result.failed()) {
    const int status = result.http_status != 0 ? result.http_status : 400;
    co_await respond(error_response(status, http::to_string(result.error)), false, false);
    co_return Outcome::kLingerClose;
  }

  const http::RequestHead& head = parser_.head();
  AdminRequest request = make_request(head);
  const bool head_only = head.method == http::Method::kHead;
  const bool keep_alive = head.keep_alive;
  const http::BodyFraming framing = head.framing;
  const std::uint64_t content_length = head.content_length;
  const bool expect_continue = head.expect_continue;
  http10_peer_ = head.version == http::Version::kHttp10;

  // Who is asking, from the head alone: a refused request's body is never read.
  const AuthVerdict verdict =
      context_->auth.check(request.method, unix_socket_, request.header("Authorization"));
  if (!verdict.allowed) {
    spdlog::warn("admin: refused {} {} from {}: {}", request.method, request.path, peer_,
                 verdict.reason);
    AdminResponse refused = error_response(401, verdict.reason);
    refused.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"flotilla\"");
    co_await respond(refused, head_only, false);
    co_return Outcome::kLingerClose;
  }
  request.trusted = verdict.trusted;
  if (framing == http::BodyFraming::kContentLength && content_length > options.max_body) {
    co_await respond(
        error_response(413, fmt::format("request body over {} bytes", options.max_body)), head_only,
        false);
    co_return Outcome::kLingerClose;
  }

  consume(result.consumed);  // the head's views are invalid from here on
  const bool body_pending =
      framing == http::BodyFraming::kChunked ||
      (framing == http::BodyFraming::kContentLength && buffered().size() < content_length);
  if (expect_continue && body_pending) {
    constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
    const std::error_code ec = co_await write(kContinue, {});
    if (ec) co_return Outcome::kClose;
  }
  std::optional<AdminResponse> body_error = co_await read_body(framing, content_length, request);
  if (body_error) {
    if (body_error->status == 0) co_return Outcome::kClose;  // the peer went away
    co_await respond(*body_error, head_only, false);
    co_return Outcome::kLingerClose;
  }

  AdminResponse response;
  try {
    response = co_await context_->router.dispatch(request);
  } catch (const std::exception& e) {
    spdlog::error("admin: {} {}: {}", request.method, request.path, e.what());
    response = error_response(500, fmt::format("internal error: {}", e.what()));
  }
  // Changes are the audit trail of the fleet: who changed what, with what outcome.
  if (request.method != "GET" && request.method != "HEAD") {
    spdlog::info("admin: {} {} from {} → {}", request.method, request.path, peer_, response.status);
  }
  const bool keep = keep_alive && !context_->stopping && !closed_;
  const std::error_code ec = co_await respond(response, head_only, keep);
  if (ec) co_return Outcome::kClose;
  co_return keep ? Outcome::kKeepAlive : Outcome::kLingerClose;
}

asio::awaitable<std::optional<AdminResponse>> Connection::read_body(http::BodyFraming framing,
                                                                    std::uint64_t content_length,
                                                                    AdminRequest& request) {
  const ServerOptions& options = context_->options;
  http::BodyReader reader;
  reader.start(framing, content_length);
  if (framing == http::BodyFraming::kContentLength) {
    request.body.reserve(static_cast<std::size_t>(content_length));
  }
  const Clock::time_point deadline = Clock::now() + options.body_timeout;
  while (!reader.done()) {
    const http::BodyStep step = reader.next(buffered());
    if (step.failed()) co_return error_response(400, http::to_string(step.error));
    if (request.body.size() + step.data.size() > options.max_body) {
      co_return error_response(413, fmt::format("request body over {} bytes", options.max_body));
    }
    request.body.append(step.data);
    consume(step.consumed);
    if (step.done || step.consumed > 0) continue;
    const std::error_code ec = co_await read_more(deadline);
    if (ec) co_return AdminResponse{0, {}, {}, {}};
  }
  co_return std::nullopt;
}

asio::awaitable<std::error_code> Connection::respond(const AdminResponse& response, bool head_only,
                                                     bool keep_alive) {
  std::vector<http::FieldView> fields;
  fields.reserve(response.headers.size() + 1);
  // API answers are live state: never cached, unless the handler says otherwise (the
  // dashboard's versioned assets).
  const bool own_cache_control = std::any_of(
      response.headers.begin(), response.headers.end(),
      [](const auto& field) { return http::detail::iequals(field.first, "cache-control"); });
  if (!own_cache_control) fields.push_back({"Cache-Control", "no-store"});
  for (const auto& [name, value] : response.headers) fields.push_back({name, value});
  http::ResponseHeadSpec spec;
  spec.status = response.status;
  spec.content_length = response.body.size();
  spec.content_type = response.content_type;
  spec.server = kServerName;
  spec.fields = fields;
  spec.keep_alive = keep_alive;
  spec.http10_peer = http10_peer_;
  const std::string head = http::format_response_head(spec);
  co_return co_await write(head, head_only ? std::string_view{} : std::string_view(response.body));
}

asio::awaitable<void> Connection::linger_close() {
  if (closed_) co_return;
  std::error_code ec;
  socket_.shutdown(Socket::shutdown_send, ec);
  const Clock::time_point until = Clock::now() + kLingerTime;
  std::size_t discarded = 0;
  while (!ec && !closed_ && discarded < kLingerBytes) {
    begin_ = end_ = 0;
    ec = co_await read_more(until);
    discarded += end_;
  }
}

void Connection::consume(std::size_t n) noexcept {
  begin_ += std::min(n, end_ - begin_);
  if (begin_ == end_) begin_ = end_ = 0;
}

asio::awaitable<std::error_code> Connection::read_more(Clock::time_point deadline) {
  if (begin_ > 0) {
    std::memmove(buffer_.data(), buffer_.data() + begin_, end_ - begin_);
    end_ -= begin_;
    begin_ = 0;
  }
  if (end_ == buffer_.size()) co_return make_error_code(asio::error::no_buffer_space);
  if (closed_) co_return make_error_code(asio::error::operation_aborted);
  timer_.expires_at(deadline);
  auto result =
      co_await (socket_.async_read_some(asio::buffer(buffer_.data() + end_, buffer_.size() - end_),
                                        kNoThrow) ||
                timer_.async_wait(kNoThrow));
  if (result.index() == 1) co_return make_error_code(asio::error::timed_out);
  const auto [ec, n] = std::get<0>(result);
  end_ += n;
  co_return ec;
}

asio::awaitable<std::error_code> Connection::write(std::string_view head, std::string_view body) {
  if (closed_) co_return make_error_code(asio::error::operation_aborted);
  const std::array<asio::const_buffer, 2> buffers{asio::buffer(head), asio::buffer(body)};
  timer_.expires_after(context_->options.write_timeout);
  auto result =
      co_await (asio::async_write(socket_, buffers, kNoThrow) || timer_.async_wait(kNoThrow));
  if (result.index() == 1) co_return make_error_code(asio::error::timed_out);
  co_return std::get<0>(std::get<0>(result));
}

}  // namespace flotilla::admin
