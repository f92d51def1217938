// One exchange, top to bottom: open the stream, connect within the connect timeout, write head +
// body, read heads (1xx skipped) with http::ResponseParser and the body with http::BodyReader
// (Content-Length, chunked or until close), all within the whole-exchange timeout.
#include "client/exchange.hpp"

#include <array>
#include <cctype>

#include <fmt/format.h>
#include <asio/error.hpp>

#include "client/stream.hpp"
#include "http/body_reader.hpp"
#include "http/header_names.hpp"
#include "http/response_parser.hpp"
#include "net/watchdog.hpp"

namespace flotilla::client {
namespace {

constexpr std::size_t kReadChunk = 16 * 1024;

std::string describe(const std::error_code& error) {
  std::string text = error.message();
  if (!text.empty()) text[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(text[0])));
  return text;
}

// Asio reports socket errors in its own system category, which compares equal to no std::errc;
// the same number in std::system_category() does, so callers can test `error == std::errc::…`.
std::error_code portable(std::error_code error) {
  if (error.category() == asio::error::get_system_category()) {
    return {error.value(), std::system_category()};
  }
  return error;
}

Result failed(Failure failure, std::error_code error, std::string message) {
  Result result;
  result.failure = failure;
  result.error = portable(error);
  result.message = std::move(message);
  return result;
}

// Bytes received and not yet consumed by the parser or the body reader.
struct Inbox {
  std::string pending;
  bool eof = false;
  std::array<char, kReadChunk> chunk;
};

// Reads once more into `inbox`; on failure, the Result to return.
asio::awaitable<std::optional<Result>> receive(Stream& stream, Inbox& inbox) {
  const IoResult got = co_await stream.read_some(inbox.chunk);
  inbox.pending.append(inbox.chunk.data(), got.bytes);
  if (got.error == asio::error::eof) {
    inbox.eof = true;
    co_return std::nullopt;
  }
  if (!got.error) co_return std::nullopt;
  co_return failed(Failure::kReceive, got.error, describe(got.error));
}

}  // namespace

bool Result::timed_out() const noexcept {
  return error == std::errc::timed_out;
}

asio::awaitable<Result> exchange(asio::any_io_executor executor, Endpoint endpoint, Request request,
                                 Options options) {
  std::string error;
  const std::string head = request_head(endpoint, request, error);
  if (head.empty()) co_return failed(Failure::kInvalidRequest, {}, error);
  std::unique_ptr<Stream> stream = make_stream(executor, endpoint, options.tls, error);
  if (!stream) co_return failed(Failure::kUnsupported, {}, error);

  Stream& s = *stream;
  net::Watchdog watchdog(executor, [&s] { s.close(); });
  const auto start = std::chrono::steady_clock::now();
  const auto deadline = start + options.timeout;
  watchdog.expires_at(std::min(deadline, start + options.connect_timeout));
  const std::error_code connect_error = co_await s.connect();
  if (connect_error) {
    if (watchdog.expired()) {
      co_return failed(Failure::kConnect, asio::error::timed_out, "connection timed out");
    }
    co_return failed(Failure::kConnect, connect_error, describe(connect_error));
  }
  watchdog.expires_at(deadline);

  const std::array<asio::const_buffer, 2> out{asio::buffer(head), asio::buffer(request.body)};
  const IoResult sent = co_await s.write(out);
  // A server may answer (401, 413) and close before reading the whole request: read that answer.
  const bool peer_closed =
      sent.error == asio::error::broken_pipe || sent.error == asio::error::connection_reset;
  if (sent.error && !peer_closed) {
    if (watchdog.expired()) {
      co_return failed(Failure::kSend, asio::error::timed_out, "timed out sending the request");
    }
    co_return failed(Failure::kSend, sent.error, describe(sent.error));
  }

  const auto read_failure = [&](Result failure) {
    if (!watchdog.expired()) return failure;
    return failed(Failure::kReceive, asio::error::timed_out, "timed out waiting for the response");
  };
  Inbox inbox;
  Result result;
  http::ResponseParser parser;
  const http::Method method = http::method_from(request.method);
  http::BodyFraming framing = http::BodyFraming::kNone;
  std::uint64_t content_length = 0;
  for (;;) {  // heads: interim 1xx responses are skipped
    parser.reset(method);
    http::ParseResult parsed = parser.parse(inbox.pending);
    while (parsed.incomplete()) {
      if (inbox.eof) {
        co_return failed(Failure::kReceive, asio::error::eof,
                         inbox.pending.empty() ? "connection closed without a response"
                                               : "connection closed before a complete response");
      }
      std::optional<Result> read_error = co_await receive(s, inbox);
      if (read_error) co_return read_failure(std::move(*read_error));
      parsed = parser.parse(inbox.pending);
    }
    if (parsed.failed()) {
      co_return failed(Failure::kReceive, {},
                       fmt::format("malformed response: {}", http::to_string(parsed.error)));
    }
    const http::ResponseHead& response_head = parser.head();
    if (response_head.informational) {
      inbox.pending.erase(0, parsed.consumed);
      continue;
    }
    if (response_head.upgrade) {
      co_return failed(Failure::kReceive, {}, "unexpected 101 Switching Protocols");
    }
    result.response.status = response_head.status;
    for (const http::Header& field : response_head.headers) {
      result.response.headers.push_back({std::string(field.name), std::string(field.value)});
    }
    framing = response_head.framing;
    content_length = response_head.content_length;
    inbox.pending.erase(0, parsed.consumed);  // the head's views end here
    break;
  }
  if (!options.read_body) co_return result;

  const auto too_large = [&] {
    return failed(Failure::kReceive, {},
                  fmt::format("response body over {} bytes", options.max_body));
  };
  if (framing == http::BodyFraming::kContentLength && content_length > options.max_body) {
    co_return too_large();
  }
  http::BodyReader body;
  body.start(framing, content_length);
  while (!body.done()) {
    const http::BodyStep step = body.next(inbox.pending);
    if (step.failed()) {
      co_return failed(Failure::kReceive, {},
                       fmt::format("malformed response body: {}", http::to_string(step.error)));
    }
    if (result.response.body.size() + step.data.size() > options.max_body) co_return too_large();
    result.response.body.append(step.data);
    inbox.pending.erase(0, step.consumed);
    if (step.done || step.consumed > 0) continue;
    if (inbox.eof) {
      if (body.finish_at_eof() != http::ParseError::kNone) {
        co_return failed(Failure::kReceive, asio::error::eof, "connection closed mid-response");
      }
      break;
    }
    std::optional<Result> read_error = co_await receive(s, inbox);
    if (read_error) co_return read_failure(std::move(*read_error));
  }
  co_return result;
}

}  // namespace flotilla::client
