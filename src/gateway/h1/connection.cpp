#include "gateway/h1/connection.hpp"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <optional>
#include <utility>

#include <spdlog/spdlog.h>
#include <asio/co_spawn.hpp>

#include "gateway/connection_limits.hpp"
#include "gateway/error_response.hpp"
#include "gateway/h1/request_body.hpp"
#include "gateway/h1/response_sink.hpp"
#include "gateway/h2/h2c_upgrade.hpp"
#include "gateway/h2/preface.hpp"
#include "gateway/h2/serve.hpp"
#include "gateway/pipeline/serve_request.hpp"
#include "gateway/proxy_header_reader.hpp"
#include "gateway/request_end.hpp"
#include "gateway/request_target.hpp"
#include "gateway/route_path.hpp"
#include "gateway/worker.hpp"
#include "net/coarse_clock.hpp"
#include "net/min_rate.hpp"

namespace flotilla::gateway {

void H1Connection::start(Worker& worker, net::Socket socket, const asio::ip::tcp::endpoint& peer,
                         std::uint32_t listener_index, bool counted, bool client_counted) {
  auto* connection = new H1Connection(worker, std::move(socket), peer, listener_index);
  connection->counted_ = counted;
  connection->client_counted_ = client_counted;
  std::error_code ec;
  tls::Stream& stream = connection->downstream_.stream();
  stream.socket().non_blocking(true, ec);  // our own reads never block the worker
  if (!ec) connection->watch_ = worker.poller().watch(stream.native_handle(), connection, ec);
  if (ec) {
    spdlog::warn("cannot serve a connection: {}", ec.message());
    delete connection;
    return;
  }
  // Parked at once: the poller reports bytes that are already there as well.
  connection->park(true);
}

H1Connection::H1Connection(Worker& worker, net::Socket socket, const asio::ip::tcp::endpoint& peer,
                           std::uint32_t listener_index)
    : ClientConnection(listener_index),
      handshaken_(!worker.listener(listener_index).tls),
      downstream_(std::move(socket), peer),
      worker_(worker) {
  std::error_code ec;
  downstream_.stream().socket().set_option(asio::ip::tcp::no_delay(true), ec);
  worker_.attach(this);
}

H1Connection::~H1Connection() {
  // A request cut short by teardown (its coroutine frame destroyed mid-exchange) still ends once.
  if (workspace_ && workspace_->record.open)
    finish_request(worker_, workspace_->record, client_ip());
  worker_.forget_watch(watch_);
  if (counted_) worker_.connection_ended(listener_index(), downstream_.peer(), client_counted_);
  std::error_code ignored;
  downstream_.stream().socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  downstream_.stream().close();
  worker_.detach(this);
}

bool H1Connection::due(TimePoint now) const noexcept {
  return downstream_.due(now);
}

void H1Connection::expire(TimePoint now) noexcept {
  downstream_.expire(now);
}

void H1Connection::check_client() noexcept {
  // Busy without a workspace (a TLS handshake): no request waits.
  if (workspace_) workspace_->presence.check(downstream_.stream());
}

void H1Connection::park(bool first) {
  // Idle: give the workspace back so an idle keep-alive connection holds no buffer.
  workspace_.release();
  idle_ = true;
  const ListenerSettings& listener = worker_.listener(listener_index());
  // Parked, the read deadline is the idle deadline (the sweep closes the connection). Before
  // its handshake, a TLS connection gets the handshake timeout, from the accept on.
  std::chrono::milliseconds idle = first ? listener.header_timeout : listener.keepalive_timeout;
  // With min_rate, a new connection that sends nothing for a whole window is too slow.
  if (first && listener.min_rate != 0) idle = std::min(idle, listener.min_rate_window);
  if (!handshaken_) {
    const SnapshotPtr& snapshot = worker_.snapshot();
    if (snapshot && listener_index() < snapshot->listeners.size()) {
      idle = snapshot->listeners[listener_index()].handshake_timeout;
    }
  }
  downstream_.read_deadline().expires_after(idle);
  worker_.park(this, first);
  // Bytes that arrived while the last request was served, or that the TLS layer already took
  // from the socket (no readiness event will announce those): look at once. (Never inline:
  // this may run at the end of the coroutine that served that request.)
  if (readable_ || downstream_.stream().has_buffered()) worker_.resume_soon(this);
}

void H1Connection::on_readable() {
  readable_ = true;
  if (idle_) resume();
}

void H1Connection::resume() {
  idle_ = false;
  worker_.unpark(this);
  if (worker_.draining()) {
    delete this;
    return;
  }
  asio::co_spawn(downstream_.stream().socket().get_executor(),
                 serve(std::unique_ptr<H1Connection>(this)), [](std::exception_ptr e) {
                   // Only allocation failures and bugs get here: the data plane reports errors
                   // as values. The connection was destroyed with the coroutine's frame.
                   if (!e) return;
                   try {
                     std::rethrow_exception(e);
                   } catch (const std::exception& error) {
                     spdlog::error("connection aborted: {}", error.what());
                   }
                 });
}

void H1Connection::lease_workspace() {
  if (workspace_) return;
  workspace_ = worker_.workspaces(listener_index()).lease();
  Workspace& ws = *workspace_;
  ws.filled = 0;
  ws.presence.reset();
  ws.client_ip_size = downstream_.format_peer(ws.client_ip);
}

// Reads, parses and handles requests while bytes are buffered or arriving; then parks the
// connection for the next request (the connection then belongs to its readiness wait and this
// frame ends), or ends, and `self` destroys the connection. One coroutine frame for the client.
net::Awaitable<void> H1Connection::serve(std::unique_ptr<H1Connection> self) {
  // g++ 12 miscompiles `co_await` inside an if/while condition: results are named first.
  const ListenerSettings& listener = worker_.listener(listener_index());
  if (listener.proxy_protocol && !proxied_) {
    const bool proxied = co_await read_proxy();
    if (!proxied) co_return;
    proxied_ = true;
  }
  if (!handshaken_) {
    const bool secured = co_await handshake();
    if (!secured) co_return;
    handshaken_ = true;
  }
  lease_workspace();
  if (listener.http2 && !served_ && downstream_.tls() && downstream_.tls()->alpn() == "h2") {
    co_return co_await hand_to_http2({});  // ALPN chose HTTP/2
  }
  H1ResponseSink sink(downstream_, *workspace_, worker_, listener);
  for (;;) {
    Workspace& ws = *workspace_;
    ws.parser.reset();
    ws.record.begin(std::chrono::steady_clock::now());  // a latency: not the coarse clock
    ws.presence.reset();
    // The head must come within the header timeout and, with min_rate, fast enough in each
    // window (a slowloris is cut at the end of the first window it does not pay for).
    const auto head_deadline = net::coarse_now() + listener.header_timeout;
    net::MinRate head_rate;
    if (listener.min_rate != 0) {
      head_rate = net::MinRate(listener.min_rate, listener.min_rate_window);
      head_rate.start(net::coarse_now());
    }
    downstream_.read_deadline().expires_at(std::min(head_deadline, head_rate.window_end()));
    std::size_t head_size = 0;
    for (;;) {
      // h2c with prior knowledge: the HTTP/2 preface instead of a first request.
      const h2::PrefaceMatch h2c = listener.http2 && !served_ && !downstream_.secure()
                                       ? h2::match_preface({ws.buffer.get(), filled()})
                                       : h2::PrefaceMatch::kNo;
      if (h2c == h2::PrefaceMatch::kYes)
        co_return co_await hand_to_http2({ws.buffer.get(), filled()});
      if (filled() > 0 && h2c == h2::PrefaceMatch::kNo) {
        const http::ParseResult result = ws.parser.parse({ws.buffer.get(), filled()});
        if (result.complete()) {
          head_size = result.consumed;
          std::string_view settings;
          if (listener.http2 && !served_ && !downstream_.secure() &&
              h2::h2c_upgradable(ws.parser.head(), settings)) {
            co_return co_await upgrade_to_http2(head_size, settings);
          }
          open_request(&ws.parser.head(), head_size);
          break;
        }
        // Rejected heads answer in JSON too when their Accept line asks for it.
        const std::string_view received(ws.buffer.get(), filled());
        if (result.failed()) {
          co_await reject(sink, result.http_status, prefers_json_raw(received));
          end_cleanly(sink);
          co_return;
        }
        if (filled() == ws.capacity) {
          co_await reject(sink, 431, prefers_json_raw(received));
          end_cleanly(sink);
          co_return;
        }
      }
      // Our own non-blocking read first: after the poller woke us the bytes are normally
      // there, and reading them costs the one syscall. Nothing there (a wake-up for bytes an
      // earlier read took): a connection between requests goes back to the poller; a head
      // that is half-read waits in Asio.
      const asio::mutable_buffer space(ws.buffer.get() + filled(), ws.capacity - filled());
      readable_ = false;
      std::error_code ec;
      std::size_t n = downstream_.stream().read_now(space, ec);
      if (ec == asio::error::would_block) {
        if (filled() == 0) co_return self.release()->park(!served_);
        auto [read_error, read] = co_await downstream_.stream().read_some(space);
        ec = read_error;
        n = read;
      }
      if (ec) {  // closed, reset, or the header timeout (nginx closes too)
        if (downstream_.timed_out() && head_rate.window_end() < head_deadline) too_slow();
        co_return;
      }
      if (!head_rate.on_bytes(n, net::coarse_now())) {
        too_slow();
        co_return;
      }
      downstream_.read_deadline().expires_at(std::min(head_deadline, head_rate.window_end()));
      if (n == space.size()) readable_ = true;  // there may be more
      filled() += n;
    }
    served_ = true;
    downstream_.read_deadline().disarm();  // client_header bounds the head only

    // The request through the pipeline, in this frame (no frame per request of the codec's own).
    const http::RequestHead& head = ws.parser.head();
    const SnapshotPtr snapshot = worker_.snapshot();  // keeps this request's view alive
    H1RequestBody body(downstream_, ws, filled(), head_size, head, listener);
    RequestContext ctx = begin_request(sink, body, snapshot.get());
    co_await serve_request(ctx);
    if (body.too_slow()) too_slow();
    const bool kept = end_request(sink, body);
    if (!kept || worker_.draining()) {
      end_cleanly(sink);
      co_return;
    }
    if (filled() == 0) co_return self.release()->park(false);
    // A pipelined request is already buffered: go on at once.
  }
}

net::Awaitable<void> H1Connection::hand_to_http2(std::string_view received) {
  // The session takes its own copy of the peer's address and of `received`; this connection's
  // workspace goes back to the pool (the session leases one per stream).
  workspace_->record.open = false;
  std::array<char, 46> ip{};
  const std::string_view from = client_ip();
  std::copy(from.begin(), from.end(), ip.begin());
  const std::string early(received);  // the h2c preface and what followed (once per connection)
  filled() = 0;
  workspace_.release();
  served_ = true;
  co_await serve_http2(worker_, downstream_, listener_index(), {ip.data(), from.size()}, early);
}

net::Awaitable<void> H1Connection::upgrade_to_http2(std::size_t head_size,
                                                    std::string_view settings) {
  Workspace& ws = *workspace_;
  std::string payload;
  if (!h2::decode_settings(settings, payload)) {
    // RFC 7540 §3.2.1: a malformed HTTP2-Settings is a bad request, not an upgrade.
    H1ResponseSink sink(downstream_, ws, worker_, worker_.listener(listener_index()));
    co_await reject(sink, 400, false);
    end_cleanly(sink);
    co_return;
  }
  // The session copies what it keeps: the head (for stream 1) and the bytes after it.
  std::string head(head_size, '\0');
  head.resize(h2::head_without_upgrade({ws.buffer.get(), head_size}, head.data(), head.size()));
  const H2cUpgrade upgrade{.settings = payload,
                           .head = head,
                           .head_request = ws.parser.head().method == http::Method::kHead};
  auto [ec, n] = co_await downstream_.write(h2::kSwitchingToH2c,
                                            worker_.listener(listener_index()).send_timeout);
  if (ec || head.empty()) co_return;
  workspace_->record.open = false;
  std::array<char, 46> ip{};
  const std::string_view from = client_ip();
  std::copy(from.begin(), from.end(), ip.begin());
  const std::string early(ws.buffer.get() + head_size, filled() - head_size);
  filled() = 0;
  workspace_.release();
  served_ = true;
  co_await serve_http2(worker_, downstream_, listener_index(), {ip.data(), from.size()}, early,
                       &upgrade);
}

net::Awaitable<bool> H1Connection::read_proxy() {
  const net::ProxyHeader header = co_await read_proxy_header(downstream_.stream().socket());
  if (header.status != net::ProxyHeader::Status::kDone) {
    worker_.connection_refused(listener_index(), observe::ConnectionRefusal::proxy_header);
    std::array<char, 46> peer{};
    spdlog::debug("connection from {} refused: {}",
                  std::string_view(peer.data(), downstream_.format_peer(peer)), header.problem);
    co_return false;
  }
  if (!header.local) downstream_.set_peer(header.source);
  // Per client: the address the header named.
  ConnectionLimits* limits = worker_.connection_limits();
  if (counted_ && limits) {
    if (!limits->open_client(listener_index(), downstream_.peer())) {
      worker_.connection_refused(listener_index(), observe::ConnectionRefusal::client_limit);
      co_return false;
    }
    client_counted_ = true;
  }
  co_return true;
}

net::Awaitable<bool> H1Connection::handshake() {
  using observe::TlsProtocol;
  using observe::TlsResult;
  const SnapshotPtr snapshot = worker_.snapshot();  // keeps the context alive for the start
  const ListenerTarget* target = snapshot && listener_index() < snapshot->listeners.size()
                                     ? &snapshot->listeners[listener_index()]
                                     : nullptr;
  if (!target || !target->tls) co_return false;  // never serve a TLS port in the clear
  std::uint32_t& in_progress = worker_.handshakes();
  if (in_progress >= target->max_handshakes) {
    worker_.metrics().tls_handshake(TlsProtocol::none, TlsResult::rejected, false);
    co_return false;
  }
  tls::Stream& stream = downstream_.stream();
  if (const std::error_code error = stream.start_server(*target->tls)) {
    spdlog::warn("cannot start TLS on a connection: {}", error.message());
    co_return false;
  }
  struct Counted {  // released even when the frame is destroyed mid-handshake (shutdown)
    std::uint32_t& count;
    explicit Counted(std::uint32_t& c) : count(c) { ++count; }
    ~Counted() { --count; }
  };
  std::optional<Counted> counted(std::in_place, in_progress);
  const std::error_code error = co_await stream.handshake();
  counted.reset();
  const tls::Connection* session = stream.tls();
  if (error) {
    const TlsResult result = downstream_.timed_out() ? TlsResult::timeout : TlsResult::failed;
    worker_.metrics().tls_handshake(TlsProtocol::none, result, false);
    spdlog::debug("TLS handshake failed: {}", error.message());
    co_return false;
  }
  worker_.metrics().tls_handshake(observe::tls_protocol_of(session->version()), TlsResult::ok,
                                  session->resumed());
  co_return true;
}

RequestContext H1Connection::begin_request(H1ResponseSink& sink, H1RequestBody& body,
                                           const GatewaySnapshot* snapshot) {
  Workspace& ws = *workspace_;
  const http::RequestHead& head = ws.parser.head();
  sink.start(head.version, head.keep_alive, head.method == http::Method::kHead, &ws.record);
  sink.set_request(&head);
  // What follows the request in the buffer: a pipelined request, or a tunnel's first bytes.
  sink.set_early_bytes(
      std::string_view(ws.buffer.get() + body.end_in_buffer(), filled() - body.end_in_buffer()));
  RequestScratch& scratch = ws.scratch;
  scratch.request_id.clear();
  scratch.upstream_edits.clear();
  scratch.response_edits.clear();
  const net::IpAddress client =
      resolve_request_client(downstream_, snapshot, listener_index(), head, ws);
  return RequestContext{.worker = worker_,
                        .listener = worker_.listener(listener_index()),
                        .snapshot = snapshot,
                        .listener_index = listener_index(),
                        .head = head,
                        .path = route_path(request_path(head), ws.route_path),
                        .downstream = downstream_,
                        .client_ip = client_ip(),
                        .client = client,
                        .body = body,
                        .sink = sink,
                        .presence = ws.presence,
                        .ws = ws,
                        .scratch = scratch,
                        .record = ws.record,
                        .json_errors = prefers_json(head),
                        .route = nullptr,
                        .route_index = UINT32_MAX,
                        .answer = {}};
}

bool H1Connection::end_request(const H1ResponseSink& sink, const H1RequestBody& body) {
  Workspace& ws = *workspace_;
  const bool keep = sink.started() && sink.keeps_connection() && body.consumed() &&
                    !worker_.draining() && downstream_.stream().is_open();
  finish_request(worker_, ws.record, client_ip());
  if (!keep) return false;
  if (!body.streamed()) {
    consume(body.end_in_buffer());
  } else {
    // The head and the held body are done with; bytes read past the body start the next one.
    const std::string_view next = body.leftover();
    std::memmove(ws.buffer.get(), next.data(), next.size());
    filled() = next.size();
  }
  return true;
}

net::Awaitable<void> H1Connection::reject(H1ResponseSink& sink, int status, bool json) {
  Workspace& ws = *workspace_;
  open_request(nullptr, 0);  // a head rejected before it parsed is a request too (method OTHER)
  sink.start(http::Version::kHttp11, false, false, &ws.record);
  ErrorBody error;
  error.status = status;
  error.json = json;
  const std::string_view body = write_error_body(ws.scratch.text, error);
  HeaderEdits& edits = ws.scratch.response_edits;
  edits.clear();
  edits.add("Content-Type", json ? "application/json" : "text/plain; charset=utf-8");
  ResponseHeadOut out;
  out.status = status;
  out.edits = &edits;
  out.length = BodyLength::kKnown;
  out.content_length = body.size();
  sink.head(out);
  co_await sink.body(body, true);
  finish_request(worker_, ws.record, client_ip());
}

void H1Connection::open_request(const http::RequestHead* parsed, std::size_t head_size) {
  observe::RequestRecord& record = workspace_->record;
  if (record.open) return;
  record.open = true;
  worker_.metrics().request_started();
  if (!parsed) return;
  const http::RequestHead& head = *parsed;
  record.method = head.method;
  record.bytes_in = head_size;
  if (worker_.access_log_enabled()) {
    record.method_text.assign(head.method_text);
    record.target.assign(head.target);
    record.scheme = downstream_.scheme();
  }
}

void H1Connection::end_cleanly(const H1ResponseSink& sink) noexcept {
  // The connection ends after a whole response: over TLS, close_notify before the FIN
  // (RFC 8446 §6.1), so that the client can tell a body framed by the close from a truncated
  // one. A response cut short ends without it, as nginx does.
  if (sink.complete()) downstream_.stream().shutdown_send();
}

void H1Connection::too_slow() {
  worker_.connection_refused(listener_index(), observe::ConnectionRefusal::too_slow);
}

void H1Connection::consume(std::size_t bytes) {
  Workspace& ws = *workspace_;
  bytes = std::min(bytes, filled());
  // Pipelined bytes move to the front so the next head starts at offset 0 of the buffer.
  std::memmove(ws.buffer.get(), ws.buffer.get() + bytes, filled() - bytes);
  filled() -= bytes;
}

}  // namespace flotilla::gateway
