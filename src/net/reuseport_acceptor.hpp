// Listening sockets for the data plane: one SO_REUSEPORT acceptor per worker on the same
// address, so the kernel spreads connections across workers without a shared accept lock.
#pragma once

#include <system_error>

#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>

namespace flotilla::net {

// Opens, binds (SO_REUSEADDR + SO_REUSEPORT) and listens. Port 0 binds an ephemeral port: open
// the first acceptor with port 0, then the others with the port it got.
asio::ip::tcp::acceptor open_reuseport_acceptor(asio::io_context& context,
                                                const asio::ip::tcp::endpoint& endpoint,
                                                std::error_code& error);

}  // namespace flotilla::net
