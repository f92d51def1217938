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

// SO_REUSEPORT lets any socket of the same user join a group that is already listening, so a
// second process on the same address would silently take half of the connections. Before a
// group opens on a fixed port, this binds a plain socket (SO_REUSEADDR only, so TIME_WAIT
// connections of an earlier run do not count) and closes it: EADDRINUSE means someone else
// listens there. Port 0 needs no probe (the kernel picks a port nobody holds).
std::error_code probe_exclusive_port(const asio::ip::tcp::endpoint& endpoint);

}  // namespace flotilla::net
