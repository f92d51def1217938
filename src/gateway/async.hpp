// Completion tokens used across the gateway: coroutines that get errors as values (no exception
// per failed read on the data plane). Asio 1.22 keeps as_tuple under experimental.
#pragma once

#include <asio/experimental/as_tuple.hpp>
#include <asio/use_awaitable.hpp>

namespace flotilla::gateway {

inline constexpr auto use_nothrow = asio::experimental::as_tuple(asio::use_awaitable);

}  // namespace flotilla::gateway
