#include "net/reuseport_acceptor.hpp"

#include <sys/socket.h>

#include <asio/detail/socket_option.hpp>

namespace flotilla::net {

asio::ip::tcp::acceptor open_reuseport_acceptor(asio::io_context& context,
                                                const asio::ip::tcp::endpoint& endpoint,
                                                std::error_code& error) {
  using ReusePort = asio::detail::socket_option::boolean<SOL_SOCKET, SO_REUSEPORT>;
  asio::ip::tcp::acceptor acceptor(context);
  acceptor.open(endpoint.protocol(), error);
  if (!error) acceptor.set_option(asio::socket_base::reuse_address(true), error);
  if (!error) acceptor.set_option(ReusePort(true), error);
  if (!error) acceptor.bind(endpoint, error);
  if (!error) acceptor.listen(asio::socket_base::max_listen_connections, error);
  return acceptor;
}

std::error_code probe_exclusive_port(const asio::ip::tcp::endpoint& endpoint) {
  std::error_code error;
  if (endpoint.port() == 0) return error;
  asio::io_context context;  // never run: the probe only binds
  asio::ip::tcp::acceptor probe(context);
  probe.open(endpoint.protocol(), error);
  if (!error) probe.set_option(asio::socket_base::reuse_address(true), error);
  if (!error) probe.bind(endpoint, error);
  std::error_code ignored;
  probe.close(ignored);
  return error;
}

}  // namespace flotilla::net
