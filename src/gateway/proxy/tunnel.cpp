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

// Closes both ends when the tunnel has been idle too long.
template <class Client>
struct CloseBoth {
  Client* client;
  tls::Stream* upstream;
  void operator()() const {
    client->close();
    upstream->close();
  }
};
template <class Client>
using IdleWatchdog = net::Watchdog<net::Executor, CloseBoth<Client>>;

// From and To: tls::Stream or TunnelPeer (read_some, write, shutdown_send, close).
template <class From, class To, class Idle>
net::Awaitable<void> copy(From& from, To& to, std::string_view first, Idle& idle,
                          std::chrono::milliseconds timeout) {
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

template <class Client>
net::Awaitable<void> relay(Client& client, tls::Stream& upstream, std::string_view to_upstream,
                           std::string_view to_client, std::chrono::milliseconds idle_timeout) {
  using namespace asio::experimental::awaitable_operators;
  IdleWatchdog<Client> idle(upstream.socket().get_executor(),
                            CloseBoth<Client>{&client, &upstream});
  co_await (copy(client, upstream, to_upstream, idle, idle_timeout) &&
            copy(upstream, client, to_client, idle, idle_timeout));
}

}  // namespace

net::Awaitable<void> run_tunnel(tls::Stream& client, tls::Stream& upstream,
                                std::string_view to_upstream_first,
                                std::string_view to_client_first,
                                std::chrono::milliseconds idle_timeout) {
  return relay(client, upstream, to_upstream_first, to_client_first, idle_timeout);
}

net::Awaitable<void> run_tunnel(TunnelPeer& client, tls::Stream& upstream,
                                std::string_view to_upstream_first,
                                std::string_view to_client_first,
                                std::chrono::milliseconds idle_timeout) {
  client.link(&upstream);  // a reset stream ends the upstream connection at once
  co_await relay(client, upstream, to_upstream_first, to_client_first, idle_timeout);
  client.link(nullptr);
}

}  // namespace flotilla::gateway
