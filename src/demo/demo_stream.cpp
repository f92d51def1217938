// Buffered, deadline-bounded socket I/O for the demo connection (Asio C++20 coroutine style:
// a watchdog coroutine raced against the work, as in Asio's echo_server_with_deadline example).
#include "demo/demo_stream.hpp"

#include <cstring>

#include <asio/experimental/as_tuple.hpp>

namespace flotilla::demo {
namespace {
constexpr auto kStreamNoThrow = asio::experimental::as_tuple(asio::use_awaitable);
}  // namespace

DemoStream::DemoStream(asio::ip::tcp::socket socket, std::size_t buffer_size)
    : socket_(std::move(socket)), timer_(socket_.get_executor()), buffer_(buffer_size) {}

void DemoStream::consume(std::size_t n) noexcept {
  begin_ += std::min(n, end_ - begin_);
  if (begin_ == end_) begin_ = end_ = 0;
}

asio::awaitable<std::error_code> DemoStream::read_more(Clock::duration timeout) {
  if (begin_ > 0) {
    std::memmove(buffer_.data(), buffer_.data() + begin_, end_ - begin_);
    end_ -= begin_;
    begin_ = 0;
  }
  if (end_ == buffer_.size()) co_return make_error_code(asio::error::no_buffer_space);
  if (stopping_ && idle_) co_return make_error_code(asio::error::operation_aborted);
  arm(timeout);
  auto [ec, n] = co_await socket_.async_read_some(
      asio::buffer(buffer_.data() + end_, buffer_.size() - end_), kStreamNoThrow);
  disarm();
  end_ += n;
  co_return ec;
}

asio::awaitable<std::error_code> DemoStream::write(std::span<const asio::const_buffer> buffers) {
  arm(kIoTimeout);
  auto [ec, n] = co_await asio::async_write(socket_, buffers, kStreamNoThrow);
  (void)n;
  disarm();
  co_return ec;
}

asio::awaitable<std::error_code> DemoStream::write(std::string_view bytes) {
  const asio::const_buffer buffer = asio::buffer(bytes);
  co_return co_await write(std::span<const asio::const_buffer>(&buffer, 1));
}

asio::awaitable<void> DemoStream::watchdog() {
  for (;;) {
    timer_.expires_at(deadline_);
    auto [ec] = co_await timer_.async_wait(kStreamNoThrow);
    if (ec) co_return;  // the work finished first and cancelled us
    if (deadline_ <= Clock::now()) co_return;
  }
}

void DemoStream::request_stop() {
  stopping_ = true;
  if (idle_) {
    std::error_code ignored;
    socket_.cancel(ignored);
  }
}

asio::awaitable<void> DemoStream::linger_close() {
  constexpr std::chrono::seconds kLingerTime{2};
  constexpr std::size_t kLingerBytes = 1024 * 1024;
  std::error_code ec;
  socket_.shutdown(asio::ip::tcp::socket::shutdown_send, ec);
  std::size_t discarded = 0;
  const auto until = Clock::now() + kLingerTime;
  while (!ec && discarded < kLingerBytes && Clock::now() < until) {
    deadline_ = until;
    std::size_t n = 0;
    std::tie(ec, n) = co_await socket_.async_read_some(asio::buffer(buffer_), kStreamNoThrow);
    discarded += n;
  }
  disarm();
  begin_ = end_ = 0;
  close();
}

void DemoStream::close() noexcept {
  std::error_code ignored;
  socket_.shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
  socket_.close(ignored);
}

}  // namespace flotilla::demo
