// One client connection of the demo app: reads request heads, runs each exchange through the
// routes, keeps the connection alive per HTTP/1.1 (pipelined requests included). Owns its stream;
// must never touch another connection or the listener.
#pragma once

#include <asio.hpp>

#include "demo/demo_context.hpp"
#include "demo/demo_stream.hpp"
#include "http/request_parser.hpp"

namespace flotilla::demo {

class DemoConnection {
 public:
  DemoConnection(asio::ip::tcp::socket socket, DemoContext& context);

  // Serves until the peer closes, an error, a timeout, or a stop; then closes the socket.
  asio::awaitable<void> run();
  // Graceful stop: finish the request in flight, start no other. Call on executor() only.
  void stop() { stream_.request_stop(); }
  asio::any_io_executor executor() { return stream_.socket().get_executor(); }

 private:
  // The request loop; true when the connection should close with a lingering close.
  asio::awaitable<bool> serve();
  asio::awaitable<void> serve_then_close();
  asio::awaitable<void> reject(const http::ParseResult& result);

  DemoStream stream_;
  DemoContext& context_;
  http::RequestParser parser_;
};

}  // namespace flotilla::demo
