// Completion tokens for every module that awaits Asio operations: coroutines that get errors as
// values (no exception per failed read on the data plane). Asio 1.22 keeps as_tuple under
// experimental. Knows no HTTP.
// The data plane's coroutines run on a worker's io_context executor type (`Awaitable`,
// `use_nothrow_io`), which spares every operation the type erasure of any_io_executor; the
// control thread's use the default executor (`use_nothrow`).
#pragma once

#include <asio/awaitable.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/use_awaitable.hpp>

#include "net/frame_pool.hpp"
#include "net/socket.hpp"

namespace flotilla::net {

inline constexpr auto use_nothrow = asio::experimental::as_tuple(asio::use_awaitable);

template <class T>
using Awaitable = asio::awaitable<T, Executor>;
inline constexpr auto use_nothrow_io =
    asio::experimental::as_tuple(asio::use_awaitable_t<Executor>{});

}  // namespace flotilla::net
