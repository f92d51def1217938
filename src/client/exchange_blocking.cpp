// The blocking wrapper of client::exchange for CLI processes: a private io_context run to
// completion on the calling thread. Never called inside the server process (it blocks).
#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>

#include "client/exchange.hpp"

namespace flotilla::client {

Result exchange_blocking(const Endpoint& endpoint, const Request& request, const Options& options) {
  asio::io_context io;
  Result result;
  asio::co_spawn(io, exchange(io.get_executor(), endpoint, request, options),
                 [&result](std::exception_ptr error, Result done) {
                   if (error) {
                     result.failure = Failure::kReceive;
                     result.message = "internal error";
                   } else {
                     result = std::move(done);
                   }
                 });
  io.run();
  return result;
}

}  // namespace flotilla::client
