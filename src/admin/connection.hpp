// One admin client connection (TCP or unix socket): reads requests with our HTTP/1.1 codec,
// checks authentication from the head alone, reads a bounded body, routes, answers, and keeps
// the connection alive per HTTP/1.1. Owns its socket and buffer; must never outlive a stop()
// by more than the handler it is running.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include <asio/awaitable.hpp>
#include <asio/generic/stream_protocol.hpp>
#include <asio/steady_timer.hpp>

#include "admin/admin_message.hpp"
#include "admin/server_context.hpp"
#include "http/request_parser.hpp"

namespace flotilla::admin {

class Connection {
 public:
  using Socket = asio::generic::stream_protocol::socket;
  using Clock = std::chrono::steady_clock;

  // `peer` names the client in the log ("127.0.0.1:51234", "unix socket").
  Connection(Socket socket, bool unix_socket, std::string peer,
             std::shared_ptr<ServerContext> context);

  // Serves until the peer closes, an error, a timeout or close(); then closes the socket.
  asio::awaitable<void> run();
  // Stop now: pending reads and writes fail, a running handler finishes but its answer is lost.
  void close() noexcept;

 private:
  enum class Outcome { kKeepAlive, kClose, kLingerClose };

  asio::awaitable<Outcome> serve_one();
  // Reads the body (bounded by max_body and body_timeout) into `request.body`; on failure, the
  // answer to send before closing.
  // A status-0 answer means the peer went away (nothing to send).
  asio::awaitable<std::optional<AdminResponse>> read_body(http::BodyFraming framing,
                                                          std::uint64_t content_length,
                                                          AdminRequest& request);
  asio::awaitable<std::error_code> respond(const AdminResponse& response, bool head_only,
                                           bool keep_alive);
  asio::awaitable<void> linger_close();

  std::string_view buffered() const noexcept { return {buffer_.data() + begin_, end_ - begin_}; }
  void consume(std::size_t n) noexcept;
  asio::awaitable<std::error_code> read_more(Clock::time_point deadline);
  asio::awaitable<std::error_code> write(std::string_view head, std::string_view body);

  Socket socket_;
  asio::steady_timer timer_;
  std::shared_ptr<ServerContext> context_;
  http::RequestParser parser_;
  std::vector<char> buffer_;
  std::string peer_;
  std::size_t begin_ = 0;
  std::size_t end_ = 0;
  bool unix_socket_ = false;
  bool http10_peer_ = false;
  bool closed_ = false;
};

}  // namespace flotilla::admin
