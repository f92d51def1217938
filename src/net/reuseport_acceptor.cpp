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

}  // namespace flotilla::net
