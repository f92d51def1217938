// Where a response goes, whatever protocol the client speaks: the HTTP/1 connection writes it as
// HTTP/1.x (HTTP/2 will write frames). Producers — the proxy, local answers, later static files
// and the cache — hand it a head and decoded body bytes; the sink owns the framing, keep-alive,
// HEAD and the write deadlines. Never decides what to answer.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "gateway/pipeline/header_edits.hpp"
#include "gateway/pipeline/tunnel_peer.hpp"
#include "http/message.hpp"
#include "net/async.hpp"
#include "tls/stream.hpp"

namespace flotilla::gateway {

class Downstream;

// How much body follows a head.
enum class BodyLength : std::uint8_t {
  kNone,     // no body (204, 304, a response to HEAD...)
  kKnown,    // exactly `content_length` bytes
  kUnknown,  // until the producer says `last` (chunked on HTTP/1.1, close-delimited on 1.0)
};

struct ResponseHeadOut {
  int status = 200;
  // An upstream head whose fields go out (minus hop-by-hop and dropped ones), or null for an
  // answer the gateway makes itself.
  const http::ResponseHead* forwarded = nullptr;
  const HeaderEdits* edits = nullptr;  // drops and added lines; may be null
  BodyLength length = BodyLength::kNone;
  std::uint64_t content_length = 0;  // kKnown
  bool upgrade = false;              // a 101 whose connection becomes a tunnel
};

class ResponseSink {
 public:
  // An interim (1xx) head from upstream: forwarded where the protocol allows (HTTP/1.1
  // clients), dropped otherwise. 100 Continue is never forwarded: the gateway answers it.
  virtual net::Awaitable<tls::IoResult> interim(const http::ResponseHead& head,
                                                std::string_view raw) = 0;
  // The final head: kept until the first body bytes (one write for both) or finish().
  virtual void head(const ResponseHeadOut& head) = 0;
  // Payload bytes (no framing); `last`: the body ends with them. Empty `data` with `last` ends
  // the body; for kNone heads it writes the head alone.
  virtual net::Awaitable<tls::IoResult> body(std::string_view data, bool last) = 0;

  // Body bytes from an open file: `length` bytes of `fd` from `offset` (after head(); `last` as
  // for body()). The sink picks how: HTTP/1.1 in the clear hands the file to the kernel
  // (sendfile, no copy through user space); otherwise — TLS, HTTP/2, a chunked body — the
  // default reads bounded pieces (kFilePiece, pread: the fd's offset is never moved, so one fd
  // serves many responses at once) and writes each through body(). `fd` stays open until the
  // call returns.
  virtual net::Awaitable<tls::IoResult> file(int fd, std::uint64_t offset, std::uint64_t length,
                                             bool last);
  // Whether file() sends without copying (for the static-file byte counters).
  virtual bool zero_copy_files() const noexcept { return false; }
  static constexpr std::size_t kFilePiece = 64 * 1024;

  // Whether the connection can serve another request once this response is complete.
  virtual bool keeps_connection() const noexcept = 0;
  // The connection must close after this response (its request body was not read in full...).
  virtual void close_after() noexcept = 0;
  // The head has been written: nothing about the response can change any more.
  virtual bool started() const noexcept = 0;
  virtual std::uint64_t bytes_sent() const noexcept = 0;
  // After a 101 head was written: the client side for the tunnel — its connection (and bytes
  // the client sent after its request, already read) or a stream of a multiplexed connection
  // (`peer`, RFC 8441) — or neither when the protocol cannot tunnel.
  struct TunnelEnd {
    Downstream* downstream = nullptr;
    std::string_view early_bytes;
    TunnelPeer* peer = nullptr;
  };
  virtual TunnelEnd tunnel() noexcept = 0;
  // Room for an upstream's chunked trailer section when the client can be given it (an HTTP/2
  // stream: a trailing HEADERS frame); empty when trailers are dropped.
  virtual std::span<char> trailer_buffer() noexcept { return {}; }
  // The trailer field lines (`Name: value\r\n` each) kept there, before the last body() call.
  virtual void trailers(std::string_view) noexcept {}

 protected:
  ~ResponseSink() = default;
};

}  // namespace flotilla::gateway
