// The blocking admin client: client::exchange_blocking over the unix socket or TCP, one request
// per connection (`Connection: close`: CLI calls are few), its failures turned into the
// ClientError messages the CLI prints.
#include "admin/client.hpp"

#include <fmt/format.h>

#include "client/exchange.hpp"
#include "config/units.hpp"

namespace flotilla::admin {
namespace {

constexpr std::size_t kMaxResponseBytes = 64 * 1024 * 1024;

std::string bracket_host(const std::string& host) {
  return host.find(':') != std::string::npos ? "[" + host + "]" : host;
}

// The connect errors that mean nothing listens there.
bool means_not_running(const std::error_code& error) {
  return error == std::errc::connection_refused || error == std::errc::no_such_file_or_directory ||
         error == std::errc::timed_out;
}

}  // namespace

std::string ClientTarget::display() const {
  if (kind == Kind::kUnixSocket) return path;
  return fmt::format("http://{}:{}", bracket_host(host), port);
}

std::optional<ClientTarget> parse_admin_url(std::string_view url, std::string& error) {
  ClientTarget target;
  if (url.starts_with("unix:")) {
    target.path = std::string(url.substr(5));
    if (target.path.empty()) {
      error = "admin URL 'unix:': missing socket path";
      return std::nullopt;
    }
    return target;
  }
  if (url.starts_with("https://")) {
    error = fmt::format(
        "admin URL '{}': the admin API speaks plain http:// (use the unix socket, "
        "or a TLS tunnel in front of it)",
        url);
    return std::nullopt;
  }
  if (url.starts_with("http://")) {
    std::string_view authority = url.substr(7);
    if (authority.ends_with('/')) authority.remove_suffix(1);
    if (authority.find('/') != std::string_view::npos) {
      error = fmt::format("admin URL '{}': expected http://HOST:PORT without a path", url);
      return std::nullopt;
    }
    const auto address = config::parse_address(authority);
    if (!address || address->kind != config::Address::Kind::tcp || address->port == 0) {
      error = fmt::format("admin URL '{}': expected http://HOST:PORT{}", url,
                          address ? "" : " (" + address.error() + ")");
      return std::nullopt;
    }
    target.kind = ClientTarget::Kind::kTcp;
    target.host = address->host;
    target.port = address->port;
    return target;
  }
  if (url.find("://") != std::string_view::npos) {
    error = fmt::format("admin URL '{}': expected http://HOST:PORT or unix:/path", url);
    return std::nullopt;
  }
  if (url.find('/') != std::string_view::npos) {
    target.path = std::string(url);
    return target;
  }
  error =
      fmt::format("admin URL '{}': expected http://HOST:PORT or the path of a unix socket", url);
  return std::nullopt;
}

std::string ClientResponse::error_message() const {
  if (json.is_object() && json.contains("error") && json["error"].is_string()) {
    return json["error"].get<std::string>();
  }
  const std::size_t end = body.find_last_not_of(" \r\n");
  if (end != std::string::npos) return body.substr(0, end + 1);
  return fmt::format("HTTP {}", status);
}

Client::Client(ClientTarget target, std::optional<std::string> token, std::string hint)
    : target_(std::move(target)), token_(std::move(token)), hint_(std::move(hint)) {}

void Client::set_timeouts(std::chrono::milliseconds connect, std::chrono::milliseconds exchange) {
  connect_timeout_ = connect;
  exchange_timeout_ = exchange;
}

ClientResponse Client::request(std::string_view method, std::string_view target,
                               const nlohmann::json* body) const {
  const client::Endpoint endpoint = target_.kind == ClientTarget::Kind::kTcp
                                        ? client::Endpoint::tcp(target_.host, target_.port)
                                        : client::Endpoint::unix_socket(target_.path);
  client::Request request;
  request.method = std::string(method);
  request.target = std::string(target);
  request.headers = {{"User-Agent", fmt::format("flotilla-cli/{}", FLOTILLA_VERSION)},
                     {"Accept", "application/json"}};
  if (token_) request.headers.push_back({"Authorization", fmt::format("Bearer {}", *token_)});
  if (body != nullptr) {
    request.headers.push_back({"Content-Type", "application/json"});
    request.body = body->dump();
  }
  client::Options options;
  options.connect_timeout = connect_timeout_;
  options.timeout = connect_timeout_ + exchange_timeout_;
  options.max_body = kMaxResponseBytes;
  client::Result result = client::exchange_blocking(endpoint, request, options);

  if (result.failure == client::Failure::kConnect) {
    std::string message =
        fmt::format("cannot reach flotilla at {}: {}", target_.display(), result.message);
    if (means_not_running(result.error)) message += " — is `flotilla up` running?";
    if (!hint_.empty()) message += fmt::format(" ({})", hint_);
    throw ClientError(ClientError::Kind::kUnreachable, message);
  }
  if (!result.ok()) {
    throw ClientError(ClientError::Kind::kFailed,
                      fmt::format("flotilla at {}: {}", target_.display(), result.message));
  }
  ClientResponse response;
  response.status = result.response.status;
  response.body = std::move(result.response.body);
  if (!response.body.empty()) {
    response.json = nlohmann::json::parse(response.body, nullptr, /*allow_exceptions=*/false);
    if (response.json.is_discarded()) response.json = nullptr;
  }
  return response;
}

}  // namespace flotilla::admin
