#include "gateway/proxy/tunnel.hpp"

#include <array>
#include <memory>

#include <asio/experimental/awaitable_operators.hpp>
#include <asio/write.hpp>

#include "net/async.hpp"
#include "net/watchdog.hpp"

namespace flotilla::gateway {
namespace {

constexpr std::size_t kTunnelBuffer = 16 * 1024;

// Closes both sockets when the tunnel has been idle too long.
struct CloseBoth {
  tls::Stream* client;
  tls::Stream* upstream;
  void operator()() const {
    client->close();
    upstream->close();
  }
};
using IdleWatchdog = net::Watchdog<net::Executor, CloseBoth>;

net::Awaitable<void> copy(tls::Stream& from, tls::Stream& to, std::string_view first,
                          IdleWatchdog& idle, std::chrono::milliseconds timeout) {
  if (!first.empty()) {
    auto [ec, n] = co_await to.write(asio::buffer(first));
    if (ec) co_return;
  }
  auto buffer = std::make_unique_for_overwrite<char[]>(kTunnelBuffer);
  for (;;) {
    idle.expires_after(timeout);
    auto [read_error, n] = co_await from.read_some(asio::buffer(buffer.get(), kTunnelBuffer));
    if (read_error) {
      // EOF: pass the half-close on, so the other side can finish its close handshake.
      to.shutdown_send();
      co_return;
    }
    idle.expires_after(timeout);
    auto [write_error, written] = co_await to.write(asio::buffer(buffer.get(), n));
    if (write_error) {
      from.close();
      co_return;
    }
  }
}

}  // namespace

net::Awaitable<void> run_tunnel(tls::Stream& client, tls::Stream& upstream,
                                std::string_view to_upstream_first,
                                std::string_view to_client_first,
                                std::chrono::milliseconds idle_timeout) {
  using namespace asio::experimental::awaitable_operators;
  IdleWatchdog idle(client.socket().get_executor(), CloseBoth{&client, &upstream});
  co_await (copy(client, upstream, to_upstream_first, idle, idle_timeout) &&
            copy(upstream, client, to_client_first, idle, idle_timeout));
}

}  // namespace flotilla::gateway
