// The memory one request in progress needs on the client side: read buffer, parser, head writer
// and scratch strings. Leased from the worker's pool while a request is active and returned when
// the connection goes idle, so idle keep-alive connections cost little and requests allocate
// nothing once the pool is warm.
#pragma once

#include <array>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <asio/buffer.hpp>

#include "http/head_writer.hpp"
#include "http/limits.hpp"
#include "http/request_parser.hpp"
#include "observe/metric_shard.hpp"

namespace flotilla::gateway {

struct Workspace {
  explicit Workspace(const http::Limits& limits)
      : capacity(limits.max_request_line + limits.max_header_bytes + 4096),
        buffer(std::make_unique_for_overwrite<char[]>(capacity)),
        parser(limits) {
    added.reserve(1024);
    request_id.reserve(64);
    response.reserve(1024);
    iov.reserve(64);
  }

  std::size_t capacity;
  std::unique_ptr<char[]> buffer;  // client bytes: the head, then body or pipelined data
  http::RequestParser parser;
  http::HeadWriter writer;  // the request's head: its pieces stay valid for every attempt
  // The response's head, apart: a response dropped after its head was written (a body that
  // breaks at once) may be followed by a retry, which sends the request's pieces again.
  http::HeadWriter response_writer{16};
  std::string added;                            // header lines the proxy adds to the request
  std::array<std::string_view, 1> added_lines;  // `added` as the head writer takes it
  std::string request_id;                       // copied: the client buffer may be overwritten
  std::string target;                           // an absolute-form target made origin-form
  std::string route_path;                       // the path normalised for routing, when it isn't
  std::string response;                         // gateway-made responses and added response lines
  std::vector<asio::const_buffer> iov;          // the gather list of one writev
  std::array<char, 46> client_ip{};             // the peer's address as text (INET6_ADDRSTRLEN)
  std::size_t client_ip_size = 0;
  observe::RequestRecord record;  // metrics and access log of the current request
};

}  // namespace flotilla::gateway
