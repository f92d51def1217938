#include "gateway/client_session.hpp"

#include <cstring>

#include <asio/write.hpp>

#include "gateway/async.hpp"
#include "gateway/error_response.hpp"
#include "gateway/proxy_exchange.hpp"
#include "gateway/request_target.hpp"
#include "gateway/worker.hpp"

namespace flotilla::gateway {

ClientSession::ClientSession(Worker& worker, asio::ip::tcp::socket socket,
                             std::uint32_t listener_index)
    : worker_(worker),
      socket_(std::move(socket)),
      watchdog_(socket_.get_executor(),
                [this] {
                  std::error_code ignored;
                  socket_.close(ignored);
                }),
      listener_index_(listener_index) {
  std::error_code ec;
  const auto remote = socket_.remote_endpoint(ec);
  if (!ec) {
    const std::string ip = remote.address().to_string();
    client_ip_size_ = std::min(ip.size(), client_ip_.size());
    std::memcpy(client_ip_.data(), ip.data(), client_ip_size_);
  }
  socket_.set_option(asio::ip::tcp::no_delay(true), ec);
  worker_.attach(this);
}

ClientSession::~ClientSession() {
  finish_request();  // a request cut short by an exception or by teardown
  worker_.detach(this);
}

void ClientSession::close_if_idle() {
  if (!idle_) return;
  std::error_code ignored;
  socket_.close(ignored);
}

asio::awaitable<void> ClientSession::run() {
  // g++ 12 miscompiles `co_await` inside an if/while condition: results are named first.
  bool first = true;
  for (;;) {
    const bool request_arrived = co_await wait_for_request(first);
    if (!request_arrived) break;
    first = false;
    const bool head_read = co_await read_head();
    if (!head_read) {
      finish_request();
      break;
    }
    const bool keep_going = co_await handle_request();
    finish_request();
    if (!keep_going) break;
  }
  std::error_code ignored;
  socket_.shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  socket_.close(ignored);
}

asio::awaitable<bool> ClientSession::wait_for_request(bool first) {
  const ListenerSettings& listener = worker_.listener(listener_index_);
  if (filled_ > 0) co_return !worker_.draining();  // a pipelined request is already buffered
  // Idle: give the workspace back so an idle keep-alive connection holds no buffer.
  workspace_.release();
  idle_ = true;
  if (worker_.draining()) co_return false;
  watchdog_.expires_after(first ? listener.header_timeout : listener.keepalive_timeout);
  auto [ec] = co_await socket_.async_wait(asio::ip::tcp::socket::wait_read, use_nothrow);
  idle_ = false;
  if (ec || worker_.draining()) co_return false;
  co_return true;
}

asio::awaitable<bool> ClientSession::read_head() {
  const ListenerSettings& listener = worker_.listener(listener_index_);
  if (!workspace_) workspace_ = worker_.workspaces(listener_index_).lease();
  Workspace& ws = *workspace_;
  ws.parser.reset();
  ws.record.begin(std::chrono::steady_clock::now());
  watchdog_.expires_after(listener.header_timeout);
  for (;;) {
    const http::ParseResult result = ws.parser.parse({ws.buffer.get(), filled_});
    if (result.complete()) {
      head_consumed_ = result.consumed;
      open_request(&ws.parser.head());
      watchdog_.disarm();  // client_header bounds the head only, not the wait for the upstream
      co_return true;
    }
    if (result.failed()) {
      co_await reject(result.http_status, false);
      co_return false;
    }
    if (filled_ == ws.capacity) {
      co_await reject(431, false);
      co_return false;
    }
    auto [ec, n] = co_await socket_.async_read_some(
        asio::buffer(ws.buffer.get() + filled_, ws.capacity - filled_), use_nothrow);
    if (ec) co_return false;  // closed, reset, or the header timeout (nginx closes too)
    filled_ += n;
  }
}

asio::awaitable<bool> ClientSession::handle_request() {
  Workspace& ws = *workspace_;
  const http::RequestHead& head = ws.parser.head();
  const ListenerSettings& listener = worker_.listener(listener_index_);
  // A request answered here (not proxied) with a body would leave the body unread: close then.
  const bool keep_alive =
      head.keep_alive && head.framing == http::BodyFraming::kNone && !worker_.draining();
  const std::string_view path = request_path(head);

  if (listener.health_path && path == *listener.health_path) {
    ws.record.status = 200;
    write_plain_response(ws.response, 200, "healthy\n", !keep_alive);
    const bool kept = co_await respond_with(ws.response, keep_alive);
    co_return kept;
  }
  const SnapshotPtr snapshot = worker_.snapshot();  // keeps this request's view alive
  if (listener.ready_path && path == *listener.ready_path) {
    const bool ready = worker_.any_endpoint_available();
    ws.record.status = ready ? 200 : 503;
    write_plain_response(ws.response, ready ? 200 : 503, ready ? "ready\n" : "not ready\n",
                         !keep_alive);
    const bool kept = co_await respond_with(ws.response, keep_alive);
    co_return kept;
  }

  const std::uint32_t route =
      snapshot ? snapshot->table.match(head.host, path) : RouteTable::kNoRoute;
  if (route == RouteTable::kNoRoute) {
    const bool kept = co_await reject(404, keep_alive, prefers_json(head));
    co_return kept;
  }
  ws.record.route = worker_.route_series(route);
  const RouteTarget& target = snapshot->routes[route];
  const bool kept = co_await proxy_request(*this, target, worker_.upstream(target.upstream));
  co_return kept;
}

asio::awaitable<bool> ClientSession::respond_with(std::string_view bytes, bool keep_alive) {
  const ListenerSettings& listener = worker_.listener(listener_index_);
  watchdog_.expires_after(listener.send_timeout);
  auto [ec, n] = co_await asio::async_write(socket_, asio::buffer(bytes), use_nothrow);
  workspace_->record.bytes_out += n;
  if (ec || !keep_alive) co_return false;
  consume(head_consumed_);
  co_return true;
}

asio::awaitable<bool> ClientSession::reject(int status, bool keep_alive, bool json) {
  Workspace& ws = *workspace_;
  open_request(nullptr);  // a head rejected before it parsed is a request too (method OTHER)
  ws.record.status = static_cast<std::uint16_t>(status);
  ErrorResponse response;
  response.status = status;
  response.close = !keep_alive;
  response.json = json;
  write_error_response(ws.response, response);
  const bool kept = co_await respond_with(ws.response, keep_alive);
  co_return kept;
}

void ClientSession::open_request(const http::RequestHead* parsed) {
  observe::RequestRecord& record = workspace_->record;
  if (record.open) return;
  record.open = true;
  worker_.metrics().request_started();
  if (!parsed) return;
  const http::RequestHead& head = *parsed;
  record.method = head.method;
  record.bytes_in = head_consumed_;
  if (worker_.access_log_enabled()) {
    record.method_text.assign(head.method_text);
    record.target.assign(head.target);
  }
}

void ClientSession::finish_request() {
  if (workspace_ && workspace_->record.open)
    worker_.finish_request(workspace_->record, client_ip());
}

void ClientSession::consume(std::size_t bytes) {
  Workspace& ws = *workspace_;
  bytes = std::min(bytes, filled_);
  // Pipelined bytes move to the front so the next head starts at offset 0 of the buffer.
  std::memmove(ws.buffer.get(), ws.buffer.get() + bytes, filled_ - bytes);
  filled_ -= bytes;
}

}  // namespace flotilla::gateway
