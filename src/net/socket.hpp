// The socket and timer types of the data plane: bound to a worker's io_context executor rather
// than the type-erased any_io_executor, so they are smaller (40 vs 88 bytes for a socket) and
// every operation skips the executor's type erasure. Types only.
#pragma once

#include <chrono>

#include <asio/basic_waitable_timer.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>

namespace flotilla::net {

using Executor = asio::io_context::executor_type;
using Socket = asio::basic_stream_socket<asio::ip::tcp, Executor>;
using Acceptor = asio::basic_socket_acceptor<asio::ip::tcp, Executor>;
using Timer = asio::basic_waitable_timer<std::chrono::steady_clock,
                                         asio::wait_traits<std::chrono::steady_clock>, Executor>;

// Closes a socket: the expiry action of a Watchdog guarding one connection.
template <class SocketType>
struct CloseSocket {
  SocketType* socket;
  void operator()() const {
    std::error_code ignored;
    socket->close(ignored);
  }
};

}  // namespace flotilla::net
