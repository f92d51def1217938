// flotilla's one HTTP/1.1 client, for the control plane and CLI processes: active health checks,
// probes, Alertmanager, the admin CLI. One request per connection (`Connection: close`), bounded
// by a connect and a whole-exchange timeout, the response read with the http codec. Never used
// on the proxy request path (the gateway's upstream connections are its own).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include <asio/any_io_executor.hpp>
#include <asio/awaitable.hpp>

#include <filesystem>
#include <memory>
#include <optional>

#include "client/endpoint.hpp"

namespace flotilla::tls {
class ClientContext;
}

namespace flotilla::client {

struct Header {
  std::string name;
  std::string value;
};

struct Request {
  std::string method = "GET";
  std::string target = "/";  // origin-form: path and query
  // Extra fields. The client writes Connection: close and Content-Length itself, and Host and
  // User-Agent unless given here.
  std::vector<Header> headers;
  std::string body;  // sent with Content-Length (always for POST, PUT and PATCH)
};

struct Options {
  std::chrono::milliseconds connect_timeout{std::chrono::seconds(5)};  // name lookup + connect
  std::chrono::milliseconds timeout{
      std::chrono::seconds(10)};            // the whole exchange, connect included
  std::size_t max_body = 16 * 1024 * 1024;  // a longer response body fails the exchange
  bool read_body = true;  // false: the exchange ends at the final head (a check needs the status)
  // https: the certificates the server's chain is verified against (https_context()); null: the
  // system's trust store. The server's name must be on its certificate either way.
  std::shared_ptr<const tls::ClientContext> tls;
};

// A verifying TLS client context for https exchanges: trusting the PEM CA certificates in
// `ca_file`, or the system's trust store without one; nullptr and `error` when unusable. Build it
// once and keep it (loading a trust store is not free).
std::shared_ptr<const tls::ClientContext> https_context(
    const std::optional<std::filesystem::path>& ca_file, std::string& error);

struct Response {
  int status = 0;               // the final status (1xx responses are skipped)
  std::vector<Header> headers;  // the final response's fields, as received
  std::string body;             // de-chunked

  // The first field named `name` (case-insensitive), or nullptr.
  const std::string* header(std::string_view name) const;
};

enum class Failure : std::uint8_t {
  kNone,
  kInvalidRequest,  // the request cannot be written as given (CR/LF in a field, bad method)
  kUnsupported,     // no transport for the endpoint (no trust store for https)
  kConnect,         // name lookup, connect or TLS handshake failed or timed out: nothing sent
  kSend,            // the request could not be sent
  kReceive,         // no complete, well-formed response within the bounds
};

struct Result {
  Response response;  // meaningful only when ok()
  Failure failure = Failure::kNone;
  // The system error behind the failure, comparable with std::errc (std::errc::timed_out for a
  // timeout), or asio::error::eof for a connection closed early; empty for a malformed response.
  std::error_code error;
  std::string message;  // lowercase, to follow "…: ", e.g. "connection refused"

  bool ok() const noexcept { return failure == Failure::kNone; }
  bool timed_out() const noexcept;
};

// Runs one exchange on `executor` (the control thread's). Never throws; every failure is a value.
asio::awaitable<Result> exchange(asio::any_io_executor executor, Endpoint endpoint, Request request,
                                 Options options = {});

// The same on a private io_context, waiting for the result: for CLI processes only.
Result exchange_blocking(const Endpoint& endpoint, const Request& request,
                         const Options& options = {});

// The request head as the client sends it; empty with `error` when a field cannot be sent.
std::string request_head(const Endpoint& endpoint, const Request& request, std::string& error);

}  // namespace flotilla::client
