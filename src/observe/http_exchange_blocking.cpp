// The blocking wrapper of http_exchange for CLI commands, in its own translation unit: GCC 12
// reports a false -Wmismatched-new-delete when the coroutine and its co_spawn share one.
#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>

#include "observe/http_exchange.hpp"

namespace flotilla::observe {

HttpReply http_exchange_blocking(const HttpUrl& url, const HttpRequest& request) {
  asio::io_context io;
  HttpReply reply;
  asio::co_spawn(io, http_exchange(io.get_executor(), url, request),
                 [&reply](std::exception_ptr error, HttpReply result) {
                   if (error) {
                     reply.error = "internal error";
                   } else {
                     reply = std::move(result);
                   }
                 });
  io.run();
  return reply;
}

}  // namespace flotilla::observe
