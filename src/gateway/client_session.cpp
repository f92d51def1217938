#include "gateway/client_session.hpp"

#include <arpa/inet.h>
#include <sys/socket.h>

#include <cerrno>

#include <cstring>
#include <utility>

#include <spdlog/spdlog.h>
#include <asio/co_spawn.hpp>
#include <asio/write.hpp>

#include "net/async.hpp"
#include "gateway/error_response.hpp"
#include "gateway/proxy_exchange.hpp"
#include "gateway/request_end.hpp"
#include "gateway/request_target.hpp"
#include "gateway/route_path.hpp"
#include "gateway/worker.hpp"

namespace flotilla::gateway {

namespace {

// Dotted quad into `out` (at least 15 bytes); inet_ntop goes through printf, once per request.
std::size_t format_ipv4(const unsigned char* address, char* out) noexcept {
  char* p = out;
  for (int i = 0; i < 4; ++i) {
    unsigned value = address[i];
    if (value >= 100) *p++ = static_cast<char>('0' + value / 100);
    if (value >= 10) *p++ = static_cast<char>('0' + value / 10 % 10);
    *p++ = static_cast<char>('0' + value % 10);
    if (i < 3) *p++ = '.';
  }
  return static_cast<std::size_t>(p - out);
}

}  // namespace

void ClientSession::start(Worker& worker, net::Socket socket, const asio::ip::tcp::endpoint& peer,
                          std::uint32_t listener_index) {
  auto* session = new ClientSession(worker, std::move(socket), peer, listener_index);
  std::error_code ec;
  session->socket_.non_blocking(true, ec);  // our own reads never block the worker
  if (!ec) session->watch_ = worker.poller().watch(session->socket_.native_handle(), session, ec);
  if (ec) {
    spdlog::warn("cannot serve a connection: {}", ec.message());
    delete session;
    return;
  }
  // Parked at once: the poller reports bytes that are already there as well.
  session->park(true);
}

ClientSession::ClientSession(Worker& worker, net::Socket socket,
                             const asio::ip::tcp::endpoint& peer, std::uint32_t listener_index)
    : worker_(worker), socket_(std::move(socket)), listener_index_(listener_index) {
  const asio::ip::address address = peer.address();
  if (address.is_v6()) {
    const auto bytes = address.to_v6().to_bytes();
    std::memcpy(peer_address_.data(), bytes.data(), bytes.size());
    peer_v6_ = true;
  } else {
    const auto bytes = address.to_v4().to_bytes();
    std::memcpy(peer_address_.data(), bytes.data(), bytes.size());
  }
  std::error_code ec;
  socket_.set_option(asio::ip::tcp::no_delay(true), ec);
  worker_.attach(this);
}

ClientSession::~ClientSession() {
  // A request cut short by teardown (its coroutine frame destroyed mid-exchange) still ends once.
  if (workspace_ && workspace_->record.open) {
    RequestEnd end;
    end.client_closed = true;
    end.record = &workspace_->record;
    end.client_ip = client_ip();
    finish_request(worker_, end);
  }
  worker_.forget_watch(watch_);
  std::error_code ignored;
  socket_.shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  socket_.close(ignored);
  worker_.detach(this);
}

void ClientSession::expire() {
  deadline_.mark_expired();
  std::error_code ignored;
  socket_.close(ignored);
}

void ClientSession::check_client() {
  if (!upstream_wait_ || client_gone_) return;
  char probe;
  const ssize_t n = ::recv(socket_.native_handle(), &probe, 1, MSG_PEEK | MSG_DONTWAIT);
  // Bytes (a pipelined request) or nothing yet: still there. EOF or an error: gone.
  if (n > 0 || (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))) return;
  client_gone_ = true;
  std::error_code ignored;
  upstream_wait_->close(ignored);
}

void ClientSession::park(bool first) {
  // Idle: give the workspace back so an idle keep-alive connection holds no buffer.
  workspace_.release();
  idle_ = true;
  const ListenerSettings& listener = worker_.listener(listener_index_);
  deadline_.expires_after(first ? listener.header_timeout : listener.keepalive_timeout);
  worker_.park(this, first);
  // Bytes that arrived while the last request was served: look at once. (Never inline: this
  // may run at the end of the coroutine that served that request.)
  if (readable_) worker_.resume_soon(this);
}

void ClientSession::on_readable() {
  readable_ = true;
  if (idle_) resume();
}

void ClientSession::resume() {
  idle_ = false;
  worker_.unpark(this);
  if (worker_.draining()) {
    delete this;
    return;
  }
  asio::co_spawn(socket_.get_executor(), serve(std::unique_ptr<ClientSession>(this)),
                 [](std::exception_ptr e) {
                   // Only allocation failures and bugs get here: the data plane reports errors
                   // as values. The session was destroyed with the coroutine's frame.
                   if (!e) return;
                   try {
                     std::rethrow_exception(e);
                   } catch (const std::exception& error) {
                     spdlog::error("connection aborted: {}", error.what());
                   }
                 });
}

void ClientSession::lease_workspace() {
  if (workspace_) return;
  workspace_ = worker_.workspaces(listener_index_).lease();
  Workspace& ws = *workspace_;
  if (!peer_v6_) {
    ws.client_ip_size = format_ipv4(peer_address_.data(), ws.client_ip.data());
    return;
  }
  const char* text =
      ::inet_ntop(AF_INET6, peer_address_.data(), ws.client_ip.data(), ws.client_ip.size());
  ws.client_ip_size = text ? std::strlen(text) : 0;
}

// Reads, parses and handles requests while bytes are buffered or arriving; then parks the
// connection for the next request (the session then belongs to its readiness wait and this
// frame ends), or ends, and `self` destroys the session. One coroutine frame for the client side.
net::Awaitable<void> ClientSession::serve(std::unique_ptr<ClientSession> self) {
  // g++ 12 miscompiles `co_await` inside an if/while condition: results are named first.
  const ListenerSettings& listener = worker_.listener(listener_index_);
  for (;;) {
    lease_workspace();
    Workspace& ws = *workspace_;
    ws.parser.reset();
    ws.record.begin(std::chrono::steady_clock::now());  // a latency: not the coarse clock
    client_gone_ = false;
    deadline_.expires_after(listener.header_timeout);
    for (;;) {
      if (filled_ > 0) {
        const http::ParseResult result = ws.parser.parse({ws.buffer.get(), filled_});
        if (result.complete()) {
          head_consumed_ = result.consumed;
          open_request(&ws.parser.head());
          break;
        }
        // Rejected heads answer in JSON too when their Accept line asks for it.
        const std::string_view received(ws.buffer.get(), filled_);
        if (result.failed()) {
          co_await reject(result.http_status, false, prefers_json_raw(received));
          co_return;
        }
        if (filled_ == ws.capacity) {
          co_await reject(431, false, prefers_json_raw(received));
          co_return;
        }
      }
      // Our own non-blocking read first: after the poller woke us the bytes are normally
      // there, and reading them costs the one syscall. Nothing there (a wake-up for bytes an
      // earlier read took): a connection between requests goes back to the poller; a head
      // that is half-read waits in Asio.
      const asio::mutable_buffer space(ws.buffer.get() + filled_, ws.capacity - filled_);
      readable_ = false;
      std::error_code ec;
      std::size_t n = socket_.read_some(space, ec);
      if (ec == asio::error::would_block) {
        if (filled_ == 0) co_return self.release()->park(!served_);
        auto [read_error, read] = co_await socket_.async_read_some(space, net::use_nothrow_io);
        ec = read_error;
        n = read;
      }
      if (ec) co_return;  // closed, reset, or the header timeout (nginx closes too)
      if (n == space.size()) readable_ = true;  // there may be more
      filled_ += n;
    }
    served_ = true;
    deadline_.disarm();  // client_header bounds the head only, not the wait for the upstream

    const http::RequestHead& head = ws.parser.head();
    // A request answered here (not proxied) with a body would leave the body unread: close then.
    const bool keep_alive =
        head.keep_alive && head.framing == http::BodyFraming::kNone && !worker_.draining();
    const std::string_view path = route_path(request_path(head), ws.route_path);
    const bool head_only = head.method == http::Method::kHead;
    bool kept = false;
    if (listener.health_path && path == *listener.health_path) {
      write_plain_response(ws.response, 200, "healthy\n", !keep_alive, head_only,
                           worker_.http_date());
      kept = co_await respond_with(200, ws.response, keep_alive);
    } else if (listener.ready_path && path == *listener.ready_path) {
      const bool ready = worker_.any_endpoint_available();
      write_plain_response(ws.response, ready ? 200 : 503, ready ? "ready\n" : "not ready\n",
                           !keep_alive, head_only, worker_.http_date());
      kept = co_await respond_with(ready ? 200 : 503, ws.response, keep_alive);
    } else {
      const SnapshotPtr snapshot = worker_.snapshot();  // keeps this request's view alive
      const std::uint32_t route =
          snapshot ? snapshot->table.match(head.host, path) : RouteTable::kNoRoute;
      if (route == RouteTable::kNoRoute) {
        kept = co_await reject(404, keep_alive, prefers_json(head), head_only);
      } else {
        ws.record.route = worker_.route_series(route);
        const RouteTarget& target = snapshot->routes[route];
        kept = co_await proxy_request(*this, target, route, worker_.upstream(target.upstream));
      }
    }
    if (!kept || worker_.draining()) co_return;
    if (filled_ == 0) co_return self.release()->park(false);
    // A pipelined request is already buffered: go on at once.
  }
}

// Answers a request the gateway handles itself (health paths, codec errors, no route).
net::Awaitable<bool> ClientSession::respond_with(int status, std::string_view bytes, bool keep_alive) {
  const ListenerSettings& listener = worker_.listener(listener_index_);
  deadline_.expires_after(listener.send_timeout);
  auto [ec, n] = co_await asio::async_write(socket_, asio::buffer(bytes), net::use_nothrow_io);
  deadline_.disarm();
  Workspace& ws = *workspace_;
  ws.record.bytes_out += n;
  RequestEnd end;
  end.status = status;
  end.client_closed = static_cast<bool>(ec);
  end.record = &ws.record;
  end.client_ip = client_ip();
  finish_request(worker_, end);
  if (ec || !keep_alive) co_return false;
  consume(head_consumed_);
  co_return true;
}

net::Awaitable<bool> ClientSession::reject(int status, bool keep_alive, bool json, bool head_only) {
  Workspace& ws = *workspace_;
  open_request(nullptr);  // a head rejected before it parsed is a request too (method OTHER)
  ErrorResponse response;
  response.status = status;
  response.close = !keep_alive;
  response.json = json;
  response.head_only = head_only;
  response.date = worker_.http_date();
  write_error_response(ws.response, response);
  const bool kept = co_await respond_with(status, ws.response, keep_alive);
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

void ClientSession::consume(std::size_t bytes) {
  Workspace& ws = *workspace_;
  bytes = std::min(bytes, filled_);
  // Pipelined bytes move to the front so the next head starts at offset 0 of the buffer.
  std::memmove(ws.buffer.get(), ws.buffer.get() + bytes, filled_ - bytes);
  filled_ -= bytes;
}

}  // namespace flotilla::gateway
