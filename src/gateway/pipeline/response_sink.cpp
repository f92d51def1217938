// The protocol-neutral part of ResponseSink: file bodies sent by reading and writing, for every
// sink that has no better way (TLS, HTTP/2). Never holds more than one piece of a file.
#include "gateway/pipeline/response_sink.hpp"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <memory>

namespace flotilla::gateway {

net::Awaitable<tls::IoResult> ResponseSink::file(int fd, std::uint64_t offset, std::uint64_t length,
                                                 bool last) {
  // One piece at a time: body() returns once the piece was written (HTTP/1) or taken into DATA
  // frames by the stream's window (HTTP/2), so memory stays one piece whatever the file's size.
  const std::size_t piece = static_cast<std::size_t>(std::min<std::uint64_t>(length, kFilePiece));
  const auto buffer = std::make_unique_for_overwrite<char[]>(std::max<std::size_t>(piece, 1));
  std::uint64_t done = 0;
  while (done < length) {
    const std::size_t want =
        static_cast<std::size_t>(std::min<std::uint64_t>(length - done, piece));
    const ssize_t n = ::pread(fd, buffer.get(), want, static_cast<off_t>(offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) co_return tls::IoResult{std::error_code(errno, std::system_category()), done};
    if (n == 0) co_return tls::IoResult{asio::error::eof, done};  // shrank under us
    const auto count = static_cast<std::size_t>(n);
    done += count;
    auto [error, written] = co_await body({buffer.get(), count}, last && done == length);
    if (error) co_return tls::IoResult{error, done - count + written};
  }
  if (length == 0) {
    auto [error, written] = co_await body({}, last);
    co_return tls::IoResult{error, 0};
  }
  co_return tls::IoResult{std::error_code{}, done};
}

}  // namespace flotilla::gateway
