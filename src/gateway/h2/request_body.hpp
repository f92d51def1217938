// An HTTP/2 request body, as pipeline/request_body.hpp describes: the DATA payload of one stream,
// held in the stream's receive buffer (one window) until the upstream has it; the stream's window
// reopens only then (Session::consume), so a slow upstream slows that one client stream and
// nothing is buffered beyond the window. Owns no socket.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "gateway/listener_settings.hpp"
#include "gateway/pipeline/request_body.hpp"
#include "http/message.hpp"

namespace flotilla::gateway::h2 {

class Session;
struct Stream;

class H2RequestBody final : public RequestBody {
 public:
  H2RequestBody(Session& session, Stream& stream, const http::RequestHead& head) noexcept;

  bool empty() const noexcept override;
  std::optional<std::uint64_t> length() const noexcept override;
  net::Awaitable<int> prefetch() override;
  std::string_view buffered() const noexcept override;
  bool complete() const noexcept override;
  net::Awaitable<bool> begin_stream() override;
  net::Awaitable<BodyChunk> stream() override;
  void cancel_stream() noexcept override;
  bool streamed() const noexcept override { return streamed_; }
  bool consumed() const noexcept override;
  std::uint64_t bytes() const noexcept override;
  std::string_view trailers() const noexcept override;

 private:
  Session& session_;
  Stream& stream_;
  const http::RequestHead& head_;
  bool streamed_ = false;
  bool cancelled_ = false;
  int error_ = 0;
};

}  // namespace flotilla::gateway::h2
