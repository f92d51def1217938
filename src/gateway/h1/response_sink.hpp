// Writes a response to an HTTP/1.x client: the head (a forwarded upstream head as views, or one
// the gateway makes), framing chosen here — the upstream's Content-Length kept, a body of unknown
// length re-chunked for HTTP/1.1 (so the connection survives it) or close-delimited for 1.0 —
// `Connection` as keep-alive allows, nothing after the head for HEAD, head and first body bytes
// in one write; file bodies by sendfile in the clear. Owns no socket: writes through the
// connection's Downstream.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <string_view>

#include "gateway/downstream.hpp"
#include "gateway/listener_settings.hpp"
#include "gateway/pipeline/response_sink.hpp"
#include "gateway/workspace.hpp"

namespace flotilla::gateway {

class Worker;

class H1ResponseSink final : public ResponseSink {
 public:
  H1ResponseSink(Downstream& downstream, Workspace& ws, Worker& worker,
                 const ListenerSettings& listener) noexcept
      : downstream_(downstream), ws_(ws), worker_(worker), listener_(listener) {}

  // Before each request: what the client asked for (version, keep-alive, HEAD).
  // The record gets the status (once the head is written) and the bytes written.
  void start(http::Version version, bool keep_alive, bool head_request,
             observe::RequestRecord* record) noexcept;
  // Bytes the client sent after this request, for a tunnel (HTTP/1 upgrades only).
  void set_early_bytes(std::string_view bytes) noexcept { early_bytes_ = bytes; }
  // The request (its TE says whether the client takes chunked trailers), or null.
  void set_request(const http::RequestHead* request) noexcept { request_ = request; }

  net::Awaitable<tls::IoResult> interim(const http::ResponseHead& head,
                                        std::string_view raw) override;
  void head(const ResponseHeadOut& head) override;
  net::Awaitable<tls::IoResult> body(std::string_view data, bool last) override;
  // In the clear: the head, then sendfile(2) in slices (the write deadline re-armed for each);
  // over TLS or chunked: ResponseSink's read-and-write.
  net::Awaitable<tls::IoResult> file(int fd, std::uint64_t offset, std::uint64_t length,
                                     bool last) override;
  bool zero_copy_files() const noexcept override { return !downstream_.secure(); }
  bool keeps_connection() const noexcept override { return keep_alive_ && !close_after_; }
  void close_after() noexcept override { close_after_ = true; }
  bool started() const noexcept override { return started_; }
  std::uint64_t bytes_sent() const noexcept override { return bytes_sent_; }
  TunnelEnd tunnel() noexcept override { return {&downstream_, early_bytes_}; }
  // An upstream's chunked trailers go on in the chunked body of a client that sent
  // `TE: trailers` (RFC 9110 §10.1.4), the fields that may be trailers only.
  std::span<char> trailer_buffer() noexcept override;
  void trailers(std::string_view lines) noexcept override;

  int status() const noexcept { return status_; }
  // The response was written through its end (the body's `last` piece went out).
  bool complete() const noexcept { return complete_; }

 private:
  void add_line(std::string_view line) noexcept;

  Downstream& downstream_;
  Workspace& ws_;
  Worker& worker_;
  const ListenerSettings& listener_;

  observe::RequestRecord* record_ = nullptr;
  http::Version version_ = http::Version::kHttp11;
  bool client_keep_alive_ = false;
  bool head_request_ = false;

  std::span<const http::IoPiece> head_pieces_;
  std::array<char, 96> lines_{};  // the framing and Connection lines the sink adds
  std::size_t lines_size_ = 0;
  std::string_view early_bytes_;
  const http::RequestHead* request_ = nullptr;
  std::unique_ptr<char[]> trailer_room_;  // made when a TE: trailers client first needs it
  std::string_view trailers_;             // the allowed lines in trailer_room_, for the last chunk
  std::uint64_t bytes_sent_ = 0;
  int status_ = 0;
  bool head_pending_ = false;
  bool started_ = false;
  bool complete_ = false;
  bool keep_alive_ = false;
  bool close_after_ = false;
  bool no_body_ = false;
  bool chunked_ = false;
  bool after_chunk_ = false;  // a chunk's data was written: its CRLF is still owed
};

}  // namespace flotilla::gateway
